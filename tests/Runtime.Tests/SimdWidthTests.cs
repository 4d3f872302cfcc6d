using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.Intrinsics;
using OptimizerGen.Kernels;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// Each width of the kernel's loop called directly (<c>RmsPropKernel.Run</c> at Simd512, Simd256, Simd128 or
/// scalar, then the scalar width over the remainder), against the reference, at every length
/// 0 … 4·Vector512&lt;T&gt;.Count + 1, for a sample of option combinations that reaches every loop variant and
/// every option value; the plain step's loop likewise up to 8·Vector512&lt;float&gt;.Count + 1, and bit for bit against the
/// general loop. A width this machine does not accelerate is reported and skipped.
/// </summary>
public class SimdWidthTests(ITestOutputHelper output)
{
    /// <summary>Every 11th combination: 11 is coprime to the grid's radices (2 and 3), so every option value and variant occurs.</summary>
    private const int SampleStride = 11;

    public static TheoryData<Width> Widths => new() { Width.Simd512, Width.Simd256, Width.Simd128, Width.Scalar };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Float_EachWidth_MatchesReference_AtEveryLength(Width width) => EachWidth<float>(width);

    [Theory]
    [MemberData(nameof(Widths))]
    public void Double_EachWidth_MatchesReference_AtEveryLength(Width width) => EachWidth<double>(width);

