using System;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// Gradient clipping folded into the fused RMSprop update: the kernel multiplies each gradient by a norm-clipping factor
/// and clamps it to ±MaxValue in its one pass. Against <see cref="RmsPropReference"/> fed the gradient clipped beforehand
/// (what PyTorch's <c>clip_grad_norm_</c> / <c>clip_grad_value_</c> leave in <c>.grad</c>), for every option
/// combination, at every width and length.
/// </summary>
public class ClippingKernelTests
{
    /// <summary>
    /// A factor alone, a clamp alone, both, and a factor of 1. Step 2's gradients reach ±4 and the others stay under
    /// ±1.7, so the clamps cut some elements at some steps only: a gradient clamped at every step would be constant, and
    /// the centered variance v̂ − m̂² of a constant is pure rounding noise (no relative tolerance could hold).
    /// </summary>
    public static TheoryData<double, double?> Clips => new()
    {
        { 0.37, null },
        { 1.0, 3.0 },
        { 0.6, 2.0 },
        { 1.0, null },
    };

    public static TheoryData<Width, double, double?> WidthsAndClips()
    {
        var data = new TheoryData<Width, double, double?>();
        foreach (Width width in Enum.GetValues<Width>())
        {
            data.Add(width, 0.37, null);
            data.Add(width, 0.6, 2.0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Clips))]
    public void Dispatcher_EveryCombination_MatchesReferenceOfClippedGradient(double factor, double? maxValue)
    {
        var clip = new KernelHarness.Clip(factor, maxValue);
        for (int i = 0; i < Combo.Count; i++)
        {
            Combo combo = Combo.FromIndex(i);
            KernelHarness.CheckDispatcher<float>(combo, KernelHarness.MaxLength<float>(), clip);
            KernelHarness.CheckDispatcher<double>(combo, KernelHarness.MaxLength<double>(), clip);
            KernelHarness.CheckState<float>(combo, 2 * 16 - 1, clip);
        }
    }

    [Theory]
    [MemberData(nameof(WidthsAndClips))]
    public void EachWidth_SampledCombinations_AtEveryLength(Width width, double factor, double? maxValue)
    {
        var clip = new KernelHarness.Clip(factor, maxValue);
        foreach (Combo combo in Combo.Sample(11, offset: (int)width))
        {
            for (int n = 0; n <= KernelHarness.MaxLength<float>(); n++)
            {
                if (!KernelHarness.CheckWidth<float>(width, combo, n, clip))
                {
                    return; // not accelerated on this machine
                }
            }

            for (int n = 0; n <= KernelHarness.MaxLength<double>(); n++)
            {
                KernelHarness.CheckWidth<double>(width, combo, n, clip);
            }
        }
    }

    [Fact]
    public void Clamp_PropagatesNaN_AndClampsInfinities_AtEveryWidth()
    {
        // clamp(NaN) = NaN (as torch.clamp), clamp(±∞) = ±c; the NaN then reaches the parameter, as in PyTorch.
        foreach (Width width in Enum.GetValues<Width>())
        {
            if (!SimdRunner.IsHardwareAccelerated<float>(width))
            {
                continue;
            }

            int n = 3 * 16;
            float[] p = new float[n], g = new float[n], v = new float[n];
            g.AsSpan().Fill(0.5f);
            g[1] = float.NaN;
            g[2] = float.PositiveInfinity;
            g[3] = float.NegativeInfinity;
            g[n - 1] = float.NaN;
            var options = new RmsProp { Decay = 0.5, Epsilon = 0 };
            var c = RmsPropCoefficients<float>.Create(options, 1, GradientClipping.ByValue(2));
            var s = new OptimizerGen.Kernels.RmsPropKernel.Streams<float>(p, g, v, default, default, (nuint)n);
            nuint done = SimdRunner.Run(width, s, c, 0);
            SimdRunner.Run(Width.Scalar, s, c, done);

            Assert.True(float.IsNaN(v[1]) && float.IsNaN(p[1]), $"{width}: NaN gradient must stay NaN");
            Assert.True(float.IsNaN(v[n - 1]) && float.IsNaN(p[n - 1]), $"{width}: NaN gradient in the tail must stay NaN");
            Assert.Equal(0.5f * 2f * 2f, v[2]);   // +∞ clamped to 2: v = (1−ρ)·4
            Assert.Equal(0.5f * 2f * 2f, v[3]);   // −∞ clamped to −2
            Assert.Equal(-0.01f * 2f / MathF.Sqrt(2f), p[2], 6);
            Assert.Equal(0.01f * 2f / MathF.Sqrt(2f), p[3], 6);
            Assert.Equal(0.5f * 0.5f * 0.5f, v[0]);   // |0.5| ≤ 2: untouched
        }
    }
}
