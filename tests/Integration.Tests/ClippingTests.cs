using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Integration.Tests.Models;
using OptimizerGen.Integration.Tests.Presets;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// The generated update with <c>GradientClipping</c> against PyTorch's RMSprop (<see cref="TorchRmsProp"/>) fed
/// gradients clipped by formulas written here from <c>torch.nn.utils.clip_grad_norm_</c>, <c>clip_grad_value_</c> and
/// Keras' <c>clip_by_norm</c>: a float/double, scalar/array model with a field excluded from weight decay, every
/// parameter compared after every step (conformance tolerances).
/// </summary>
public sealed class ClippingTests
{
    /// <summary>The model's fields laid end to end: (offset, length) of each.</summary>
    private static (int Offset, int Length)[] Segments(ModelView view)
    {
        var result = new List<(int, int)>();
        int offset = 0;
        foreach (FieldView f in view.Fields)
        {
            result.Add((offset, f.Segment.Length));
            offset += f.Segment.Length;
        }

        return [.. result];
    }

    private static double PNorm(IEnumerable<double> x, double p) =>
        double.IsPositiveInfinity(p) ? x.Select(Math.Abs).DefaultIfEmpty(0).Max() : Math.Pow(x.Sum(v => Math.Pow(Math.Abs(v), p)), 1 / p);

    /// <summary>
    /// <c>clip_grad_norm_(params, max_norm, norm_type)</c>: <c>norms = [vector_norm(g, p)]</c>; <c>total =
    /// vector_norm(stack(norms), p)</c>; <c>g *= clamp(max_norm / (total + 1e-6), max=1)</c>.
    /// </summary>
    private static Func<double[], double[]> TorchClipGradNorm(ModelView view, double maxNorm, double p) => g =>
    {
        var segments = Segments(view);
        double total = PNorm(segments.Select(s => PNorm(g.Skip(s.Offset).Take(s.Length), p)), p);
        double coef = Math.Min(maxNorm / (total + 1e-6), 1.0);
        return g.Select(v => v * coef).ToArray();
    };

    /// <summary><c>clip_grad_value_(params, clip_value)</c>: <c>g.clamp_(-clip_value, clip_value)</c>.</summary>
    private static double[] TorchClipGradValue(double[] g, double clipValue) => g.Select(v => Math.Clamp(v, -clipValue, clipValue)).ToArray();

    /// <summary>Keras <c>clip_by_norm</c> on each variable: <c>g · c / max(‖g‖₂, c)</c>.</summary>
    private static Func<double[], double[]> KerasClipNorm(ModelView view, double clipNorm) => g =>
    {
        double[] result = (double[])g.Clone();
        foreach ((int offset, int length) in Segments(view))
        {
            double norm = PNorm(g.Skip(offset).Take(length), 2);
            for (int i = offset; i < offset + length; i++)
            {
                result[i] = g[i] * clipNorm / Math.Max(norm, clipNorm);
            }
        }

        return result;
    };

    private static void AssertMatches(GradientClipping clipping, Func<double[], double[]> reference, RmsProp? options = null)
    {
        var model = new PresetModel();
        ModelView view = ModelView.Of(model);
        view.SetClipping(clipping);
        RmsProp o = options ?? RmsProp.PyTorch;
        var torch = new TorchRmsProp(view.Length) { Alpha = o.Decay, Eps = o.Epsilon, WeightDecay = o.WeightDecay, Momentum = o.Momentum, Centered = o.Centered, Maximize = o.Maximize };
        List<string> failures = ReferenceTrainer.Compare(view, torch, o, clipForReference: reference);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData(2.0, 1.0)]
    [InlineData(2.0, 0.05)]
    [InlineData(1.0, 3.0)]
    [InlineData(double.PositiveInfinity, 0.5)]
    [InlineData(3.0, 1.0)]
    [InlineData(2.0, 1000.0)]
    public void Global_norm_is_clip_grad_norm(double normType, double maxNorm)
    {
        // 64 elements uniform in [−1, 1): a total 2-norm near 4.6, so every limit but the last clips.
        ModelView view = ModelView.Of(new PresetModel());
        AssertMatches(GradientClipping.ByGlobalNorm(maxNorm, normType), TorchClipGradNorm(view, maxNorm, normType));
    }

