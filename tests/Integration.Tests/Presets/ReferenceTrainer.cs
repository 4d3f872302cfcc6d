using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptimizerGen.Integration.Tests.Conformance;
using OptimizerGen.Integration.Tests.Support;

namespace OptimizerGen.Integration.Tests.Presets;

/// <summary>
/// Trains a generated model and a framework reference side by side on the same deterministic pseudo-random
/// parameters and gradients (SplitMix64), comparing every parameter after every step and the state at the end, with
/// the conformance tolerances per field type (the reference runs in double).
/// </summary>
internal static class ReferenceTrainer
{
    public static List<string> Compare(
        ModelView model,
        IRmsPropReference reference,
        RmsProp options,
        int steps = 20,
        ulong seed = 42,
        double gradientScale = 1.0,
        Func<int, double>? learningRate = null,
        Func<double[], double[]>? clipForReference = null)
    {
        var failures = new List<string>();
        int n = model.Length;
        var rng = new SplitMix64(seed);
        bool[] isFloat = model.Fields.SelectMany(f => Enumerable.Repeat(f.IsFloat32, f.Segment.Length)).ToArray();
        bool[] decays = model.Fields.SelectMany(f => Enumerable.Repeat(f.Decays, f.Segment.Length)).ToArray();
        string[] names = model.Fields.SelectMany(f => Enumerable.Range(0, f.Segment.Length).Select(i => f.Segment.Length == 1 ? f.Name : $"{f.Name}[{i}]")).ToArray();

        // Inputs rounded to each field's type, so model and reference see the same numbers.
        double Next(int i, double scale)
        {
            double x = rng.Uniform() * scale;
            return isFloat[i] ? (float)x : x;
        }

        double[] p = new double[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = Next(i, 1.0);
        }

        model.SetOptimizer(options);
        Scatter(model, p, (s, v) => s.SetParameters(v));

        double[] g = new double[n];
        for (int t = 1; t <= steps; t++)
        {
            if (learningRate is not null)
            {
                options = options with { LearningRate = learningRate(t) };
                model.SetOptimizer(options);
            }

            for (int i = 0; i < n; i++)
            {
                g[i] = Next(i, gradientScale);
            }

            Scatter(model, g, (s, v) => s.SetGradients(v));
            model.ApplyGradients();
            reference.Step(p, clipForReference is null ? g : clipForReference(g), decays, options.LearningRate);
            Check($"step {t}: ", Gather(model, (s, d) => s.GetParameters(d)), p);
            if (failures.Count > 20)
            {
                return failures;
            }
        }

        if (model.StepCount() != steps)
        {
            failures.Add($"StepCount = {model.StepCount()}, expected {steps}");
        }

        Check("state v (square_avg): ", Gather(model, (s, d) => s.GetState(StateBuffer.SquareAvg, d)), reference.SquareAvg);
        if (reference.GradAvg is { } gradAvg)
        {
            Check("state m (grad_avg): ", Gather(model, (s, d) => s.GetState(StateBuffer.GradAvg, d)), gradAvg);
        }

        if (reference.MomentumBuffer is { } buffer)
        {
            Check("state b (momentum): ", Gather(model, (s, d) => s.GetState(StateBuffer.MomentumBuffer, d)), buffer);
        }

        return failures;

        void Check(string what, double[] actual, double[] expected)
        {
            for (int i = 0; i < n && failures.Count <= 20; i++)
            {
                if (!Tolerance.Close(actual[i], expected[i], isFloat[i] ? Tolerance.Float32 : Tolerance.Float64))
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}{names[i]} = {actual[i]:R}, reference {expected[i]:R} (|Δ| = {Math.Abs(actual[i] - expected[i]):E2})"));
                }
            }
        }
    }

    private static void Scatter(ModelView model, double[] values, Action<ISegment, ReadOnlySpan<double>> action)
    {
        int offset = 0;
        foreach (FieldView field in model.Fields)
        {
            action(field.Segment, values.AsSpan(offset, field.Segment.Length));
            offset += field.Segment.Length;
        }
    }

    private delegate void SpanFunc(ISegment segment, Span<double> destination);

    private static double[] Gather(ModelView model, SpanFunc action)
    {
        double[] result = new double[model.Length];
        int offset = 0;
        foreach (FieldView field in model.Fields)
        {
            action(field.Segment, result.AsSpan(offset, field.Segment.Length));
            offset += field.Segment.Length;
        }

        return result;
    }
}
