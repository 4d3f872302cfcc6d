using System;
using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// The generated <c>Step</c> allocates 0 bytes once warm (tapes grown, Grad and optimizer state created), measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around 50 calls — at batch sizes 8 and 1000, so the result does not
/// depend on the batch size (the tapes are per sample, not per batch).
/// </summary>
public sealed class StepAllocationTests
{
    private const int WarmUp = 30;
    private const int Measured = 50;

    [Theory]
    [InlineData(8)]
    [InlineData(1000)]
    public void Seed_neuron(int batch)
    {
        var random = new Random(batch);
        float[] x = random.UniformFloats(batch, -3, 3);
        float[] y = random.UniformFloats(batch, 0, 1);
        var m = new SeedNeuron { Optimizer = RmsProp.Keras };

        Assert.Equal(0, AllocatedBytes(() => m.Step(x, y)));
        Assert.Equal(WarmUp + Measured, m.StepCount);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1000)]
    public void Linear_model_over_a_feature_vector(int batch)
    {
        var random = new Random(batch);
        float[] features = random.UniformFloats(batch * LinearFeatures.Features, -1, 1);
        float[] y = random.UniformFloats(batch, -1, 1);
        var m = new LinearFeatures { Optimizer = RmsProp.Keras };

        Assert.Equal(0, AllocatedBytes(() => m.Step(features, y)));
        Assert.Equal(WarmUp + Measured, m.StepCount);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1000)]
    public void Softmax_regression_with_an_int_label(int batch)
    {
        var random = new Random(batch);
        float[] x = random.UniformFloats(batch * SoftmaxRegression.Features, -1, 1);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = random.Next(SoftmaxRegression.Classes);
        }

        var m = new SoftmaxRegression { Optimizer = RmsProp.Keras };

        Assert.Equal(0, AllocatedBytes(() => m.Step(x, labels)));
        Assert.Equal(WarmUp + Measured, m.StepCount);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1000)]
    public void Two_layer_tanh_mlp(int batch)
    {
        var random = new Random(batch);
        float[] x = random.UniformFloats(batch * TanhMlp.Inputs, -1, 1);
        float[] target = random.UniformFloats(batch, -1, 1);
        var m = new TanhMlp { Optimizer = RmsProp.Keras };
        ModelParameters.Randomize(m, random, _ => (-0.5, 0.5));

        Assert.Equal(0, AllocatedBytes(() => m.Step(batch, x, target)));
        Assert.Equal(WarmUp + Measured, m.StepCount);
    }

    [Fact]
    public void The_measurement_sees_the_first_steps_allocations()
    {
        // The probe must be able to fail: a cold model's first Step creates Grad, the optimizer state and the tapes.
        var random = new Random(5);
        float[] x = random.UniformFloats(8 * TanhMlp.Inputs, -1, 1);
        float[] target = random.UniformFloats(8, -1, 1);
        var m = new TanhMlp();
        long before = GC.GetAllocatedBytesForCurrentThread();
        m.Step(8, x, target);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before > 0);
    }

    private static long AllocatedBytes(Action step)
    {
        for (int i = 0; i < WarmUp; i++)
        {
            step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Measured; i++)
        {
            step();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
