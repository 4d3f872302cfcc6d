using System;
using OptimizerGen.Kernels;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>After warm-up, a step allocates nothing: not the state, not the kernel, not the coefficients.</summary>
public class AllocationTests
{
    private const int Length = 4096;
    private const int Iterations = 200;

    [Fact]
    public void StateUpdate_Float_AllocatesZeroBytes()
    {
        var state = new RmsPropState<float>();
        float[] p = new float[Length], g = new float[Length];
        var c = RmsPropCoefficients<float>.Create(new RmsProp(), 1);
        Assert.Equal(0, AllocatedBytes(() =>
        {
            Array.Fill(g, 0.5f);
            state.Update(p, g, c);
        }));
        Assert.Equal(Length, state.SquareAvg!.Length);
    }

    [Fact]
    public void StateUpdate_EveryBuffer_Double_AllocatesZeroBytes()
    {
        var options = new RmsProp { Centered = true, ClampCenteredVariance = true, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01, BiasCorrection = true };
        var state = new RmsPropState<double>();
        double[] p = new double[Length], g = new double[Length];
        long step = 0;
        Assert.Equal(0, AllocatedBytes(() =>
        {
            Array.Fill(g, -0.25);
            var c = RmsPropCoefficients<double>.Create(options, ++step);
            state.Update(p, g, c);
        }));
        Assert.NotNull(state.GradAvg);
        Assert.NotNull(state.MomentumBuffer);
    }

    [Fact]
    public void KernelUpdate_AllocatesZeroBytes()
    {
        var options = RmsProp.Keras with { Momentum = 0.5, Centered = true };
        float[] p = new float[Length], g = new float[Length], v = new float[Length], m = new float[Length], b = new float[Length];
        Assert.Equal(0, AllocatedBytes(() =>
        {
            Array.Fill(g, 1f);
            RmsPropKernel.Update<float>(p, g, v, m, b, RmsPropCoefficients<float>.Create(options, 3));
        }));
    }

    /// <summary>Bytes allocated on this thread by <see cref="Iterations"/> calls of <paramref name="step"/>, after warm-up.</summary>
    private static long AllocatedBytes(Action step)
    {
        for (int i = 0; i < 100; i++)
        {
            step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Iterations; i++)
        {
            step();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
