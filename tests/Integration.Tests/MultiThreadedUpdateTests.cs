using System;
using OptimizerGen;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>The opt-in multi-threaded update of large arrays gives the single-threaded results bit for bit, allocation-free.</summary>
public partial class MultiThreadedUpdateTests
{
    [Optimize(typeof(RmsProp))]
    public partial class LargeModel
    {
        [Param] public float[] W = new float[1_000_003];
        [Param] public double[] D = new double[300_001];
        [Param] public float S;
    }

    /// <summary>A family optimizer: its threaded update runs through the element-wise rule's state (UpdateState), not RmsPropState.</summary>
    [Optimize(typeof(Adam))]
    public partial class LargeAdamModel
    {
        [Param] public float[] W = new float[3 * 65_536 + 77];
    }

    private static LargeModel Make(int threads)
    {
        var model = new LargeModel
        {
            UpdateThreads = threads,
            Optimizer = new RmsProp { Momentum = 0.9, Centered = true, WeightDecay = 0.01, BiasCorrection = true },
        };
        for (int i = 0; i < model.W.Length; i++)
        {
            model.W[i] = MathF.Sin(i);
        }

        for (int i = 0; i < model.D.Length; i++)
        {
            model.D[i] = Math.Cos(i);
        }

        return model;
    }

    private static void Step(LargeModel model, int step)
    {
        for (int i = 0; i < model.W.Length; i++)
        {
            model.Grad.W[i] = MathF.Sin((i * 0.37f) + step);
        }

        for (int i = 0; i < model.D.Length; i++)
        {
            model.Grad.D[i] = Math.Cos((i * 0.11) - step);
        }

        model.Grad.S = step;
        model.ApplyGradients();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Threads_give_bit_identical_results(int threads)
    {
        LargeModel single = Make(1), multi = Make(threads);
        for (int step = 1; step <= 5; step++)
        {
            Step(single, step);
            Step(multi, step);
        }

        Assert.True(single.W.AsSpan().SequenceEqual(multi.W), "W differs");
        Assert.True(single.D.AsSpan().SequenceEqual(multi.D), "D differs");
        Assert.True(single.OptimizerState.W.SquareAvg.AsSpan().SequenceEqual(multi.OptimizerState.W.SquareAvg), "v differs");
        Assert.True(single.OptimizerState.W.MomentumBuffer.AsSpan().SequenceEqual(multi.OptimizerState.W.MomentumBuffer), "b differs");
        Assert.True(single.OptimizerState.D.GradAvg.AsSpan().SequenceEqual(multi.OptimizerState.D.GradAvg), "m differs");
        Assert.Equal(single.S, multi.S);
        Assert.All(multi.Grad.W, g => Assert.Equal(0f, g));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Threads_give_bit_identical_results_for_a_family_optimizer(int threads)
    {
        // AMSGrad and weight decay: all three state slots in use, and each element's arithmetic depends on the step.
        var options = new Adam { AmsGrad = true, WeightDecay = 0.01, LearningRate = 0.01 };
        LargeAdamModel single = new() { Optimizer = options }, multi = new() { Optimizer = options, UpdateThreads = threads };
        for (int i = 0; i < single.W.Length; i++)
        {
            single.W[i] = multi.W[i] = MathF.Sin(i);
        }

        for (int step = 1; step <= 4; step++)
        {
            for (int i = 0; i < single.W.Length; i++)
            {
                single.Grad.W[i] = multi.Grad.W[i] = MathF.Cos((i * 0.29f) - step);
            }

            single.ApplyGradients();
            multi.ApplyGradients();
        }

        Assert.NotEqual(MathF.Sin(5), single.W[5]);   // the steps moved W
        Assert.True(single.W.AsSpan().SequenceEqual(multi.W), "W differs");
        Assert.True(single.OptimizerState.W.Buffer0.AsSpan().SequenceEqual(multi.OptimizerState.W.Buffer0), "slot 0 differs");
        Assert.True(single.OptimizerState.W.Buffer1.AsSpan().SequenceEqual(multi.OptimizerState.W.Buffer1), "slot 1 differs");
        Assert.True(single.OptimizerState.W.Buffer2.AsSpan().SequenceEqual(multi.OptimizerState.W.Buffer2), "slot 2 differs");
        Assert.All(multi.Grad.W, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Threaded_update_allocates_nothing_after_warm_up()
    {
        LargeModel model = Make(2);
        for (int i = 0; i < 3; i++)
        {
            model.ApplyGradients();
        }

        // Many steps: a lazily created wait object (allocated the first time the caller really blocks on a worker) shows up.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            model.ApplyGradients();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void UpdateThreads_below_one_is_refused()
    {
        var model = new LargeModel();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.UpdateThreads = 0);
        Assert.Equal("UpdateThreads", error.ParamName);
        Assert.Equal(1, model.UpdateThreads);
    }
}
