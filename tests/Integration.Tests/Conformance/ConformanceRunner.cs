using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptimizerGen.Integration.Tests.Support;

namespace OptimizerGen.Integration.Tests.Conformance;

/// <summary>The outcome of running golden cases: how many values were compared and what disagreed.</summary>
internal sealed class ConformanceReport
{
    private const int MaxFailuresPerSubject = 5;

    public int Cases { get; set; }

    public int Runs { get; set; }

    public long Checks { get; set; }

    public List<string> Failures { get; } = [];

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cases} cases, {Runs} model runs, {Checks} values checked, {Failures.Count} failures");

    internal void Fail(ref int budget, string message)
    {
        if (budget-- > 0)
        {
            Failures.Add(message);
        }
        else if (budget == -1)
        {
            Failures.Add("  … (more failures for this run omitted)");
        }
    }

    internal static int NewBudget() => MaxFailuresPerSubject;
}

/// <summary>
/// Replays a libtorch golden case on generated code: <c>Optimizer</c> from the case's options, parameters set to
/// <c>init</c>, then per step <c>Grad</c> ← grads[t], <c>ApplyGradients()</c>, parameters compared with params[t] and
/// <c>Grad</c> checked to be zero; after the last step the state (square_avg, grad_avg, momentum_buffer, step).
/// Shared by the xunit tests and by <see cref="Program"/>'s child-process mode.
/// </summary>
internal static class ConformanceRunner
{
    public static ConformanceReport RunAll()
    {
        var report = new ConformanceReport();
        foreach (GoldenCase c in GoldenFile.Cases)
        {
            Run(c, report);
        }

        return report;
    }

    public static ConformanceReport Run(GoldenCase c, ConformanceReport? report = null)
    {
        report ??= new ConformanceReport();
        report.Cases++;
        GoldenTensor data = c.Concatenated();
        foreach (ConformanceSubject subject in ConformanceSubject.For(c))
        {
            report.Runs++;
            Run(c, data, subject, report);
        }

        return report;
    }

    private static void Run(GoldenCase c, GoldenTensor data, ConformanceSubject subject, ConformanceReport report)
    {
        int n = subject.Length;
        double tolerance = c.IsFloat32 ? Tolerance.Float32 : Tolerance.Float64;
        int budget = ConformanceReport.NewBudget();
        string where = $"{c.Name} on {subject.Description}";

        void Compare(string what, ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
        {
            for (int i = 0; i < actual.Length; i++)
            {
                report.Checks++;
                if (!Tolerance.Close(actual[i], expected[i], tolerance))
                {
                    report.Fail(ref budget, string.Create(CultureInfo.InvariantCulture, $"{where}: {what}[{i}] = {actual[i]:R}, libtorch {expected[i]:R} (|Δ| = {Math.Abs(actual[i] - expected[i]):E2})"));
                }
            }
        }

        subject.SetOptimizer(c.Options);
        subject.SetParameters(data.Init.AsSpan(0, n));
        for (int t = 0; t < c.Steps; t++)
        {
            subject.SetGradients(data.Grads[t].AsSpan(0, n));
            subject.ApplyGradients();
            Compare($"params after step {t + 1}", subject.GetParameters(), data.Params[t].AsSpan(0, n));

            report.Checks++;
            if (subject.GetGradients().Any(g => g != 0))
            {
                report.Fail(ref budget, $"{where}: Grad was not zeroed by step {t + 1}");
            }
        }

        report.Checks++;
        if (subject.StepCount != data.Step)
        {
            report.Fail(ref budget, $"{where}: StepCount = {subject.StepCount}, libtorch step = {data.Step}");
        }

        CompareState(StateBuffer.SquareAvg, "square_avg", data.SquareAvg);
        CompareState(StateBuffer.GradAvg, "grad_avg", data.GradAvg);
        CompareState(StateBuffer.MomentumBuffer, "momentum_buffer", data.MomentumBuffer);

        void CompareState(StateBuffer buffer, string name, double[]? expected)
        {
            // A buffer libtorch does not keep must not exist (arrays) or must have stayed 0 (scalars).
            bool shouldExist = expected is not null;
            foreach (ISegment segment in subject.Segments)
            {
                report.Checks++;
                if (segment.Allocated(buffer) is bool allocated && allocated != shouldExist)
                {
                    report.Fail(ref budget, $"{where}: state {name} is {(allocated ? "allocated" : "null")}, but libtorch {(shouldExist ? "keeps" : "does not keep")} it");
                }
            }

            Compare("state " + name, subject.GetState(buffer), expected is null ? new double[n] : expected.AsSpan(0, n));
        }
    }
}
