using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using OptimizerGen.Kernels;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary><see cref="RmsPropKernel.Update"/> at its edges: span lengths, unused buffers, negative variance, non-finite parameters.</summary>
public class KernelEdgeCaseTests
{
    private static readonly RmsProp Plain = new() { Decay = 0.5 };

    [Fact]
    public void Kernel_UnusedBuffers_MayBeEmpty_AndAreNotLengthChecked()
    {
        double[] p = [1, 2, 3], g = [1, 1, 1], v = [0, 0, 0];
        RmsPropKernel.Update<double>(p, g, v, Span<double>.Empty, new double[7], RmsPropCoefficients<double>.Create(Plain, 1));
        Assert.Equal([0, 0, 0], g);
        Assert.Equal([0.5, 0.5, 0.5], v);
        Assert.All(p, x => Assert.True(x < 3));
    }

    [Theory]
    [InlineData("gradient")]
    [InlineData("squareAvg")]
    [InlineData("gradAvg")]
    [InlineData("momentumBuffer")]
    public void Kernel_LengthMismatch_ThrowsNamingTheSpan_AndChangesNothing(string wrong)
    {
        var c = RmsPropCoefficients<float>.Create(Plain with { Centered = true, Momentum = 0.9 }, 1);
        float[] p = [1, 2, 3, 4, 5];
        float[] g = wrong == "gradient" ? [1, 1, 1, 1, 1, 1] : [1, 1, 1, 1, 1];
        float[] v = wrong == "squareAvg" ? [0.5f, 0.5f, 0.5f, 0.5f] : [0.5f, 0.5f, 0.5f, 0.5f, 0.5f];
        float[] m = wrong == "gradAvg" ? [0.25f] : [0.25f, 0.25f, 0.25f, 0.25f, 0.25f];
        float[] b = wrong == "momentumBuffer" ? [] : [0.125f, 0.125f, 0.125f, 0.125f, 0.125f];
        float[][] before = [(float[])p.Clone(), (float[])g.Clone(), (float[])v.Clone(), (float[])m.Clone(), (float[])b.Clone()];

        var e = Assert.Throws<ArgumentException>(() => RmsPropKernel.Update<float>(p, g, v, m, b, c));

        Assert.Equal(wrong, e.ParamName);
        int actual = wrong switch { "gradient" => 6, "squareAvg" => 4, "gradAvg" => 1, _ => 0 };
        Assert.StartsWith($"RMSprop: '{wrong}' has length {actual}, but the parameter has length 5.", e.Message);
        Assert.Equal(before, [p, g, v, m, b]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Kernel_CenteredVarianceBelowZero_IsNaNUnlessClamped(bool clamp)
    {
        // A state where v − m² < 0 (as rounding can make it): v = 0, m = 1, g = 0, ρ = 0.5 → v = 0, m = 0.5, s = −0.25.
        var options = new RmsProp { Decay = 0.5, Centered = true, ClampCenteredVariance = clamp, Epsilon = 1e-3, LearningRate = 0.1 };
        int n = 37;
        double[] p = new double[n], g = new double[n], v = new double[n], m = new double[n];
        Array.Fill(p, 1.0);
        Array.Fill(m, 1.0);
        RmsPropKernel.Update<double>(p, g, v, m, Span<double>.Empty, RmsPropCoefficients<double>.Create(options, 1));

        Assert.All(m, x => Assert.Equal(0.5, x));
        Assert.All(p, x => Assert.Equal(clamp ? 1.0 : double.NaN, x));
    }

    /// <summary>
    /// BUG (src/Runtime/Kernels/RmsPropKernel.cs, Run: <c>g = FMA(p, coupledDecay, sign·g)</c>): the parameter is
    /// multiplied into the gradient even when coupled weight decay is off (λ = 0, or decoupled), and 0·NaN = 0·∞ = NaN.
    /// So a NaN or infinite parameter element turns its gradient into NaN and poisons v, m and b; an infinite
    /// parameter also becomes NaN instead of staying infinite. The documented update (and PyTorch, which adds λ·p
    /// only when weight_decay ≠ 0) never lets p reach the gradient without coupled decay.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NonFiniteParameter_WithoutCoupledDecay_DoesNotReachTheState(bool decoupled)
    {
        NonFiniteParameter<float>(decoupled);
        NonFiniteParameter<double>(decoupled);
    }

    private static void NonFiniteParameter<T>(bool decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = new RmsProp { WeightDecay = decoupled ? 0.01 : 0, DecoupledWeightDecay = decoupled, Centered = true, Momentum = 0.9 };
        int n = (2 * Vector512<T>.Count) + 3;

        // NaN and ∞ in the vector part and in the scalar tail.
        T[] p = new T[n], g = new T[n], v = new T[n], m = new T[n], b = new T[n];
        Array.Fill(p, T.One);
        Array.Fill(g, T.CreateChecked(0.5));
        p[1] = T.NaN;
        p[2] = T.PositiveInfinity;
        p[n - 1] = T.NaN;
        p[n - 2] = T.NegativeInfinity;
        T[] rp = (T[])p.Clone(), rg = (T[])g.Clone(), rv = new T[n], rm = new T[n], rb = new T[n];

        RmsPropKernel.Update<T>(p, g, v, m, b, RmsPropCoefficients<T>.Create(options, 1));
        RmsPropReference.Step(options, 1, rp, rg, rv, rm, rb);

        var info = new CaseInfo($"non-finite parameter, {typeof(T).Name}, {(decoupled ? "decoupled λ = 0.01" : "λ = 0")}", null, n, 1);
        Approx.AssertClose<T>(rv, v, "squareAvg", info);
        Approx.AssertClose<T>(rm, m, "gradAvg", info);
        Approx.AssertClose<T>(rb, b, "momentumBuffer", info);
        Approx.AssertClose<T>(rp, p, "parameter", info);
        Assert.Equal(T.PositiveInfinity, p[2]);
    }
}
