using System;
using System.Runtime.Intrinsics;
using OptimizerGen.Kernels;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// The fused kernel against <see cref="RmsPropReference"/>: every option combination (<see cref="Combo"/>), three
/// steps each, for float and double. Through <see cref="RmsPropKernel.Update"/> at every length
/// 0 … 4·Vector512&lt;T&gt;.Count + 1; through <see cref="RmsPropState{T}.Update"/> at the lengths around each
/// vector boundary.
/// </summary>
public class KernelReferenceTests
{
    public static TheoryData<bool, bool, bool, MomentumStyle> Groups => Combo.Groups();

    [Theory]
    [MemberData(nameof(Groups))]
    public void KernelUpdate_Float_MatchesReference_AtEveryLength(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        foreach (Combo combo in Combo.Group(centered, clamp, momentum, style))
        {
            for (int n = 0; n <= KernelHarness.MaxLength<float>(); n++)
            {
                KernelHarness.CheckDispatcher<float>(combo, n);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void KernelUpdate_Double_MatchesReference_AtEveryLength(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        foreach (Combo combo in Combo.Group(centered, clamp, momentum, style))
        {
            for (int n = 0; n <= KernelHarness.MaxLength<double>(); n++)
            {
                KernelHarness.CheckDispatcher<double>(combo, n);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void StateUpdate_Float_MatchesReference(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        foreach (Combo combo in Combo.Group(centered, clamp, momentum, style))
        {
            foreach (int n in BoundaryLengths<float>())
            {
                KernelHarness.CheckState<float>(combo, n);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void StateUpdate_Double_MatchesReference(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        foreach (Combo combo in Combo.Group(centered, clamp, momentum, style))
        {
            foreach (int n in BoundaryLengths<double>())
            {
                KernelHarness.CheckState<double>(combo, n);
            }
        }
    }

    [Fact]
    public void ComboGrid_IsEveryOptionCombination_AndMapsToTheOptions()
    {
        var seen = new System.Collections.Generic.HashSet<RmsProp>();
        for (int i = 0; i < Combo.Count; i++)
        {
            Combo c = Combo.FromIndex(i);
            RmsProp o = c.ToOptions();
            Assert.Equal(i, c.Index);
            Assert.True(seen.Add(o), $"{c} repeats an earlier combination");
            Assert.Equal(c.Maximize, o.Maximize);
            Assert.Equal(c.WeightDecay == WeightDecayMode.None ? 0 : 0.01, o.WeightDecay);
            Assert.Equal(c.WeightDecay == WeightDecayMode.Decoupled, o.DecoupledWeightDecay);
            Assert.Equal(c.Centered, o.Centered);
            Assert.Equal(c.ClampCenteredVariance, o.ClampCenteredVariance);
            Assert.Equal(c.Momentum ? 0.9 : 0, o.Momentum);
            Assert.Equal(c.MomentumStyle, o.MomentumStyle);
            Assert.Equal(c.Nesterov, o.Nesterov);
            Assert.Equal(c.BiasCorrection, o.BiasCorrection);
            Assert.Equal(c.EpsilonInsideSqrt, o.EpsilonInsideSqrt);
            Assert.Equal(c.InitialAccumulator ? 0.1 : 0, o.InitialAccumulatorValue);
        }

        // 2 × 3 × 2⁸ distinct option sets.
        Assert.Equal(1536, seen.Count);
        int grouped = 0;
        foreach (object[] row in Combo.Groups())
        {
            grouped += System.Linq.Enumerable.Count(Combo.Group((bool)row[0], (bool)row[1], (bool)row[2], (MomentumStyle)row[3]));
        }

        Assert.Equal(1536, grouped);
    }

    /// <summary>The presets, with and without momentum and weight decay, at every length.</summary>
    [Theory]
    [InlineData("PyTorch", 0.0, false, 0.0)]
    [InlineData("PyTorch", 0.9, true, 0.01)]
    [InlineData("Keras", 0.9, false, 0.004)]
    [InlineData("TensorFlow1", 0.9, false, 0.0)]
    [InlineData("Optax", 0.9, true, 0.0)]
    [InlineData("Optax", 0.0, false, 0.0)]
    public void Presets_MatchReference_AtEveryLength(string preset, double momentum, bool centered, double weightDecay)
    {
        RmsProp options = preset switch
        {
            "PyTorch" => RmsProp.PyTorch,
            "Keras" => RmsProp.Keras,
            "TensorFlow1" => RmsProp.TensorFlow1,
            "Optax" => RmsProp.Optax with { BiasCorrection = true },
            _ => throw new ArgumentOutOfRangeException(nameof(preset)),
        };
        options = options with { Momentum = momentum, Centered = centered, WeightDecay = weightDecay };
        PresetCase<float>(options);
        PresetCase<double>(options);
    }

    private static void PresetCase<T>(RmsProp options)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int n = 0; n <= KernelHarness.MaxLength<T>(); n++)
        {
            var k = new KernelCase<T>(options, n, seed: 7);
            for (int t = 1; t <= 4; t++)
            {
                var info = new CaseInfo($"preset {options} as {typeof(T).Name}", null, n, t);
                k.NextGradient(t);
                RmsPropKernel.Update(k.Span(k.P), k.Span(k.G), k.Span(k.V), k.Span(k.M), k.Span(k.B), RmsPropCoefficients<T>.Create(options, t));
                k.ReferenceStep(t);
                k.AssertBuffersMatchReference(info);
                if (k.Diverged)
                {
                    break;
                }
            }
        }
    }

    /// <summary>0, 1, 2; one below, at and above one Vector128 and one Vector256, and every whole number of Vector512s up to the maximum.</summary>
    private static int[] BoundaryLengths<T>()
        where T : unmanaged
    {
        var lengths = new System.Collections.Generic.SortedSet<int> { 0, 1, 2 };
        foreach (int k in new[] { Vector128<T>.Count, Vector256<T>.Count, Vector512<T>.Count, 2 * Vector512<T>.Count, 3 * Vector512<T>.Count, 4 * Vector512<T>.Count })
        {
            lengths.Add(k - 1);
            lengths.Add(k);
            lengths.Add(k + 1);
        }

        return [.. lengths];
    }
}