    [Fact]
    public void Global_norm_is_clipped_before_maximize_momentum_centering_and_weight_decay()
    {
        ModelView view = ModelView.Of(new PresetModel());
        var options = RmsProp.PyTorch with { Maximize = true, Momentum = 0.9, Centered = true, WeightDecay = 0.1 };
        AssertMatches(GradientClipping.ByGlobalNorm(0.7), TorchClipGradNorm(view, 0.7, 2), options);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void Value_is_clip_grad_value(double clipValue)
    {
        AssertMatches(GradientClipping.ByValue(clipValue), g => TorchClipGradValue(g, clipValue), RmsProp.PyTorch with { Maximize = true, WeightDecay = 0.05 });
    }

    [Fact]
    public void Global_norm_then_value_is_clip_grad_norm_then_clip_grad_value()
    {
        ModelView view = ModelView.Of(new PresetModel());
        Func<double[], double[]> norm = TorchClipGradNorm(view, 2.0, 2);
        AssertMatches(GradientClipping.ByGlobalNorm(2.0) with { MaxValue = 0.2 }, g => TorchClipGradValue(norm(g), 0.2));
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(2.5)]
    public void Per_parameter_norm_is_keras_clipnorm(double clipNorm)
    {
        // Scalars (one element) are clipped to |g| ≤ c on their own; the arrays (37, 19, 5 elements) by their own norms.
        ModelView view = ModelView.Of(new PresetModel());
        AssertMatches(GradientClipping.ByNorm(clipNorm), KerasClipNorm(view, clipNorm), RmsProp.PyTorch with { Momentum = 0.5 });
    }

    [Fact]
    public void Clipping_changed_between_steps_takes_effect_at_once()
    {
        // Global norm for 3 steps, then none (two spellings): both models go on identically, and differently from one
        // never clipped; while clipping, the first step (|Δp| = lr·|g|/√((1−α)·g²), the same for any g ≠ 0 without
        // momentum) is the same, so compare with momentum on, where the buffer carries the clipped size.
        var options = RmsProp.PyTorch with { Momentum = 0.9 };
        var a = new PresetModel { Optimizer = options, GradientClipping = GradientClipping.ByGlobalNorm(0.1) };
        var b = new PresetModel { Optimizer = options, GradientClipping = GradientClipping.ByGlobalNorm(0.1) };
        var c = new PresetModel { Optimizer = options };
        for (int t = 1; t <= 6; t++)
        {
            if (t == 4)
            {
                a.GradientClipping = GradientClipping.None;
                b.GradientClipping = default;
            }

            foreach (PresetModel m in new[] { a, b, c })
            {
                m.Grad.S32 = t == 2 ? 30f : 3f;
                Array.Fill(m.Grad.W32, 0.5f);
                m.ApplyGradients();
            }
        }

        Assert.Equal(a.W32, b.W32);
        Assert.Equal(a.S32, b.S32);
        Assert.NotEqual(a.S32, c.S32);
        Assert.NotEqual(a.W32, c.W32);
    }

    [Fact]
    public void Error_if_nonfinite_throws_before_anything_changes()
    {
        var m = new PresetModel { GradientClipping = GradientClipping.ByGlobalNorm(1.0) with { ErrorIfNonFinite = true } };
        for (int t = 1; t <= 3; t++)
        {
            Array.Fill(m.Grad.W32, 0.1f * t);
            m.Grad.S64 = -0.2 * t;
            m.ApplyGradients();
        }

        Array.Fill(m.Grad.W32, 0.3f);
        m.Grad.W64[7] = double.PositiveInfinity;
        m.Grad.S32 = 0.25f;
        float[] w32 = (float[])m.W32.Clone(), v32 = (float[])m.OptimizerState.W32.SquareAvg!.Clone();
        double s64 = m.S64;
        double[] g64 = (double[])m.Grad.W64.Clone();

        var e = Assert.Throws<InvalidOperationException>(() => m.ApplyGradients());
        Assert.Contains("ErrorIfNonFinite", e.Message);
        Assert.Equal(3, m.StepCount);
        Assert.Equal(w32, m.W32);
        Assert.Equal(v32, m.OptimizerState.W32.SquareAvg);
        Assert.Equal(s64, m.S64);
        Assert.Equal(g64, m.Grad.W64);             // the gradient is kept, as PyTorch raises before scaling it
        Assert.Equal(0.25f, m.Grad.S32);
        Assert.All(m.Grad.W32, g => Assert.Equal(0.3f, g));

        // Without the flag the step goes ahead: an infinite norm makes the factor 0 (PyTorch: max_norm / inf).
        m.GradientClipping = GradientClipping.ByGlobalNorm(1.0);
        Assert.True(m.ApplyGradients());
        Assert.Equal(4, m.StepCount);
        Assert.Equal(w32, m.W32);   // a zero gradient moves nothing
    }

    [Fact]
    public void Nonfinite_guard_runs_before_clipping()
    {
        // SkipNonFiniteGradients sees the raw gradient: the step is skipped, not turned into an error.
        var m = new PresetModel { SkipNonFiniteGradients = true, GradientClipping = GradientClipping.ByGlobalNorm(1.0) with { ErrorIfNonFinite = true } };
        m.Grad.W32[3] = float.NaN;
        Assert.False(m.ApplyGradients());
        Assert.Equal(1, m.SkippedSteps);
        Assert.Equal(0, m.StepCount);
    }
}
