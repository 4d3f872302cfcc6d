using System;
using System.Numerics;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="RmsPropCoefficients{T}.Create"/>: hyperparameter arithmetic in double, then rounded to T; the meaning of
/// every coefficient; the step check; <see cref="RmsPropCoefficients{T}.WithoutWeightDecay"/>.
/// </summary>
public class RmsPropCoefficientsTests
{
    public static TheoryData<bool, bool, bool, MomentumStyle> Groups => Combo.Groups();

    [Fact]
    public void Float_OneMinusDecay_IsComputedInDoubleThenRounded()
    {
        var c = RmsPropCoefficients<float>.Create(new RmsProp { Decay = 0.99 }, 1);
        Assert.Equal((float)(1 - 0.99), c.OneMinusDecay);

        // The float arithmetic a naive port would do gives another value: the test can tell them apart.
        float inFloat = 1f - 0.99f;
        Assert.NotEqual(inFloat, c.OneMinusDecay);
        Assert.Equal(0.99f, c.Decay);
    }

    [Fact]
    public void Float_ProductsAndCorrection_AreComputedInDoubleThenRounded()
    {
        var options = new RmsProp
        {
            LearningRate = 0.3,
            Decay = 0.99,
            Momentum = 0.7,
            Nesterov = true,
            WeightDecay = 0.11,
            DecoupledWeightDecay = true,
            BiasCorrection = true,
        };
        var c = RmsPropCoefficients<float>.Create(options, 3);
        Assert.Equal((float)(0.3 * 0.7), c.BufferStep);
        Assert.Equal((float)(1 - (0.3 * 0.11)), c.Gradient.ParameterScale);
        Assert.Equal((float)(1 / (1 - Math.Pow(0.99, 3))), c.Correction);

        // …and not the float arithmetic of the rounded hyperparameters.
        float decay = 0.99f;
        Assert.NotEqual(1f / (1f - (decay * decay * decay)), c.Correction);
    }

    [Fact]
    public void Double_Coefficients_AreTheDoubleArithmetic()
    {
        var options = new RmsProp { LearningRate = 0.3, Decay = 0.99, Momentum = 0.7, Nesterov = true, BiasCorrection = true };
        var c = RmsPropCoefficients<double>.Create(options, 7);
        Assert.Equal(1 - 0.99, c.OneMinusDecay);
        Assert.Equal(0.3 * 0.7, c.BufferStep);
        Assert.Equal(1 / (1 - Math.Pow(0.99, 7)), c.Correction);
    }

    [Theory]
    [MemberData(nameof(Groups))]
    public void EveryCoefficient_HasItsDocumentedValue(bool centered, bool clamp, bool momentum, MomentumStyle style)
    {
        foreach (Combo combo in Combo.Group(centered, clamp, momentum, style))
        {
            foreach (long step in new long[] { 1, 2, 10 })
            {
                Expect<float>(combo, step);
                Expect<double>(combo, step);
            }
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void StepBelowOne_Throws(long step)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RmsPropCoefficients<float>.Create(new RmsProp(), step));
        Assert.Equal("step", e.ParamName);
        Assert.Equal(step, e.ActualValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => RmsPropCoefficients<double>.Create(RmsProp.Optax, step));
    }

