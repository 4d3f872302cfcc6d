using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// A model of scalar fields takes the plain step (one test of cached flags, then each field's two lines) while no option
/// is on, and the general update otherwise. The reference is a twin whose <c>Optimizer</c> is assigned again before every
/// step, which keeps it on the general update; both must give the same bits through every change that has to leave the
/// plain step: an option, bias correction, norm clipping, the non-finite guard, a reset (with a nonzero initial
/// accumulator) and a loaded checkpoint.
/// </summary>
public sealed partial class PlainStepTests
{
    [Optimize(typeof(RmsProp))]
    public partial class Scalars
    {
        [Param] public float W = 0.5f;
        [Param] public double B = -0.25;
        [Param, ExcludeFromWeightDecay] public float C = 1.5f;
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
    private static extern ref bool PlainStep(Scalars model);

    private static void Step(Scalars model, int step, bool nan = false)
    {
        model.Grad.W = nan ? float.NaN : 0.01f * MathF.Sin(step * 7);
        model.Grad.B = 0.02 * Math.Cos(step * 3);
        model.Grad.C = -0.015f * MathF.Sin(step * 5);
        model.ApplyGradients();
    }

    private static void AssertSameBits(Scalars plain, Scalars general, string when)
    {
        Assert.True(BitConverter.SingleToInt32Bits(plain.W) == BitConverter.SingleToInt32Bits(general.W), $"W {when}: {plain.W:R} vs {general.W:R}");
        Assert.True(BitConverter.DoubleToInt64Bits(plain.B) == BitConverter.DoubleToInt64Bits(general.B), $"B {when}: {plain.B:R} vs {general.B:R}");
        Assert.True(BitConverter.SingleToInt32Bits(plain.C) == BitConverter.SingleToInt32Bits(general.C), $"C {when}: {plain.C:R} vs {general.C:R}");
        Assert.Equal(general.OptimizerState.W, plain.OptimizerState.W);
        Assert.Equal(general.OptimizerState.B, plain.OptimizerState.B);
        Assert.Equal(plain.StepCount, general.StepCount);
        Assert.Equal(plain.SkippedSteps, general.SkippedSteps);
    }

    /// <summary>Runs <paramref name="steps"/> steps on both; the twin's Optimizer is assigned again before each one.</summary>
    private static void Run(Scalars plain, Scalars general, ref int step, int steps, string when, bool nan = false)
    {
        for (int i = 0; i < steps; i++, step++)
        {
            general.Optimizer = general.Optimizer;   // clears the coefficient cache: the general update, every step
            Step(plain, step, nan);
            Step(general, step, nan);
            AssertSameBits(plain, general, $"{when}, step {step}");
        }
    }

    [Fact]
    public void The_plain_step_gives_the_general_updates_bits_and_is_left_whenever_it_must_be()
    {
        RmsProp options = RmsProp.PyTorch with { WeightDecay = 0.1 };   // coupled decay: not plain for W and B, plain for C
        var plain = new Scalars { Optimizer = RmsProp.PyTorch };
        var general = new Scalars { Optimizer = RmsProp.PyTorch };
        int step = 1;

        Run(plain, general, ref step, 10, "PyTorch preset");
        Assert.True(PlainStep(plain), "the plain step is on after the first steps with the PyTorch preset");

        plain.Optimizer = general.Optimizer = options;
        Run(plain, general, ref step, 5, "weight decay");
        Assert.False(PlainStep(plain));

        plain.Optimizer = general.Optimizer = RmsProp.PyTorch with { Momentum = 0.9 };
        Run(plain, general, ref step, 5, "momentum");
        plain.Optimizer = general.Optimizer = RmsProp.Keras;
        Run(plain, general, ref step, 5, "Keras preset");
        Assert.True(PlainStep(plain));
        plain.Optimizer = general.Optimizer = RmsProp.Keras with { BiasCorrection = true };
        Run(plain, general, ref step, 5, "bias correction");
        Assert.False(PlainStep(plain));

        plain.Optimizer = general.Optimizer = RmsProp.PyTorch;
        Run(plain, general, ref step, 3, "PyTorch preset again");
        plain.GradientClipping = general.GradientClipping = GradientClipping.ByNorm(0.001);
        Run(plain, general, ref step, 5, "norm clipping");
        plain.GradientClipping = general.GradientClipping = GradientClipping.ByValue(0.004);
        Run(plain, general, ref step, 5, "value clipping");
        plain.GradientClipping = general.GradientClipping = GradientClipping.None;
        Run(plain, general, ref step, 3, "no clipping");
        Assert.True(PlainStep(plain));

        plain.SkipNonFiniteGradients = general.SkipNonFiniteGradients = true;
        Run(plain, general, ref step, 2, "a NaN gradient with the non-finite guard on", nan: true);
        Assert.Equal(2, plain.SkippedSteps);
        Assert.True(float.IsFinite(plain.W));
        plain.SkipNonFiniteGradients = general.SkipNonFiniteGradients = false;
        Run(plain, general, ref step, 3, "non-finite guard off");

        plain.Optimizer = general.Optimizer = RmsProp.TensorFlow1;   // v starts at 1 after a reset
        Run(plain, general, ref step, 3, "TensorFlow 1 preset");
        Assert.True(PlainStep(plain));
        plain.ResetOptimizerState();
        general.ResetOptimizerState();
        Run(plain, general, ref step, 5, "after a reset");

        // A checkpoint with other options (momentum and its buffer) loaded into a model on the plain step.
        var other = new Scalars { Optimizer = RmsProp.PyTorch with { Momentum = 0.5 } };
        for (int i = 0; i < 4; i++) Step(other, 100 + i);
        using var saved = new MemoryStream();
        other.SaveCheckpoint(saved);
        Assert.True(PlainStep(plain));
        plain.LoadCheckpoint(new MemoryStream(saved.ToArray()));
        general.LoadCheckpoint(new MemoryStream(saved.ToArray()));
        Run(plain, general, ref step, 5, "after loading a checkpoint with momentum");
    }
}
