using System;
using System.Linq;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="GradientClipping"/> against formulas written here from PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>
/// (per-tensor <c>vector_norm</c>, the norm of the norms, <c>clip_coef = max_norm / (total + 1e-6)</c> clamped at 1)
/// and Keras' <c>clip_by_norm</c> / <c>clip_by_global_norm</c> (<c>c / max(‖g‖, c)</c>), and its validation.
/// </summary>
public class GradientClippingTests
{
    private static double[] Random(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 6) - 3).ToArray();
    }

    /// <summary>‖x‖ₚ the slow way: (Σ|x|ᵖ)^(1/p), or max |x| for p = ∞.</summary>
    private static double PNorm(double[] x, double p) =>
        double.IsPositiveInfinity(p) ? (x.Length == 0 ? 0 : x.Max(Math.Abs)) : Math.Pow(x.Sum(v => Math.Pow(Math.Abs(v), p)), 1 / p);

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(3.0)]
    [InlineData(0.5)]
    public void Norm_IsThePNorm_ForDoubleAndFloat_AtManyLengths(double p)
    {
        var clipping = new GradientClipping { MaxGlobalNorm = 1, NormType = p };
        foreach (int n in new[] { 0, 1, 7, 16, 17, 64, 65, 1000 })
        {
            double[] x = Random(n, n + 1);
            float[] xf = x.Select(v => (float)v).ToArray();
            double expected = PNorm(x, p);
            Assert.Equal(expected, clipping.Norm<double>(x), expected * 1e-12 + 1e-300);
            Assert.Equal(PNorm(xf.Select(v => (double)v).ToArray(), p), clipping.Norm<float>(xf), (expected * 2e-6) + 1e-30);
        }
    }

    [Fact]
    public void GlobalFactor_IsPyTorchsClipCoefficient()
    {
        // torch: norms = [vector_norm(g, p) for g]; total = vector_norm(stack(norms), p);
        //        clip_coef = max_norm / (total + 1e-6); g *= clamp(clip_coef, max=1)
        double[][] grads = [Random(37, 1), Random(1, 2), Random(70, 3)];
        foreach (double p in new[] { 2.0, 1.0, double.PositiveInfinity, 3.0 })
        {
            foreach (double maxNorm in new[] { 0.5, 3.0, 1e6 })
            {
                var clipping = GradientClipping.ByGlobalNorm(maxNorm, p);
                double[] norms = grads.Select(g => PNorm(g, p)).ToArray();
                double total = PNorm(norms, p);
                double expected = Math.Min(maxNorm / (total + 1e-6), 1.0);

                double[] ours = grads.Select(g => clipping.Norm<double>(g)).ToArray();
                double global = clipping.GlobalFactor(ours);
                Assert.Equal(expected, global, 1e-12);
                foreach (double norm in ours)
                {
                    Assert.Equal(global, clipping.Factor(norm, global));
                }

                // After clipping, the total norm is at most max_norm (up to ε and rounding).
                double clippedTotal = PNorm(grads.Select(g => PNorm(g.Select(v => v * global).ToArray(), p)).ToArray(), p);
                Assert.True(clippedTotal <= maxNorm * (1 + 1e-12), $"p={p}, max={maxNorm}: clipped total {clippedTotal}");
            }
        }
    }

    [Fact]
    public void PerParameterFactor_IsKerasClipByNorm()
    {
        // keras clip_by_norm: g · c / max(‖g‖₂, c)
        double[][] grads = [Random(37, 4), Random(5, 5), [0.0, 0.0]];
        var clipping = GradientClipping.ByNorm(1.5);
        double global = clipping.GlobalFactor(grads.Select(g => clipping.Norm<double>(g)).ToArray());
        Assert.Equal(1.0, global);
        foreach (double[] g in grads)
        {
            double norm = PNorm(g, 2);
            Assert.Equal(1.5 / Math.Max(norm, 1.5), clipping.Factor(clipping.Norm<double>(g), global), 1e-12);
        }
    }

    [Fact]
    public void KerasGlobalNorm_WithZeroEpsilon_IsClipByGlobalNorm()
    {
        // keras clip_by_global_norm: g · c / max(global, c)
        double[][] grads = [Random(10, 6), Random(3, 7)];
        var clipping = new GradientClipping { MaxGlobalNorm = 2.0, NormEpsilon = 0 };
        double globalNorm = Math.Sqrt(grads.Sum(g => g.Sum(v => v * v)));
        Assert.Equal(2.0 / Math.Max(globalNorm, 2.0), clipping.GlobalFactor(grads.Select(g => clipping.Norm<double>(g)).ToArray()), 1e-12);
    }

    [Fact]
    public void NonFiniteNorm_GivesNaNOrZeroFactor_OrThrowsWhenAsked()
    {
        var clipping = GradientClipping.ByGlobalNorm(1.0);
        Assert.True(double.IsNaN(clipping.GlobalFactor([1.0, double.NaN])));
        Assert.Equal(0.0, clipping.GlobalFactor([1.0, double.PositiveInfinity]));
        Assert.Equal(double.NaN, clipping.Norm<float>([1f, float.NaN]));

        var strict = clipping with { ErrorIfNonFinite = true };
        var e = Assert.Throws<InvalidOperationException>(() => strict.GlobalFactor([1.0, double.NaN]));
        Assert.Contains("ErrorIfNonFinite", e.Message);
        Assert.Throws<InvalidOperationException>(() => strict.GlobalFactor([double.PositiveInfinity]));
        Assert.Throws<InvalidOperationException>(() => (GradientClipping.ByNorm(1) with { ErrorIfNonFinite = true }).GlobalFactor([double.NaN]));
        Assert.Equal(1.0, strict.GlobalFactor([0.5]));
    }

    [Fact]
    public void Default_ClipsNothing()
    {
        GradientClipping none = default;
        Assert.False(none.ClipsNorm);
        Assert.Null(none.MaxValue);
        Assert.Equal(2.0, none.NormType);
        Assert.Equal(1e-6, none.NormEpsilon);
        Assert.Equal(1.0, none.GlobalFactor([123.0]));
        Assert.Equal(1.0, none.Factor(123.0, 1.0));
        Assert.Equal(none, GradientClipping.None);
        Assert.Equal(new GradientClipping(), none);
    }

    [Theory]
    [InlineData("MaxValue", 0.0)]
    [InlineData("MaxValue", -1.0)]
    [InlineData("MaxValue", double.NaN)]
    [InlineData("MaxNorm", 0.0)]
    [InlineData("MaxNorm", double.NaN)]
    [InlineData("MaxGlobalNorm", -2.0)]
    [InlineData("NormType", 0.0)]
    [InlineData("NormType", -1.0)]
    [InlineData("NormType", double.NaN)]
    [InlineData("NormEpsilon", -1e-6)]
    [InlineData("NormEpsilon", double.PositiveInfinity)]
    public void InvalidValue_ThrowsNamingTheOption(string option, double value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => option switch
        {
            "MaxValue" => new GradientClipping { MaxValue = value },
            "MaxNorm" => new GradientClipping { MaxNorm = value },
            "MaxGlobalNorm" => new GradientClipping { MaxGlobalNorm = value },
            "NormType" => new GradientClipping { NormType = value },
            _ => new GradientClipping { NormEpsilon = value },
        });
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void PerParameterAndGlobalNorm_CannotBothBeSet_InEitherOrder()
    {
        Assert.Equal("MaxGlobalNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientClipping { MaxNorm = 1, MaxGlobalNorm = 1 }).ParamName);
        Assert.Equal("MaxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new GradientClipping { MaxGlobalNorm = 1, MaxNorm = 1 }).ParamName);
        Assert.Equal(2.0, new GradientClipping { MaxValue = 2, MaxGlobalNorm = 1 }.MaxValue);
    }
}