    [Fact]
    public void LateSteps_BiasCorrectionTendsToOne()
    {
        var options = new RmsProp { BiasCorrection = true };
        Assert.Equal(1.0, RmsPropCoefficients<double>.Create(options, long.MaxValue).Correction);
        Assert.Equal(1f, RmsPropCoefficients<float>.Create(options, 100_000).Correction);
        Assert.Equal(100.0, RmsPropCoefficients<double>.Create(options, 1).Correction, 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithoutWeightDecay_ClearsOnlyTheDecay(bool decoupled)
    {
        var options = RmsProp.Keras with
        {
            WeightDecay = 0.05,
            DecoupledWeightDecay = decoupled,
            Maximize = true,
            Centered = true,
            ClampCenteredVariance = true,
            Momentum = 0.8,
            BiasCorrection = true,
            InitialAccumulatorValue = 0.3,
        };
        var c = RmsPropCoefficients<double>.Create(options, 4);
        Assert.Equal(decoupled ? 0.0 : 0.05, c.Gradient.CoupledDecay);
        Assert.Equal(decoupled ? 1 - (0.001 * 0.05) : 1.0, c.Gradient.ParameterScale);

        var off = c.WithoutWeightDecay();
        Assert.Equal(0.0, off.Gradient.CoupledDecay);
        Assert.Equal(1.0, off.Gradient.ParameterScale);
        Assert.Equal(c with { Gradient = c.Gradient with { CoupledDecay = 0, ParameterScale = 1 } }, off);
        Assert.Equal(-1.0, off.Gradient.GradientScale);
        Assert.True(off.Centered && off.ClampVariance && off.HasMomentum);
        Assert.Equal(0.3, off.InitialAccumulatorValue);
    }

    private static void Expect<T>(Combo combo, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = RmsPropCoefficients<T>.Create(combo.ToOptions(), step);
        string at = $"{typeof(T).Name}, step {step}, {combo}";
        T lr = T.CreateChecked(Combo.LearningRate);
        T mu = T.CreateChecked(Combo.MomentumFactor);
        bool inside = combo.MomentumStyle == MomentumStyle.LearningRateInsideBuffer;

        Same(combo.Maximize ? -T.One : T.One, c.Gradient.GradientScale, "GradientScale", at);
        Same(combo.WeightDecay == WeightDecayMode.Coupled ? T.CreateChecked(Combo.WeightDecayFactor) : T.Zero, c.Gradient.CoupledDecay, "CoupledDecay", at);
        Same(combo.WeightDecay == WeightDecayMode.Decoupled ? T.CreateChecked(1 - (Combo.LearningRate * Combo.WeightDecayFactor)) : T.One, c.Gradient.ParameterScale, "ParameterScale", at);
        Same(T.CreateChecked(Combo.Decay), c.Decay, "Decay", at);
        Same(T.CreateChecked(1 - Combo.Decay), c.OneMinusDecay, "OneMinusDecay", at);
        Same(combo.BiasCorrection ? T.CreateChecked(1 / (1 - Math.Pow(Combo.Decay, step))) : T.One, c.Correction, "Correction", at);
        Same(combo.EpsilonInsideSqrt ? T.CreateChecked(Combo.Epsilon) : T.Zero, c.EpsilonInside, "EpsilonInside", at);
        Same(combo.EpsilonInsideSqrt ? T.Zero : T.CreateChecked(Combo.Epsilon), c.EpsilonOutside, "EpsilonOutside", at);
        Same(combo.Momentum ? mu : T.Zero, c.Momentum, "Momentum", at);
        Same(inside ? lr : T.One, c.BufferGain, "BufferGain", at);

        // p ← p − bufferStep·b − directStep·u, with b ← μ·b + bufferGain·u:
        //   no momentum: lr·u;  lr outside: lr·b  (Nesterov: lr·μ·b + lr·u);  lr inside: b  (Nesterov: μ·b + lr·u).
        T bufferStep = !combo.Momentum ? T.Zero
            : combo.Nesterov ? (inside ? mu : T.CreateChecked(Combo.LearningRate * Combo.MomentumFactor))
            : (inside ? T.One : lr);
        T directStep = !combo.Momentum || combo.Nesterov ? lr : T.Zero;
        Same(bufferStep, c.BufferStep, "BufferStep", at);
        Same(directStep, c.DirectStep, "DirectStep", at);

        Assert.True(combo.Centered == c.Centered, $"Centered; {at}");
        Assert.True((combo.Centered && combo.ClampCenteredVariance) == c.ClampVariance, $"ClampVariance; {at}");
        Assert.True(combo.Momentum == c.HasMomentum, $"HasMomentum; {at}");
        Same(T.CreateChecked(combo.InitialAccumulator ? Combo.InitialAccumulatorValue : 0), c.InitialAccumulatorValue, "InitialAccumulatorValue", at);
    }

    private static void Same<T>(T expected, T actual, string what, string at)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (expected != actual)
        {
            Assert.Fail($"{what}: expected {expected:R}, actual {actual:R}; {at}");
        }
    }
}
