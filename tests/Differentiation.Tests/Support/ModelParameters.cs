using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace OptimizerGen.Differentiation.Tests.Support;

/// <summary>One element of a <c>[Param]</c> field: the field, and the index in it (0 for a scalar).</summary>
internal readonly record struct ParamElement(FieldInfo Field, int Index)
{
    public override string ToString() => Field.FieldType.IsArray ? $"{Field.Name}[{Index}]" : Field.Name;
}

/// <summary>
/// Reads and writes a model's <c>[Param]</c> fields and the matching <c>Grad</c> fields by reflection, as numbers in
/// double precision, so one gradient checker serves every model (float or double, scalars or arrays).
/// </summary>
internal static class ModelParameters
{
    /// <summary>The <c>[Param]</c> fields of <paramref name="type"/>, in declaration order.</summary>
    public static IReadOnlyList<FieldInfo> Fields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => f.IsDefined(typeof(ParamAttribute), inherit: false))
            .OrderBy(f => f.MetadataToken)
            .ToList();

    /// <summary>Every element of every <c>[Param]</c> field of <paramref name="model"/>.</summary>
    public static IReadOnlyList<ParamElement> Elements(object model)
    {
        var elements = new List<ParamElement>();
        foreach (FieldInfo field in Fields(model.GetType()))
        {
            int count = field.GetValue(model) is Array array ? array.Length : 1;
            for (int i = 0; i < count; i++)
            {
                elements.Add(new ParamElement(field, i));
            }
        }

        return elements;
    }

    public static double Get(object model, ParamElement element) => Read(element.Field.GetValue(model), element.Index);

    public static void Set(object model, ParamElement element, double value)
    {
        object? current = element.Field.GetValue(model);
        switch (current)
        {
            case float[] floats:
                floats[element.Index] = (float)value;
                break;
            case double[] doubles:
                doubles[element.Index] = value;
                break;
            case float:
                element.Field.SetValue(model, (float)value);
                break;
            default:
                element.Field.SetValue(model, value);
                break;
        }
    }

    /// <summary><c>model.Grad.&lt;Field&gt;</c> (element <c>Index</c> for arrays).</summary>
    public static double GetGradient(object model, ParamElement element) => Read(GradientField(model, element.Field).GetValue(Grad(model)), element.Index);

    /// <summary>Sets <c>model.Grad.&lt;Field&gt;</c> (element <c>Index</c> for arrays) to <paramref name="value"/>.</summary>
    public static void SetGradient(object model, ParamElement element, double value)
    {
        object grad = Grad(model);
        FieldInfo field = GradientField(model, element.Field);
        switch (field.GetValue(grad))
        {
            case float[] floats:
                floats[element.Index] = (float)value;
                break;
            case double[] doubles:
                doubles[element.Index] = value;
                break;
            case float:
                field.SetValue(grad, (float)value);
                break;
            default:
                field.SetValue(grad, value);
                break;
        }
    }

    /// <summary>Scales every gradient in <c>model.Grad</c> by <paramref name="factor"/>.</summary>
    public static void ScaleGradients(object model, double factor)
    {
        foreach (ParamElement element in Elements(model))
        {
            object grad = Grad(model);
            FieldInfo field = GradientField(model, element.Field);
            switch (field.GetValue(grad))
            {
                case float[] floats:
                    floats[element.Index] = (float)(floats[element.Index] * factor);
                    break;
                case double[] doubles:
                    doubles[element.Index] *= factor;
                    break;
                case float f:
                    field.SetValue(grad, (float)(f * factor));
                    break;
                case double d:
                    field.SetValue(grad, d * factor);
                    break;
            }
        }
    }

    /// <summary>Every parameter element's value, in <see cref="Elements"/> order.</summary>
    public static double[] Values(object model) => Elements(model).Select(e => Get(model, e)).ToArray();

    /// <summary>Every gradient element's value, in <see cref="Elements"/> order.</summary>
    public static double[] Gradients(object model) => Elements(model).Select(e => GetGradient(model, e)).ToArray();

    /// <summary>Sets every parameter element to a uniform random value in the range <paramref name="range"/> gives for its field.</summary>
    public static void Randomize(object model, Random random, Func<string, (double Low, double High)> range)
    {
        foreach (ParamElement element in Elements(model))
        {
            (double low, double high) = range(element.Field.Name);
            Set(model, element, low + ((high - low) * random.NextDouble()));
        }
    }

    private static object Grad(object model) =>
        model.GetType().GetProperty("Grad")?.GetValue(model) ?? throw new InvalidOperationException($"{model.GetType().Name} has no Grad.");

    private static FieldInfo GradientField(object model, FieldInfo parameter) =>
        Grad(model).GetType().GetField(parameter.Name) ?? throw new InvalidOperationException($"Grad has no field {parameter.Name}.");

    private static double Read(object? value, int index) => value switch
    {
        float[] floats => floats[index],
        double[] doubles => doubles[index],
        float f => f,
        double d => d,
        _ => throw new InvalidOperationException($"Unexpected parameter value {value}."),
    };
}
