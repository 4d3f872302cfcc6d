using System;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// <c>ApplyGradients()</c> allocates exactly 0 bytes per step once the state buffers exist (measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around 100 steps after 200 warm-up steps, gradients written and
/// the optimizer replaced with <c>with</c> inside the measured loop as a training loop would).
/// </summary>
public sealed class AllocationTests
{
    internal const int WarmUp = 200;
    internal const int Measured = 100;

    [Fact]
    public void Scalar_model()
    {
        var m = new FloatScalarsModel();
        Assert.Equal(0, AllocatedBytes(t =>
        {
            m.Grad.P0 = Gradient(t);
            m.Grad.P7 = -Gradient(t);
            m.Grad.P11 = 0.5f * Gradient(t);
            m.ApplyGradients();
        }));
        Assert.Equal(WarmUp + (3 * Measured), m.StepCount);
    }

    [Fact]
    public void Array_model()
    {
        var m = new FloatArrayModel { P = new float[1000] };
        Assert.Equal(0, AllocatedBytes(t =>
        {
            float[] g = m.Grad.P;
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = Gradient(t + i);
            }

            m.ApplyGradients();
        }));
        Assert.NotNull(m.OptimizerState.P.SquareAvg);
    }

    [Fact]
    public void Mixed_float_double_model()
    {
        var m = new PresetModel();
        Assert.Equal(0, AllocatedBytes(t =>
        {
            Fill(m, t);
            m.ApplyGradients();
        }));
    }

    [Fact]
    public void Momentum_and_centered_with_a_learning_rate_schedule()
    {
        var m = new PresetModel { Optimizer = RmsProp.Keras with { Momentum = 0.9, Centered = true, WeightDecay = 0.01, BiasCorrection = true, Nesterov = true } };
        Assert.Equal(0, AllocatedBytes(t =>
        {
            m.Optimizer = m.Optimizer with { LearningRate = 0.01 / (1 + (0.01 * t)) };
            Fill(m, t);
            m.ApplyGradients();
        }));
        Assert.NotNull(m.OptimizerState.W32.GradAvg);
        Assert.NotNull(m.OptimizerState.W64.MomentumBuffer);
    }

    [Theory]
    [InlineData(1.0, 2.0, null)]
    [InlineData(double.PositiveInfinity, null, 0.1)]
    [InlineData(3.0, null, null)]
    public void Gradient_clipping_by_norm_and_value(double normType, double? maxNorm, double? maxValue)
    {
        // The norms (TensorPrimitives over every gradient), the factors and the folded clamp allocate nothing either.
        var m = new PresetModel
        {
            GradientClipping = maxNorm is double c
                ? new GradientClipping { MaxGlobalNorm = c, NormType = normType, MaxValue = maxValue, ErrorIfNonFinite = true }
                : new GradientClipping { MaxNorm = 0.5, NormType = normType, MaxValue = maxValue },
        };
        Assert.Equal(0, AllocatedBytes(t =>
        {
            Fill(m, t);
            m.ApplyGradients();
        }));
        Assert.Equal(WarmUp + (3 * Measured), m.StepCount);
    }

    [Fact]
    public void The_measurement_sees_allocations()
    {
        // The probe must be able to fail: a step that allocates is counted.
        var m = new FloatArrayModel { P = new float[10] };
        long bytes = AllocatedBytes(_ =>
        {
            m.P = (float[])m.P.Clone();
            m.ApplyGradients();
        });
        Assert.True(bytes >= Measured * 40, $"{bytes} bytes");
    }

    [Fact]
    public void The_first_step_allocates_only_the_state()
    {
        // Buffers are created on first use (and only those the options need): no momentum or grad_avg buffer here.
        var m = new FloatArrayModel { P = new float[256] };
        _ = m.Grad;
        long before = GC.GetAllocatedBytesForCurrentThread();
        m.ApplyGradients();
        long first = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(first, 256 * sizeof(float), (256 * sizeof(float)) + 200);
        Assert.Null(m.OptimizerState.P.GradAvg);
        Assert.Null(m.OptimizerState.P.MomentumBuffer);
    }

    private static float Gradient(int t) => MathF.Sin(t * 0.37f);

    private static void Fill(PresetModel m, int t)
    {
        PresetModel.Gradients g = m.Grad;
        for (int i = 0; i < g.W32.Length; i++)
        {
            g.W32[i] = Gradient(t + i);
        }

        for (int i = 0; i < g.W64.Length; i++)
        {
            g.W64[i] = Gradient(t - i);
        }

        g.B32[t % g.B32.Length] = Gradient(t);
        g.S32 = Gradient(t + 1);
        g.S64 = Gradient(t + 2);
        g.B64 = Gradient(t + 3);
    }

    /// <summary>
    /// Bytes allocated on this thread by <see cref="Measured"/> steps after <see cref="WarmUp"/> steps: the least of three
    /// windows, so a one-off runtime allocation cannot fail the test while a per-step allocation shows in every window.
    /// </summary>
    internal static long AllocatedBytes(Action<int> step)
    {
        int t = 0;
        for (; t < WarmUp; t++)
        {
            step(t);
        }

        long least = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Measured; i++, t++)
            {
                step(t);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
