using System;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// The generated update caches each step's coefficients and rebuilds them only when <c>Optimizer</c> or
/// <c>GradientClipping</c> is replaced, or when they depend on the step (bias correction, SGD's first step, AdaGrad's
/// learning-rate decay, Adam). The reference is the same model with both properties assigned before every step, which
/// forces a rebuild every step (the behaviour before the cache): both must give the same bits, through option changes,
/// a clipping change and a <c>ResetOptimizerState</c> in the middle.
/// </summary>
public sealed class CoefficientCacheTests
{
    private const int Steps = 30;

    /// <summary>A model seen through delegates, so one driver runs every optimizer.</summary>
    private sealed record Subject<TOptions>(
        Action<TOptions> SetOptions,
        Action<GradientClipping> SetClipping,
        Action<int> SetGradients,
        Func<bool> Apply,
        Action Reset,
        Func<float[]> Parameters);

    private static void AssertSameBits<TOptions>(Subject<TOptions> cached, Subject<TOptions> rebuilt, Func<int, TOptions> optionsAt)
    {
        GradientClipping ClippingAt(int step) => step is >= 15 and <= 24 ? GradientClipping.ByValue(0.004) : default;
        for (int step = 1; step <= Steps; step++)
        {
            // The cached model gets a property only when its value changes; the reference gets both before every step.
            if (step == 1 || !Equals(optionsAt(step), optionsAt(step - 1)))
            {
                cached.SetOptions(optionsAt(step));
            }

            if (step == 1 || ClippingAt(step) != ClippingAt(step - 1))
            {
                cached.SetClipping(ClippingAt(step));
            }

            rebuilt.SetOptions(optionsAt(step));
            rebuilt.SetClipping(ClippingAt(step));
            if (step == 18)
            {
                cached.Reset();
                rebuilt.Reset();
            }

            cached.SetGradients(step);
            rebuilt.SetGradients(step);
            Assert.True(cached.Apply());
            Assert.True(rebuilt.Apply());
            float[] a = cached.Parameters(), b = rebuilt.Parameters();
            for (int i = 0; i < a.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]),
                    $"step {step}, parameter {i}: cached {a[i]:R}, rebuilt every step {b[i]:R}");
            }
        }
    }

    private static float Gradient(int step, int i) => 0.01f * MathF.Sin((step * 7) + (i * 3));

    [Fact]
    public void RmsProp_with_cached_coefficients_gives_the_bits_of_coefficients_rebuilt_every_step()
    {
        static Subject<RmsProp> Of(FloatScalarAndArrayModel m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step =>
            {
                m.Grad.S = Gradient(step, -1);
                for (int i = 0; i < m.A.Length; i++) m.Grad.A[i] = Gradient(step, i);
            },
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S, .. m.A]);

        AssertSameBits(Of(new FloatScalarAndArrayModel()), Of(new FloatScalarAndArrayModel()), step => step switch
        {
            <= 6 => RmsProp.Optax with { BiasCorrection = true, Centered = true },
            <= 12 => RmsProp.PyTorch,
            <= 20 => RmsProp.PyTorch with { Momentum = 0.9, WeightDecay = 0.01 },
            _ => RmsProp.Keras with { LearningRate = 0.01, BiasCorrection = true },
        });
    }

    [Fact]
    public void Sgd_rebuilds_its_first_step_coefficients_after_a_reset()
    {
        static Subject<Sgd> Of(SgdMixed32 m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step => SetMixed(m.Grad.W, ref m.Grad.S, step),
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S, .. m.W]);

        AssertSameBits(Of(new SgdMixed32 { W = new float[37] }), Of(new SgdMixed32 { W = new float[37] }), step =>
            step <= 25 ? Sgd.PyTorch with { Momentum = 0.9, Dampening = 0.5 } : Sgd.PyTorch with { Momentum = 0.8, Nesterov = true });
    }

    [Fact]
    public void AdaGrad_with_learning_rate_decay_rebuilds_every_step()
    {
        static Subject<AdaGrad> Of(AdaGradMixed32 m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step => SetMixed(m.Grad.W, ref m.Grad.S, step),
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S, .. m.W]);

        AssertSameBits(Of(new AdaGradMixed32 { W = new float[37] }), Of(new AdaGradMixed32 { W = new float[37] }), step =>
            step <= 10 ? new AdaGrad() : new AdaGrad { LearningRateDecay = 0.1 });
    }

    [Fact]
    public void Adam_rebuilds_every_step()
    {
        static Subject<Adam> Of(AdamMixed32 m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step => SetMixed(m.Grad.W, ref m.Grad.S, step),
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S, .. m.W]);

        AssertSameBits(Of(new AdamMixed32 { W = new float[37] }), Of(new AdamMixed32 { W = new float[37] }), step =>
            step <= 10 ? new Adam() : new Adam { AmsGrad = true, WeightDecay = 0.01 });
    }

    [Fact]
    public void A_user_rule_that_does_not_read_the_step_rebuilds_only_when_the_options_change()
    {
        static Subject<Lion> Of(LionModel m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step =>
            {
                m.Grad.S32 = Gradient(step, -1);
                for (int i = 0; i < m.A32.Length; i++) m.Grad.A32[i] = Gradient(step, i);
            },
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S32, .. m.A32]);

        AssertSameBits(Of(new LionModel { A32 = new float[37], A64 = new double[3] }), Of(new LionModel { A32 = new float[37], A64 = new double[3] }), step =>
            step <= 10 ? new Lion { LearningRate = 0.01 } : new Lion { LearningRate = 0.003, WeightDecay = 0.1 });
    }

    [Fact]
    public void A_user_rule_that_reads_the_step_rebuilds_every_step()
    {
        // Its bias correction reads the step: cached from one step to the next, it would stay at the first step's value.
        static Subject<UserAdam> Of(UserAdamModel m) => new(
            o => m.Optimizer = o,
            c => m.GradientClipping = c,
            step => SetMixed(m.Grad.A, ref m.Grad.S, step),
            m.ApplyGradients,
            m.ResetOptimizerState,
            () => [m.S, .. m.A]);

        AssertSameBits(Of(new UserAdamModel()), Of(new UserAdamModel()), step =>
            step <= 10 ? new UserAdam() : new UserAdam { LearningRate = 3e-3, Beta1 = 0.8 });
    }

    private static void SetMixed(float[] w, ref float s, int step)
    {
        s = Gradient(step, -1);
        for (int i = 0; i < w.Length; i++) w[i] = Gradient(step, i);
    }
}
