using System;
using System.Collections.Generic;
using OptimizerGen.Schedules;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// <see cref="ReduceLROnPlateau"/>: hand-traced scenarios, then every combination of options against an independent
/// transcription of PyTorch's step logic (<see cref="PyTorchReduceLROnPlateau"/>) on scripted metric sequences, with
/// checks that the scripts reach every branch (patience, cooldown, both threshold modes, min_lr, eps).
/// </summary>
public class ReduceLROnPlateauTests
{
    [Fact]
    public void Defaults_ArePyTorchs()
    {
        var plateau = new ReduceLROnPlateau(0.01);
        Assert.Equal(PlateauMode.Min, plateau.Mode);
        Assert.Equal(0.1, plateau.Factor);
        Assert.Equal(10, plateau.Patience);
        Assert.Equal(1e-4, plateau.Threshold);
        Assert.Equal(ThresholdMode.Relative, plateau.ThresholdMode);
        Assert.Equal(0, plateau.Cooldown);
        Assert.Equal(0.0, plateau.MinLearningRate);
        Assert.Equal(1e-8, plateau.Epsilon);
        Assert.Equal(0.01, plateau.LearningRate);
        Assert.Equal(double.PositiveInfinity, plateau.Best);
        Assert.Equal(double.NegativeInfinity, new ReduceLROnPlateau(0.01, PlateauMode.Max).Best);
        Assert.Equal(0L, plateau.LastEpoch);
        Assert.False(plateau.InCooldown);
    }

    [Fact]
    public void PatienceZero_AsPyTorchsDocstringDescribes()
    {
        // PyTorch's docstring: "In the first epoch, a baseline is established … In the second epoch, if the performance
        // is worse than the baseline … the learning rate is reduced at the end of this epoch. … If the performance
        // improves or remains the same, the learning rate is not adjusted." Its code differs on "remains the same": a
        // metric equal to the best is not better (nor is one within the threshold), so with patience 0 it reduces too.
        var plateau = new ReduceLROnPlateau(1.0, patience: 0);
        Assert.Equal([1.0, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1], Run(plateau, 5, 6, 4, 4, 3));
    }

    [Fact]
    public void Patience_Cooldown_AbsoluteThreshold_HandTraced()
    {
        var plateau = new ReduceLROnPlateau(1.0, factor: 0.5, patience: 2, threshold: 0.1, thresholdMode: ThresholdMode.Absolute, cooldown: 1);
        double[] lrs = Run(plateau, 10, 9, 8.95, 8.95, 9.5, 8, 8, 8, 8, 8, 8, 8, 8);
        // 10 best · 9 best (< 9.9) · 8.95 bad 1 (not < 8.9) · bad 2 · 9.5 bad 3 → 0.5, cooldown 1
        // 8 best, cooldown ends · bad 1 · bad 2 · bad 3 → 0.25, cooldown 1 · bad 1 ignored in cooldown · bad 1 · bad 2 · bad 3 → 0.125
        Assert.Equal([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125], lrs);
        Assert.Equal(8.0, plateau.Best);
        Assert.Equal(13L, plateau.LastEpoch);
        Assert.Equal(1, plateau.CooldownCounter);
        Assert.True(plateau.InCooldown);
    }

    [Fact]
    public void MaxMode_RelativeThreshold_HandTraced()
    {
        var plateau = new ReduceLROnPlateau(1.0, PlateauMode.Max, factor: 0.5, patience: 1, threshold: 0.1);
        // 1 best · 1.05 bad 1 (not > 1.1) · 1.2 best · 1.3 bad 1 (not > 1.32) · 1.31 bad 2 → 0.5 · 1.32 bad 1 (not > 1.2·1.1, which is 1.32 in double too)
        Assert.Equal([1, 1, 1, 1, 0.5, 0.5], Run(plateau, 1, 1.05, 1.2, 1.3, 1.31, 1.32));
        Assert.Equal(1.2, plateau.Best);
        Assert.Equal(1, plateau.BadEpochs);
    }

    [Fact]
    public void MinLearningRate_ClampsTheReduction_ThenEpsStopsIt()
    {
        var plateau = new ReduceLROnPlateau(0.1, factor: 0.5, patience: 0, minLearningRate: 0.03);
        Assert.Equal([0.1, 0.05, 0.03, 0.03, 0.03], Run(plateau, 1, 1, 1, 1, 1));
    }

    [Fact]
    public void Eps_SkipsATooSmallReduction_ButTheCooldownStillStarts()
    {
        var plateau = new ReduceLROnPlateau(1e-8, factor: 0.1, patience: 0, cooldown: 2);
        Assert.Equal([1e-8, 1e-8], Run(plateau, 1, 1));   // 1e-8 − 1e-9 = 9e-9 is not > eps = 1e-8
        Assert.Equal(2, plateau.CooldownCounter);
        Assert.Equal(0, plateau.BadEpochs);
    }

