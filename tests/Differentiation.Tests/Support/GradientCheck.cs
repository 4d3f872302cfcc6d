using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace OptimizerGen.Differentiation.Tests.Support;

/// <summary>One sample drawn for a gradient check: how to evaluate the user's loss, and the generated AccumulateGradients, on it.</summary>
/// <typeparam name="TModel">The model.</typeparam>
internal readonly record struct Sample<TModel>(Func<TModel, double> Loss, Func<TModel, double> Accumulate, string Description = "");

/// <summary>How strict a gradient check is.</summary>
/// <param name="Step">The finite-difference step, relative: h = Step·max(1, |p|).</param>
/// <param name="Relative">|ad − fd| ≤ Relative·max(|ad|, |fd|) + Absolute.</param>
/// <param name="Absolute">The absolute floor of the comparison.</param>
/// <param name="LossRelative">How closely AccumulateGradients' returned loss must equal the [Loss] method's value.</param>
internal sealed record Tolerances(double Step, double Relative, double Absolute, double LossRelative)
{
    /// <summary>Double-precision models: h = 1e-6 relative, compared to 1e-6 relative with a 1e-8 floor.</summary>
    public static readonly Tolerances Double = new(1e-6, 1e-6, 1e-8, 1e-14);

    /// <summary>
    /// Float-precision values inside the loss: the loss is only known to ~6e-8 relative, so the step must be large
    /// (1e-2) and the comparison loose (1e-3 relative, 1e-4 floor): still far tighter than any wrong derivative.
    /// </summary>
    public static readonly Tolerances Float = new(1e-2, 1e-3, 1e-4, 1e-6);
}

/// <summary>
/// Checks the gradient a generated <c>AccumulateGradients</c> adds into <c>Grad</c> against central finite differences
/// of the user's own <c>[Loss]</c> method, for every element of every <c>[Param]</c> field, at several random points
/// (random parameters and random samples, from a fixed seed).
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// For each of <paramref name="points"/> points: a new model with random parameters (uniform in the field's range,
    /// default [−1, 1]) and a random sample. Asserts that AccumulateGradients returns the loss, that it ADDS its gradient
    /// (a second call doubles Grad), that every gradient element matches the central difference, and that every
    /// parameter element actually influences the loss at some point (so the check is not vacuous) — except the
    /// <paramref name="unused"/> ones, which the loss never reads and whose gradient must be exactly 0.
    /// </summary>
    public static void Run<TModel>(
        Func<Random, Sample<TModel>> sample,
        Tolerances? tolerances = null,
        int points = 6,
        int seed = 12345,
        Func<string, (double Low, double High)>? ranges = null,
        Func<ParamElement, bool>? unused = null)
        where TModel : class, new()
    {
        unused ??= _ => false;
        tolerances ??= Tolerances.Double;
        ranges ??= _ => (-1.0, 1.0);
        var failures = new StringBuilder();
        var influential = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<ParamElement>? allElements = null;
        var random = new Random(seed);
        double largestDifference = 0;

        for (int point = 0; point < points; point++)
        {
            var model = new TModel();
            ModelParameters.Randomize(model, random, ranges);
            Sample<TModel> s = sample(random);
            IReadOnlyList<ParamElement> elements = ModelParameters.Elements(model);
            allElements ??= elements;

            double loss = s.Loss(model);
            Assert.True(double.IsFinite(loss), $"point {point}: the loss is {loss} {s.Description}");
            double returned = s.Accumulate(model);
            AssertClose(loss, returned, tolerances.LossRelative, 0, $"point {point}: AccumulateGradients returned {returned:R}, the [Loss] method {loss:R} {s.Description}");
            double[] ad = ModelParameters.Gradients(model);

            // AccumulateGradients adds: a second call on the same sample doubles Grad.
            s.Accumulate(model);
            double[] twice = ModelParameters.Gradients(model);
            for (int i = 0; i < ad.Length; i++)
            {
                AssertClose(2 * ad[i], twice[i], 1e-6, 1e-12, $"point {point}: after two AccumulateGradients calls Grad.{elements[i]} = {twice[i]:R}, expected 2 × {ad[i]:R}");
            }

            for (int i = 0; i < elements.Count; i++)
            {
                double fd = CentralDifference(model, elements[i], s.Loss, tolerances.Step);
                double difference = Math.Abs(ad[i] - fd);
                double allowed = (tolerances.Relative * Math.Max(Math.Abs(ad[i]), Math.Abs(fd))) + tolerances.Absolute;
                largestDifference = Math.Max(largestDifference, difference / allowed);
                if (!(difference <= allowed))
                {
                    failures.AppendLine($"point {point} {s.Description}: ∂loss/∂{elements[i]} generated {ad[i]:R}, finite difference {fd:R} (|Δ| {difference:E2} > {allowed:E2})");
                }

                if (unused(elements[i]) && (ad[i] != 0 || fd != 0))
                {
                    failures.AppendLine($"point {point} {s.Description}: {elements[i]} is not read by the loss, yet ∂loss/∂{elements[i]} generated {ad[i]:R}, finite difference {fd:R}");
                }

                if (Math.Abs(fd) > 1e-4 || unused(elements[i]))
                {
                    influential.Add(elements[i].ToString());
                }
            }
        }

        Assert.True(failures.Length == 0, $"{typeof(TModel).Name}: wrong gradients\n{failures}");
        string[] inert = allElements!.Select(e => e.ToString()).Where(e => !influential.Contains(e)).ToArray();
        Assert.True(inert.Length == 0, $"{typeof(TModel).Name}: the check is vacuous for {string.Join(", ", inert)} (no influence on the loss at any point)");
    }

    /// <summary>(L(p + h) − L(p − h)) / (p₊ − p₋) with the perturbed values as actually stored (rounded to float for float fields).</summary>
    public static double CentralDifference<TModel>(TModel model, ParamElement element, Func<TModel, double> loss, double relativeStep)
    {
        object boxed = model!;
        double p = ModelParameters.Get(boxed, element);
        double h = relativeStep * Math.Max(1.0, Math.Abs(p));
        ModelParameters.Set(boxed, element, p + h);
        double plus = ModelParameters.Get(boxed, element);
        double lossPlus = loss(model);
        ModelParameters.Set(boxed, element, p - h);
        double minus = ModelParameters.Get(boxed, element);
        double lossMinus = loss(model);
        ModelParameters.Set(boxed, element, p);
        return (lossPlus - lossMinus) / (plus - minus);
    }

    public static void AssertClose(double expected, double actual, double relative, double absolute, string message)
    {
        double allowed = (relative * Math.Max(Math.Abs(expected), Math.Abs(actual))) + absolute;
        Assert.True(Math.Abs(expected - actual) <= allowed, $"{message} (|Δ| {Math.Abs(expected - actual):E2} > {allowed:E2})");
    }

    public static double Uniform(this Random random, double low, double high) => low + ((high - low) * random.NextDouble());

    public static double[] Uniform(this Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => random.Uniform(low, high)).ToArray();

    public static float[] UniformFloats(this Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => (float)random.Uniform(low, high)).ToArray();
}
