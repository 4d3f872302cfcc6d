using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using Xunit;

namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>
/// Everything observable about a generated model, bit for bit: every [Param] field, every gradient in <c>Grad</c>,
/// every optimizer state buffer (scalar state fields or array state buffers, null included), <c>StepCount</c>,
/// <c>SkippedSteps</c>, <c>SkipNonFiniteGradients</c> and <c>Optimizer</c>. Found by reflection, so a field the
/// generator adds to a model is covered without touching the tests.
/// </summary>
internal static class ModelSnapshot
{
    private static readonly string[] StateMembers = ["SquareAvg", "GradAvg", "MomentumBuffer"];

    public static SortedDictionary<string, string> Take(object model, bool includeGradients = true)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Type type = model.GetType();
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                     .Where(f => f.IsDefined(typeof(ParamAttribute))))
        {
            result["param." + field.Name] = Describe(field.GetValue(model));
        }

        if (includeGradients)
        {
            object grad = type.GetProperty("Grad")!.GetValue(model)!;
            foreach (FieldInfo field in grad.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                result["grad." + field.Name] = Describe(field.GetValue(grad));
            }
        }

        object states = type.GetProperty("OptimizerState")!.GetValue(model)!;
        foreach (FieldInfo field in states.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            object state = field.GetValue(states)!;
            Type stateType = state.GetType();
            foreach (string member in StateMembers)
            {
                FieldInfo? stateField = stateType.GetField(member);
                object? value = stateField is not null ? stateField.GetValue(state) : stateType.GetProperty(member)!.GetValue(state);
                result[$"state.{field.Name}.{member}"] = Describe(value);
            }
        }

        foreach (string property in new[] { "StepCount", "SkippedSteps", "SkipNonFiniteGradients" })
        {
            result[property] = Describe(type.GetProperty(property)!.GetValue(model));
        }

        RmsProp optimizer = (RmsProp)type.GetProperty("Optimizer")!.GetValue(model)!;
        result["Optimizer"] = DescribeOptimizer(optimizer);
        return result;
    }

    /// <summary>The optimizer with every double as its bit pattern (record equality would call −0 and 0 equal).</summary>
    public static string DescribeOptimizer(in RmsProp o) =>
        $"lr={Bits(o.LearningRate)} decay={Bits(o.Decay)} eps={Bits(o.Epsilon)} epsInside={o.EpsilonInsideSqrt} v0={Bits(o.InitialAccumulatorValue)} " +
        $"centered={o.Centered} clamp={o.ClampCenteredVariance} mu={Bits(o.Momentum)} style={o.MomentumStyle} nesterov={o.Nesterov} " +
        $"wd={Bits(o.WeightDecay)} decoupled={o.DecoupledWeightDecay} maximize={o.Maximize} bias={o.BiasCorrection}";

    public static string Describe(object? value) => value switch
    {
        null => "null",
        float f => Bits(f),
        double d => Bits(d),
        float[] a => $"float[{a.Length}] " + string.Join(" ", a.Select(Bits)),
        double[] a => $"double[{a.Length}] " + string.Join(" ", a.Select(Bits)),
        _ => value.ToString() ?? string.Empty,
    };

    public static string Bits(float value) => $"{BitConverter.SingleToInt32Bits(value):x8}({value:R})";

    public static string Bits(double value) => $"{BitConverter.DoubleToInt64Bits(value):x16}({value:R})";

    /// <summary>Asserts two snapshots are identical, listing every key that differs.</summary>
    public static void AssertEqual(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual, string context)
    {
        var differences = new StringBuilder();
        foreach (string key in expected.Keys.Union(actual.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            expected.TryGetValue(key, out string? e);
            actual.TryGetValue(key, out string? a);
            if (e != a)
            {
                differences.AppendLine($"  {key}:\n    expected {Shorten(e)}\n    actual   {Shorten(a)}");
            }
        }

        Assert.True(differences.Length == 0, $"{context}: the models differ:\n{differences}");
    }

    private static string Shorten(string? text) => text is null ? "<missing>" : text.Length <= 400 ? text : text[..400] + " …";
}
