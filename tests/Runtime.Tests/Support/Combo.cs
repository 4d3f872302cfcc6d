using System;
using System.Collections.Generic;
using System.Text;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>Weight decay as the tests vary it: off, 0.01 coupled (L2), or 0.01 decoupled.</summary>
public enum WeightDecayMode
{
    None,
    Coupled,
    Decoupled,
}

/// <summary>
/// One combination of every RMSprop option that changes what the kernel computes:
/// Maximize × WeightDecay {0, 0.01 coupled, 0.01 decoupled} × Centered × ClampCenteredVariance × Momentum {0, 0.9} ×
/// MomentumStyle × Nesterov × BiasCorrection × EpsilonInsideSqrt × InitialAccumulatorValue {0, 0.1} — 1536 in all,
/// numbered 0 … <see cref="Count"/> − 1 so xunit can serialize them as theory data.
/// </summary>
/// <remarks>
/// The scalar hyperparameters are chosen so every option has a visible effect at the test tolerance: ε = 0.1 makes
/// "inside" and "outside" the root differ by far more than rounding, and lr = 0.1 makes decoupled decay
/// (p·(1 − lr·λ)) change p by 1e-3.
/// </remarks>
public readonly record struct Combo(
    int Index,
    bool Maximize,
    WeightDecayMode WeightDecay,
    bool Centered,
    bool ClampCenteredVariance,
    bool Momentum,
    MomentumStyle MomentumStyle,
    bool Nesterov,
    bool BiasCorrection,
    bool EpsilonInsideSqrt,
    bool InitialAccumulator)
{
    public const int Count = 2 * 3 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2;

    public const double LearningRate = 0.1;
    public const double Decay = 0.9;
    public const double Epsilon = 0.1;
    public const double MomentumFactor = 0.9;
    public const double WeightDecayFactor = 0.01;
    public const double InitialAccumulatorValue = 0.1;

    public static Combo FromIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int rest = index;
        int Digit(int radix)
        {
            int digit = rest % radix;
            rest /= radix;
            return digit;
        }

        return new Combo(
            Index: index,
            Maximize: Digit(2) == 1,
            WeightDecay: (WeightDecayMode)Digit(3),
            Centered: Digit(2) == 1,
            ClampCenteredVariance: Digit(2) == 1,
            Momentum: Digit(2) == 1,
            MomentumStyle: (MomentumStyle)Digit(2),
            Nesterov: Digit(2) == 1,
            BiasCorrection: Digit(2) == 1,
            EpsilonInsideSqrt: Digit(2) == 1,
            InitialAccumulator: Digit(2) == 1);
    }

    /// <summary>
    /// The grid as theory data, one row per (Centered, ClampCenteredVariance, Momentum, MomentumStyle) — 16 rows of 96
    /// combinations each (<see cref="Group"/>). Finer rows cost the test runner ~1 ms each.
    /// </summary>
    public static TheoryData<bool, bool, bool, MomentumStyle> Groups()
    {
        var data = new TheoryData<bool, bool, bool, MomentumStyle>();
        foreach (bool centered in new[] { false, true })
        {
            foreach (bool clamp in new[] { false, true })
            {
                foreach (bool momentum in new[] { false, true })
                {
                    foreach (MomentumStyle style in new[] { MomentumStyle.LearningRateOutsideBuffer, MomentumStyle.LearningRateInsideBuffer })
                    {
                        data.Add(centered, clamp, momentum, style);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>The 96 combinations of one row of <see cref="Groups"/>: every Maximize × WeightDecay × Nesterov × BiasCorrection × EpsilonInsideSqrt × InitialAccumulatorValue.</summary>
    public static IEnumerable<Combo> Group(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        int found = 0;
        for (int i = 0; i < Count; i++)
        {
            Combo c = FromIndex(i);
            if (c.Centered == centered && c.ClampCenteredVariance == clamp && c.Momentum == momentum && c.MomentumStyle == style)
            {
                found++;
                yield return c;
            }
        }

        Assert.Equal(Count / 16, found);
    }

    /// <summary>Every <paramref name="stride"/>-th combination (a stride coprime to 2 and 3 still reaches every option value).</summary>
    public static IEnumerable<Combo> Sample(int stride, int offset = 0)
    {
        for (int i = offset % stride; i < Count; i += stride)
        {
            yield return FromIndex(i);
        }
    }

    public RmsProp ToOptions() => new()
    {
        LearningRate = LearningRate,
        Decay = Decay,
        Epsilon = Epsilon,
        EpsilonInsideSqrt = EpsilonInsideSqrt,
        InitialAccumulatorValue = InitialAccumulator ? InitialAccumulatorValue : 0,
        Centered = Centered,
        ClampCenteredVariance = ClampCenteredVariance,
        Momentum = Momentum ? MomentumFactor : 0,
        MomentumStyle = MomentumStyle,
        Nesterov = Nesterov,
        WeightDecay = WeightDecay == WeightDecayMode.None ? 0 : WeightDecayFactor,
        DecoupledWeightDecay = WeightDecay == WeightDecayMode.Decoupled,
        Maximize = Maximize,
        BiasCorrection = BiasCorrection,
    };

    public override string ToString()
    {
        var text = new StringBuilder($"combo #{Index}:");
        text.Append(Maximize ? " maximize" : " minimize");
        text.Append(WeightDecay switch
        {
            WeightDecayMode.Coupled => " wd=0.01 coupled",
            WeightDecayMode.Decoupled => " wd=0.01 decoupled",
            _ => " wd=0",
        });
        if (Centered)
        {
            text.Append(ClampCenteredVariance ? " centered+clamp" : " centered");
        }
        else if (ClampCenteredVariance)
        {
            text.Append(" clamp(uncentered)");
        }

        text.Append(Momentum ? " momentum=0.9" : " momentum=0");
        text.Append(MomentumStyle == MomentumStyle.LearningRateInsideBuffer ? " lr-inside" : " lr-outside");
        text.Append(Nesterov ? " nesterov" : string.Empty);
        text.Append(BiasCorrection ? " bias-correction" : string.Empty);
        text.Append(EpsilonInsideSqrt ? " eps-inside" : " eps-outside");
        text.Append(InitialAccumulator ? " v0=0.1" : " v0=0");
        return text.ToString();
    }
}
