using System;
using System.Collections.Generic;
using System.Globalization;
using OptimizerGen.Integration.Tests.Models;
using OptimizerGen.Integration.Tests.Support;

namespace OptimizerGen.Integration.Tests.UserRules;

/// <summary>What <see cref="UserRuleChecks.RunAll"/> checked and what failed.</summary>
internal sealed class UserRuleReport
{
    public long Checks { get; set; }

    public List<string> Failures { get; } = [];

    /// <summary>The largest |textbook − built-in| / max(1, |built-in|) seen, float32 and float64.</summary>
    public double TextbookDeviation32 { get; set; }

    public double TextbookDeviation64 { get; set; }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Checks} values checked, {Failures.Count} failures, textbook RMSprop deviation {TextbookDeviation32:E1} (float32) {TextbookDeviation64:E1} (float64)");

    public void Fail(string message)
    {
        if (Failures.Count < 20)
        {
            Failures.Add(message);
        }
    }
}

/// <summary>
/// Users' rules compiled by the real generator, checked on whatever SIMD path this process runs (the tests run it
/// in-process on Vector512, and in child processes with Vector512, AVX2 or every intrinsic switched off):
/// <list type="bullet">
/// <item>a user-written RMSprop with the kernel's fused multiply-add gives bit for bit the built-in RMSprop's numbers
/// (parameters and square_avg; the generated code does the same IEEE operations in the same order: (1−α)·g·g + α·v with
/// one rounding, √v + ε, p − (lr·g)/d, which equals the kernel's p + (−lr·g)/d exactly);</item>
/// <item>the textbook RMSprop (αv + (1−α)g², two roundings) stays within the conformance tolerances of it;</item>
/// <item>Lion equals the formula written here, with the coefficients computed in double and rounded, exactly;</item>
/// <item>gradient clipping (value and global norm) reaches user rules as it reaches built-in ones.</item>
/// </list>
/// Every array length from 1 to past several Vector512 widths is used, so the scalar remainder runs too.
/// </summary>
internal static class UserRuleChecks
{
    public static readonly int[] Lengths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 67, 100];
    private const int Steps = 25;

    public static UserRuleReport RunAll()
    {
        var report = new UserRuleReport();
        foreach (int n in Lengths)
        {
            RmsPropMatchesBuiltIn(report, n, new UserRmsModel(), exact: true, clipping: default);
            RmsPropMatchesBuiltIn(report, n, new TextbookRmsModel(), exact: false, clipping: default);
            LionMatchesFormula(report, n, new Lion(), clipValue: null);
            LionMatchesFormula(report, n, new Lion { LearningRate = 3e-3, Beta1 = 0.95, Beta2 = 0.98, WeightDecay = 0.1 }, clipValue: null);
        }

        RmsPropMatchesBuiltIn(report, 67, new UserRmsModel(), exact: true, GradientClipping.ByValue(0.25));
        RmsPropMatchesBuiltIn(report, 67, new UserRmsModel(), exact: true, GradientClipping.ByGlobalNorm(0.5));
        RmsPropMatchesBuiltIn(report, 67, new UserRmsModel(), exact: true, GradientClipping.ByGlobalNorm(0.5) with { MaxValue = 0.01 });
        LionMatchesFormula(report, 67, new Lion { LearningRate = 1e-2 }, clipValue: 0.25);
        return report;
    }

    /// <summary>Deterministic values in [−scale, scale], every 5th one 0 (Lion's sign(0) = 0 and clipping's edges get exercised).</summary>
    private static (float S32, double S64, float[] A32, double[] A64) Draw(ref SplitMix64 random, int n, double scale)
    {
        float Next32(ref SplitMix64 r) => r.Next() % 5 == 0 ? 0f : (float)(scale * r.Uniform());
        double Next64(ref SplitMix64 r) => r.Next() % 5 == 0 ? 0d : scale * r.Uniform();
        var a32 = new float[n];
        var a64 = new double[n];
        for (int i = 0; i < n; i++)
        {
            a32[i] = Next32(ref random);
            a64[i] = Next64(ref random);
        }

        return (Next32(ref random), Next64(ref random), a32, a64);
    }

    private static void RmsPropMatchesBuiltIn(UserRuleReport report, int n, IFourFields user, bool exact, GradientClipping clipping)
    {
        IFourFields builtIn = new BuiltInRmsModel();
        var random = new SplitMix64((ulong)(1000 + n));
        var p = Draw(ref random, n, 1);
        user.SetParameters(p.S32, p.S64, p.A32, p.A64);
        builtIn.SetParameters(p.S32, p.S64, p.A32, p.A64);
        user.GradientClipping = clipping;
        builtIn.GradientClipping = clipping;
        string what = $"{user.GetType().Name} n={n} clipping={clipping}";
        for (int t = 1; t <= Steps; t++)
        {
            var g = Draw(ref random, n, t % 3 == 0 ? 10 : 1);
            user.SetGradients(g.S32, g.S64, g.A32, g.A64);
            builtIn.SetGradients(g.S32, g.S64, g.A32, g.A64);
            user.ApplyGradients();
            builtIn.ApplyGradients();
            Compare(report, $"{what} step {t} parameter", user.Parameters, builtIn.Parameters, exact);
            var us = user.State;
            var bs = builtIn.State;
            Compare(report, $"{what} step {t} square_avg", (us.S32, us.S64, us.A32!, us.A64!), (bs.S32, bs.S64, bs.A32!, bs.A64!), exact);
        }
    }

    private static void Compare(UserRuleReport report, string what, (float S32, double S64, float[] A32, double[] A64) actual, (float S32, double S64, float[] A32, double[] A64) expected, bool exact)
    {
        Value(report, what + " S32", actual.S32, expected.S32, exact, single: true);
        Value(report, what + " S64", actual.S64, expected.S64, exact, single: false);
        for (int i = 0; i < expected.A32.Length; i++)
        {
            Value(report, $"{what} A32[{i}]", actual.A32[i], expected.A32[i], exact, single: true);
            Value(report, $"{what} A64[{i}]", actual.A64[i], expected.A64[i], exact, single: false);
        }
    }

    private static void Value(UserRuleReport report, string what, double actual, double expected, bool exact, bool single)
    {
        report.Checks++;
        if (exact)
        {
            if (BitConverter.DoubleToInt64Bits(actual) != BitConverter.DoubleToInt64Bits(expected))
            {
                report.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: {actual:R} but expected exactly {expected:R}"));
            }

            return;
        }

        double deviation = Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected));
        if (single)
        {
            report.TextbookDeviation32 = Math.Max(report.TextbookDeviation32, deviation);
        }
        else
        {
            report.TextbookDeviation64 = Math.Max(report.TextbookDeviation64, deviation);
        }

        if (!Tolerance.Close(actual, expected, single ? Tolerance.Float32 : Tolerance.Float64))
        {
            report.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: {actual:R} but expected {expected:R} within the conformance tolerance"));
        }
    }

    /// <summary>
    /// Lion as written in the paper (lion-pytorch's order): the test's own loop per element, with every coefficient the
    /// rule hoists (1 − lr·λ, β₁, 1 − β₁, lr, β₂, 1 − β₂) computed in double and rounded to the element type.
    /// </summary>
    private static void LionMatchesFormula(UserRuleReport report, int n, Lion options, double? clipValue)
    {
        var model = new LionModel { Optimizer = options };
        IFourFields view = model;
        if (clipValue is double c)
        {
            view.GradientClipping = GradientClipping.ByValue(c);
        }

        var random = new SplitMix64((ulong)(7000 + n));
        var p = Draw(ref random, n, 1);
        view.SetParameters(p.S32, p.S64, p.A32, p.A64);
        float[] p32 = [p.S32, .. p.A32], m32 = new float[n + 1];
        double[] p64 = [p.S64, .. p.A64], m64 = new double[n + 1];
        string what = string.Create(CultureInfo.InvariantCulture, $"Lion lr={options.LearningRate} λ={options.WeightDecay} clip={clipValue} n={n}");
        for (int t = 1; t <= Steps; t++)
        {
            var g = Draw(ref random, n, 1);
            view.SetGradients(g.S32, g.S64, g.A32, g.A64);
            model.ApplyGradients();
            float[] g32 = [g.S32, .. g.A32];
            double[] g64 = [g.S64, .. g.A64];
            for (int i = 0; i <= n; i++)
            {
                LionStep(ref p32[i], Clip(g32[i], clipValue), ref m32[i], options);
                LionStep(ref p64[i], Clip(g64[i], clipValue), ref m64[i], options);
            }

            var actual = view.Parameters;
            var state = view.State;
            Compare(report, $"{what} step {t} parameter", actual, (p32[0], p64[0], p32[1..], p64[1..]), exact: true);
            Compare(report, $"{what} step {t} exp_avg", (state.S32, state.S64, state.A32!, state.A64!), (m32[0], m64[0], m32[1..], m64[1..]), exact: true);
        }
    }

    private static float Clip(float g, double? c) => c is double v ? Math.Clamp(g, -(float)v, (float)v) : g;

    private static double Clip(double g, double? c) => c is double v ? Math.Clamp(g, -v, v) : g;

    private static void LionStep(ref float p, float g, ref float m, Lion o)
    {
        p *= (float)(1 - (o.LearningRate * o.WeightDecay));
        float c = ((float)o.Beta1 * m) + ((float)(1 - o.Beta1) * g);
        p -= (float)o.LearningRate * MathF.Sign(c);
        m = ((float)o.Beta2 * m) + ((float)(1 - o.Beta2) * g);
    }

    private static void LionStep(ref double p, double g, ref double m, Lion o)
    {
        p *= 1 - (o.LearningRate * o.WeightDecay);
        double c = (o.Beta1 * m) + ((1 - o.Beta1) * g);
        p -= o.LearningRate * Math.Sign(c);
        m = (o.Beta2 * m) + ((1 - o.Beta2) * g);
    }
}