    [Fact]
    public void NaN_IsABadEpoch_AndNeverTheBest()
    {
        var plateau = new ReduceLROnPlateau(1.0, patience: 1);
        Assert.Equal([1.0, 0.1, 0.1], Run(plateau, double.NaN, double.NaN, 5));
        Assert.Equal(5.0, plateau.Best);
        var reference = new PyTorchReduceLROnPlateau(1.0, patience: 1);
        foreach (double metric in new[] { double.NaN, double.NaN, 5 })
        {
            reference.Step(metric);
        }

        Assert.Equal(reference.LastLr, plateau.LearningRate);
    }

    [Fact]
    public void Apply_SetsTheLearningRate_AndKeepsEveryOtherOption()
    {
        var model = new FakeModel { Optimizer = RmsProp.TensorFlow1 with { Momentum = 0.9 } };
        var plateau = new ReduceLROnPlateau(model.Optimizer.LearningRate, patience: 0);
        plateau.Step(1);
        plateau.Step(2);
        model.Optimizer = plateau.Apply(model.Optimizer);
        Assert.Equal(RmsProp.TensorFlow1 with { Momentum = 0.9, LearningRate = 0.001 * 0.1 }, model.Optimizer);
    }

    [Fact]
    public void Step_ReturnsTheLearningRate()
    {
        var plateau = new ReduceLROnPlateau(0.5, patience: 0, factor: 0.5);
        Assert.Equal(0.5, plateau.Step(3));
        Assert.Equal(0.25, plateau.Step(3));
        Assert.Equal(0.25, plateau.LearningRate);
    }

    // ---- every combination against the transcription of PyTorch ----

    private static readonly double[] Factors = [0.1, 0.5, 0.0];
    private static readonly int[] Patiences = [0, 1, 3];
    private static readonly double[] Thresholds = [0.0, 1e-4, 0.05, 0.3];
    private static readonly int[] Cooldowns = [0, 1, 4];
    private static readonly double[] MinLrs = [0.0, 0.004];
    private static readonly double[] Epss = [0.0, 1e-8, 0.003];

