using System;
using System.Linq;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests.Family;

/// <summary>
/// <c>GradientClipping</c> on the optimizer family: a model clipping in its fused update against a twin without clipping
/// whose gradients the test clips first with formulas written here from PyTorch's <c>clip_grad_norm_</c> and
/// <c>clip_grad_value_</c> and Keras' <c>clip_by_norm</c>. The optimizers themselves are checked against libtorch in
/// <see cref="FamilyConformanceTests"/>; this checks that the clipping reaches each one's scalar and array update.
/// </summary>
public sealed class FamilyClippingTests
{
    private const int Length = 37;
    private const int Steps = 12;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string optimizer in new[] { "Sgd", "AdaGrad", "AdaDelta", "Adam", "AdamW" })
        {
            foreach (string clipping in new[] { "global-2", "global-inf", "global-loose", "value", "norm" })
            {
                data.Add(optimizer, clipping);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Clipping_in_the_update_equals_clipping_the_gradients_first(string optimizer, string clippingCase)
    {
        (GradientClipping clipping, Func<double, double[], (double, double[])> reference) = clippingCase switch
        {
            "global-2" => (GradientClipping.ByGlobalNorm(1.5), TorchClipGradNorm(1.5, 2)),
            "global-inf" => (GradientClipping.ByGlobalNorm(0.4, double.PositiveInfinity), TorchClipGradNorm(0.4, double.PositiveInfinity)),
            "global-loose" => (GradientClipping.ByGlobalNorm(1000), TorchClipGradNorm(1000, 2)),
            "value" => (GradientClipping.ByValue(0.3), (s, w) => (Math.Clamp(s, -0.3, 0.3), w.Select(v => Math.Clamp(v, -0.3, 0.3)).ToArray())),
            "norm" => (GradientClipping.ByNorm(0.8), (s, w) => (KerasClipByNorm([s], 0.8)[0], KerasClipByNorm(w, 0.8))),
            _ => throw new ArgumentOutOfRangeException(nameof(clippingCase)),
        };

        Twin clipped = Twin.Create(optimizer), plain = Twin.Create(optimizer);
        clipped.SetClipping(clipping);
        for (int t = 1; t <= Steps; t++)
        {
            double s = 1.7 * Math.Cos(t);
            double[] w = Enumerable.Range(0, Length).Select(i => Math.Sin((0.61 * t) + (1.3 * i)) * (1 + (i % 5))).ToArray();
            clipped.SetGradients(s, w);
            (double sClipped, double[] wClipped) = reference(s, w);
            plain.SetGradients(sClipped, wClipped);
            clipped.Apply();
            plain.Apply();

            (double sA, double[] wA) = clipped.Parameters();
            (double sB, double[] wB) = plain.Parameters();
            AssertClose(sB, sA, $"{optimizer}/{clippingCase} step {t}: S");
            for (int i = 0; i < Length; i++)
            {
                AssertClose(wB[i], wA[i], $"{optimizer}/{clippingCase} step {t}: W[{i}]");
            }
        }
    }

    [Fact]
    public void Error_if_non_finite_throws_before_the_family_update_changes_anything()
    {
        var m = new AdamMixed64 { S = 0.5, W = Enumerable.Repeat(0.25, Length).ToArray() };
        m.GradientClipping = GradientClipping.ByGlobalNorm(1.0) with { ErrorIfNonFinite = true };
        m.Grad.S = 1;
        m.Grad.W[3] = double.NaN;
        Assert.Throws<InvalidOperationException>(() => m.ApplyGradients());
        Assert.Equal(0, m.StepCount);
        Assert.Equal(0.5, m.S);
        Assert.All(m.W, v => Assert.Equal(0.25, v));
        Assert.True(double.IsNaN(m.Grad.W[3]));
        Assert.Equal(1, m.Grad.S);
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        double tolerance = 1e-12 * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static double PNorm(double[] x, double p) =>
        double.IsPositiveInfinity(p) ? x.Select(Math.Abs).DefaultIfEmpty(0).Max() : Math.Pow(x.Sum(v => Math.Pow(Math.Abs(v), p)), 1 / p);

    /// <summary><c>clip_grad_norm_</c>: total = ‖[‖g_S‖, ‖g_W‖]‖_p ; every g ← g·min(1, max_norm / (total + 1e-6)).</summary>
    private static Func<double, double[], (double, double[])> TorchClipGradNorm(double maxNorm, double p) => (s, w) =>
    {
        double total = PNorm([PNorm([s], p), PNorm(w, p)], p);
        double coef = Math.Min(maxNorm / (total + 1e-6), 1.0);
        return (s * coef, w.Select(v => v * coef).ToArray());
    };

    /// <summary>Keras <c>clip_by_norm</c> of one variable: g·c / max(‖g‖₂, c).</summary>
    private static double[] KerasClipByNorm(double[] g, double c)
    {
        double norm = PNorm(g, 2);
        return g.Select(v => v * c / Math.Max(norm, c)).ToArray();
    }

    /// <summary>One double model with a scalar field S and an array field W, whatever its optimizer.</summary>
    private sealed class Twin
    {
        public required Action<GradientClipping> SetClipping { get; init; }

        public required Action<double, double[]> SetGradients { get; init; }

        public required Action Apply { get; init; }

        public required Func<(double, double[])> Parameters { get; init; }

        public static Twin Create(string optimizer)
        {
            double[] start = Enumerable.Range(0, Length).Select(i => 0.1 * Math.Cos(i)).ToArray();
            switch (optimizer)
            {
                case "Sgd":
                {
                    var m = new SgdMixed64 { S = 0.3, W = (double[])start.Clone(), Optimizer = new Sgd { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 } };
                    return new Twin { SetClipping = c => m.GradientClipping = c, SetGradients = (s, w) => { m.Grad.S = s; w.CopyTo(m.Grad.W, 0); }, Apply = () => m.ApplyGradients(), Parameters = () => (m.S, m.W) };
                }

                case "AdaGrad":
                {
                    var m = new AdaGradMixed64 { S = 0.3, W = (double[])start.Clone(), Optimizer = new AdaGrad { LearningRateDecay = 0.01, WeightDecay = 0.1, InitialAccumulatorValue = 0.1 } };
                    return new Twin { SetClipping = c => m.GradientClipping = c, SetGradients = (s, w) => { m.Grad.S = s; w.CopyTo(m.Grad.W, 0); }, Apply = () => m.ApplyGradients(), Parameters = () => (m.S, m.W) };
                }

                case "AdaDelta":
                {
                    var m = new AdaDeltaMixed64 { S = 0.3, W = (double[])start.Clone(), Optimizer = new AdaDelta { WeightDecay = 0.01 } };
                    return new Twin { SetClipping = c => m.GradientClipping = c, SetGradients = (s, w) => { m.Grad.S = s; w.CopyTo(m.Grad.W, 0); }, Apply = () => m.ApplyGradients(), Parameters = () => (m.S, m.W) };
                }

                case "Adam":
                {
                    var m = new AdamMixed64 { S = 0.3, W = (double[])start.Clone(), Optimizer = new Adam { AmsGrad = true, Maximize = true, WeightDecay = 0.01 } };
                    return new Twin { SetClipping = c => m.GradientClipping = c, SetGradients = (s, w) => { m.Grad.S = s; w.CopyTo(m.Grad.W, 0); }, Apply = () => m.ApplyGradients(), Parameters = () => (m.S, m.W) };
                }

                case "AdamW":
                {
                    var m = new AdamWMixed64 { S = 0.3, W = (double[])start.Clone() };
                    return new Twin { SetClipping = c => m.GradientClipping = c, SetGradients = (s, w) => { m.Grad.S = s; w.CopyTo(m.Grad.W, 0); }, Apply = () => m.ApplyGradients(), Parameters = () => (m.S, m.W) };
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(optimizer));
            }
        }
    }
}