    /// <summary>
    /// The plain step's loop (<c>RmsPropPlainKernel</c>: both ε terms, no selection) at each width and length, for
    /// every plain combination (ε inside or outside the root, v₀ = 0 or not): against the reference like the selected loops.
    /// Up to 8·Vector512&lt;float&gt;.Count + 1 elements, so that at every width the four-vector loop runs, then the one-vector
    /// loop, then the tail.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void PlainLoop_EachWidth_MatchesReference_ForEveryPlainCombination(Width width)
    {
        List<Combo> plain = PlainCombos();
        Assert.Equal(4, plain.Count);   // ε inside or outside × v₀ = 0 or not
        int maxLength = (8 * Vector512<float>.Count) + 1;
        foreach (Combo combo in plain)
        {
            for (int n = 0; n <= maxLength; n++)
            {
                if (!KernelHarness.CheckWidth<float>(width, combo, n, plainTerms: true) |
                    !KernelHarness.CheckWidth<double>(width, combo, n, plainTerms: true))
                {
                    output.WriteLine($"{width} is not hardware accelerated here: skipped.");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The plain step's loop (four vectors an iteration, then one, then the scalar tail) against the general loop
    /// (<c>RmsPropKernel.Run</c>, one vector an iteration) at the same width, from the same data: the same bits in p, v and g
    /// after every step, at every length up to 8·Vector512&lt;float&gt;.Count + 1, for every plain combination. The
    /// reference test above allows a rounding tolerance; the plain step promises the general update's exact bits.
    /// </summary>
    /// <summary>One combination of each plain kind: ε inside or outside the root × v₀ = 0 or not.</summary>
    private static List<Combo> PlainCombos()
    {
        var plain = new List<Combo>();
        for (int i = 0; i < Combo.Count; i++)
        {
            Combo combo = Combo.FromIndex(i);
            bool alreadyIn = plain.Exists(p => (p.EpsilonInsideSqrt, p.InitialAccumulator) == (combo.EpsilonInsideSqrt, combo.InitialAccumulator));
            if (RmsPropCoefficients<double>.Create(combo.ToOptions(), 1).IsPlain && !combo.BiasCorrection && !alreadyIn)
            {
                plain.Add(combo);   // the momentum style, Nesterov and the variance clamp do nothing here: one of each
            }
        }

        return plain;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void PlainLoop_EachWidth_GivesTheGeneralLoopsBits(Width width)
    {
        if (!SimdRunner.IsHardwareAccelerated<float>(width))
        {
            output.WriteLine($"{width} is not hardware accelerated here: skipped.");
            return;
        }

        foreach (Combo combo in PlainCombos())
        {
            for (int n = 0; n <= (8 * Vector512<float>.Count) + 1; n++)
            {
                SameBits<float>(width, combo, n);
                SameBits<double>(width, combo, n);
            }
        }
    }

    private static void SameBits<T>(Width width, Combo combo, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plain = new KernelCase<T>(combo, n);
        var general = new KernelCase<T>(combo, n);
        for (int t = 1; t <= KernelHarness.Steps; t++)
        {
            plain.NextGradient(t);
            general.NextGradient(t);
            var c = KernelHarness.Coefficients<T>(plain.Options, t, clip: null);
            var sp = new RmsPropKernel.Streams<T>(plain.Span(plain.P), plain.Span(plain.G), plain.Span(plain.V), plain.Span(plain.M), plain.Span(plain.B), (nuint)n);
            var sg = new RmsPropKernel.Streams<T>(general.Span(general.P), general.Span(general.G), general.Span(general.V), general.Span(general.M), general.Span(general.B), (nuint)n);
            SimdRunner.RunPlain(Width.Scalar, sp, c, SimdRunner.RunPlain(width, sp, c, 0));
            SimdRunner.Run(Width.Scalar, sg, c, SimdRunner.Run(width, sg, c, 0));
            foreach ((T[] a, T[] b, string name) in new[] { (plain.P, general.P, "p"), (plain.V, general.V, "v"), (plain.G, general.G, "g") })
            {
                for (int i = 0; i < a.Length; i++)
                {
                    if (!a[i].Equals(b[i]))
                    {
                        Assert.Fail($"{name}[{i - KernelCase<T>.Lead}] differs at step {t}: plain {a[i]}, general {b[i]} ({width}, {typeof(T).Name}, n = {n}, {combo})");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Sample_ReachesEveryLoopVariantAndOptionValue(Width width)
    {
        var seen = new HashSet<string>();
        foreach (Combo c in Combo.Sample(SampleStride, offset: (int)width))
        {
            seen.Add($"variant {c.Centered}/{c.Centered && c.ClampCenteredVariance}/{c.Momentum}");
            seen.Add($"maximize {c.Maximize}");
            seen.Add($"wd {c.WeightDecay}");
            seen.Add($"style {c.MomentumStyle} with momentum {c.Momentum}");
            seen.Add($"nesterov {c.Nesterov} with momentum {c.Momentum}");
            seen.Add($"bias {c.BiasCorrection}");
            seen.Add($"eps {c.EpsilonInsideSqrt}");
            seen.Add($"v0 {c.InitialAccumulator}");
        }

        Assert.Equal(6 + 2 + 3 + 4 + 4 + 2 + 2 + 2, seen.Count);
    }

    [Theory]
    [InlineData(Width.Simd512, 0)]
    [InlineData(Width.Simd512, 5)]
    [InlineData(Width.Simd256, 3)]
    [InlineData(Width.Simd128, 1)]
    [InlineData(Width.Scalar, 7)]
    public void Run_FromStart_TouchesOnlyWholeVectorsFromStart(Width width, int start)
    {
        if (!SimdRunner.IsHardwareAccelerated<float>(width))
        {
            output.WriteLine($"{width} is not hardware accelerated here: skipped.");
            return;
        }

        int count = SimdRunner.Count<float>(width);
        int n = KernelHarness.MaxLength<float>();
        var options = new RmsProp { Centered = true, Momentum = 0.9 };
        var c = RmsPropCoefficients<float>.Create(options, 1);
        float[] p = Filled(n, 1f), g = Filled(n, 0.5f), v = Filled(n, 0f), m = Filled(n, 0f), b = Filled(n, 0f);
        var s = new RmsPropKernel.Streams<float>(p, g, v, m, b, (nuint)n);

        nuint done = SimdRunner.Run(width, s, c, (nuint)start);

        int expectedDone = start + ((n - start) / count * count);
        Assert.Equal((nuint)expectedDone, done);
        for (int i = 0; i < n; i++)
        {
            bool updated = i >= start && i < expectedDone;
            Assert.True(updated == (g[i] == 0f), $"gradient[{i}] = {g[i]}: updated should be {updated} (start {start}, done {expectedDone})");
            Assert.True(updated == (p[i] != 1f), $"parameter[{i}] = {p[i]}: updated should be {updated}");
            Assert.True(updated == (v[i] != 0f), $"squareAvg[{i}] = {v[i]}: updated should be {updated}");
            Assert.True(updated == (m[i] != 0f), $"gradAvg[{i}] = {m[i]}: updated should be {updated}");
            Assert.True(updated == (b[i] != 0f), $"momentumBuffer[{i}] = {b[i]}: updated should be {updated}");
        }
    }

    [Fact]
    public void Run_AtTheEnd_ReturnsLengthAndTouchesNothing()
    {
        int n = KernelHarness.MaxLength<double>();
        var c = RmsPropCoefficients<double>.Create(new RmsProp(), 1);
        double[] p = Filled(n, 1.0), g = Filled(n, 0.5), v = Filled(n, 0.0), m = Filled(n, 0.0), b = Filled(n, 0.0);
        var s = new RmsPropKernel.Streams<double>(p, g, v, m, b, (nuint)n);
        foreach (Width width in new[] { Width.Simd512, Width.Simd256, Width.Simd128, Width.Scalar })
        {
            if (SimdRunner.IsHardwareAccelerated<double>(width))
            {
                Assert.Equal((nuint)n, SimdRunner.Run(width, s, c, (nuint)n));
            }
        }

        Assert.All(g, x => Assert.Equal(0.5, x));
        Assert.All(p, x => Assert.Equal(1.0, x));
    }

    [Fact]
    public void WidthCounts_AreTheVectorCounts()
    {
        Assert.Equal(Vector512<float>.Count, SimdRunner.Count<float>(Width.Simd512));
        Assert.Equal(Vector256<double>.Count, SimdRunner.Count<double>(Width.Simd256));
        Assert.Equal(Vector128<float>.Count, SimdRunner.Count<float>(Width.Simd128));
        Assert.Equal(1, SimdRunner.Count<double>(Width.Scalar));
        Assert.True(SimdRunner.IsHardwareAccelerated<float>(Width.Scalar));
        Assert.Equal(Vector512.IsHardwareAccelerated, SimdRunner.IsHardwareAccelerated<float>(Width.Simd512));
        Assert.Equal(Vector256.IsHardwareAccelerated, SimdRunner.IsHardwareAccelerated<double>(Width.Simd256));
        Assert.Equal(Vector128.IsHardwareAccelerated, SimdRunner.IsHardwareAccelerated<double>(Width.Simd128));
    }

    private void EachWidth<T>(Width width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cases = 0;
        foreach (Combo combo in Combo.Sample(SampleStride, offset: (int)width))
        {
            for (int n = 0; n <= KernelHarness.MaxLength<T>(); n++)
            {
                if (!KernelHarness.CheckWidth<T>(width, combo, n))
                {
                    output.WriteLine($"{width} is not hardware accelerated for {typeof(T).Name} here: skipped.");
                    return;
                }

                cases++;
            }
        }

        output.WriteLine($"{width}/{typeof(T).Name}: {cases} cases of {KernelHarness.Steps} steps checked.");
        Assert.True(cases > 0);
    }

    private static T[] Filled<T>(int n, T value)
    {
        var array = new T[n];
        Array.Fill(array, value);
        return array;
    }
}