    public static TheoryData<PlateauMode, ThresholdMode, string> Cases()
    {
        var data = new TheoryData<PlateauMode, ThresholdMode, string>();
        foreach (PlateauMode mode in new[] { PlateauMode.Min, PlateauMode.Max })
        {
            foreach (ThresholdMode thresholdMode in new[] { ThresholdMode.Relative, ThresholdMode.Absolute })
            {
                foreach (string script in Scripts.Keys)
                {
                    data.Add(mode, thresholdMode, script);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryOptionCombination_MatchesPyTorchsStepLogic(PlateauMode mode, ThresholdMode thresholdMode, string script)
    {
        double[] metrics = Scripts[script](mode);
        int improvements = 0, ignoredInCooldown = 0, reductions = 0, clamped = 0, skippedByEps = 0;
        foreach (double factor in Factors)
        {
            foreach (int patience in Patiences)
            {
                foreach (double threshold in Thresholds)
                {
                    foreach (int cooldown in Cooldowns)
                    {
                        foreach (double minLr in MinLrs)
                        {
                            foreach (double eps in Epss)
                            {
                                var plateau = new ReduceLROnPlateau(0.1, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
                                var reference = new PyTorchReduceLROnPlateau(0.1, mode == PlateauMode.Min ? "min" : "max", factor, patience, threshold,
                                    thresholdMode == ThresholdMode.Relative ? "rel" : "abs", cooldown, minLr, eps);
                                for (int i = 0; i < metrics.Length; i++)
                                {
                                    double returned = plateau.Step(metrics[i]);
                                    reference.Step(metrics[i]);
                                    if (returned != reference.LastLr || plateau.LearningRate != reference.LastLr
                                        || !SameDouble(plateau.Best, reference.Best) || plateau.BadEpochs != reference.NumBadEpochs
                                        || plateau.CooldownCounter != reference.CooldownCounter || plateau.LastEpoch != reference.LastEpoch
                                        || plateau.InCooldown != reference.CooldownCounter > 0)
                                    {
                                        Assert.Fail(
                                            $"step {i + 1} (metric {metrics[i]:R}), factor {factor}, patience {patience}, threshold {threshold}, cooldown {cooldown}, " +
                                            $"min_lr {minLr}, eps {eps}: lr {plateau.LearningRate:R} vs {reference.LastLr:R}, best {plateau.Best:R} vs {reference.Best:R}, " +
                                            $"bad {plateau.BadEpochs} vs {reference.NumBadEpochs}, cooldown {plateau.CooldownCounter} vs {reference.CooldownCounter}, " +
                                            $"epoch {plateau.LastEpoch} vs {reference.LastEpoch}");
                                    }
                                }

                                improvements += reference.Improvements;
                                ignoredInCooldown += reference.BadEpochsIgnoredInCooldown;
                                reductions += reference.Reductions;
                                clamped += reference.ReductionsClampedToMinLr;
                                skippedByEps += reference.ReductionsSkippedByEps;
                            }
                        }
                    }
                }
            }
        }

        // The script reaches every branch of PyTorch's step logic under these options.
        Assert.True(improvements > 0, "no improvement");
        Assert.True(reductions > 0, "no reduction");
        Assert.True(ignoredInCooldown > 0, "no bad epoch ignored in cooldown");
        Assert.True(clamped > 0, "no reduction clamped to min_lr");
        Assert.True(skippedByEps > 0, "no reduction skipped by eps");
    }

    [Fact]
    public void ThresholdModes_DecideDifferently_OnTheScripts()
    {
        // The relative and absolute threshold modes are not the same test: on the scripts, some metric is an improvement
        // in one mode and not in the other.
        bool differ = false;
        foreach (PlateauMode mode in new[] { PlateauMode.Min, PlateauMode.Max })
        {
            foreach (var script in Scripts.Values)
            {
                var relative = new ReduceLROnPlateau(0.1, mode, patience: 0, threshold: 0.05, thresholdMode: ThresholdMode.Relative);
                var absolute = new ReduceLROnPlateau(0.1, mode, patience: 0, threshold: 0.05, thresholdMode: ThresholdMode.Absolute);
                foreach (double metric in script(mode))
                {
                    relative.Step(metric);
                    absolute.Step(metric);
                    differ |= relative.Best != absolute.Best;
                }
            }
        }

        Assert.True(differ);
    }

    /// <summary>
    /// Metric sequences for <see cref="PlateauMode.Min"/>; for Max each value v becomes c − v (c = 20, so the values stay
    /// positive, or 0 for the script about signs), which turns improvements into improvements.
    /// </summary>
    private static readonly Dictionary<string, Func<PlateauMode, double[]>> Scripts = new()
    {
        ["improve, plateau, noise"] = mode => Signed(mode, offset: 20,
        [
            5, 4, 3.5, 3.2, 3.19, 3.18, 3.18, 3.18, 3.3, 3.1, 3.0999, 3.05, 3.05, 2.9, 2.95, 3.0, 3.1, 3.2, 2.5, 2.49, 2.489,
            2.4889, 2.4888, 2.6, 2.7, 2.8, 2.9, 3, 3.1, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2,
        ]),
        ["long plateau"] = mode => Signed(mode, offset: 20, Repeat(1.0, 60)),
        ["pseudo-random walk"] = mode => Signed(mode, offset: 20, Walk(seed: 12345, count: 120)),
        ["slow drift below thresholds"] = mode => Signed(mode, offset: 20, Drift(start: 10, step: -0.004, count: 80)),
        ["negative values, zero, infinities, NaN"] = mode => Signed(mode, offset: 0,
        [
            -1, -1.02, -1.5, -1.49, -2, -2, 0, -2.2, double.NaN, -2.3, -2.3, double.PositiveInfinity, -2.31, -2.4, double.NegativeInfinity,
            -5, -6, double.NaN, double.NaN, double.NaN, -7, -7, -7, -7, -7, -7,
        ]),
    };

    private static double[] Signed(PlateauMode mode, double offset, double[] values)
    {
        if (mode == PlateauMode.Max)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = offset - values[i];
            }
        }

        return values;
    }

    private static double[] Repeat(double value, int count)
    {
        var values = new double[count];
        Array.Fill(values, value);
        return values;
    }

    private static double[] Walk(ulong seed, int count)
    {
        var values = new double[count];
        double x = 3;
        ulong state = seed;
        for (int i = 0; i < count; i++)
        {
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            double u = (state >> 11) * (1.0 / (1UL << 53));
            x += (u - 0.55) * 0.2;   // drifts down slowly, with steps larger and smaller than the thresholds
            values[i] = x;
        }

        return values;
    }

    private static double[] Drift(double start, double step, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = start + step * i;
        }

        return values;
    }

    private static double[] Run(ReduceLROnPlateau plateau, params double[] metrics)
    {
        var lrs = new double[metrics.Length];
        for (int i = 0; i < metrics.Length; i++)
        {
            lrs[i] = plateau.Step(metrics[i]);
        }

        return lrs;
    }

    private static bool SameDouble(double a, double b) => a.Equals(b);   // NaN equals NaN; exact otherwise
}
