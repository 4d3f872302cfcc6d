using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using OptimizerGen;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>A model used by two threads at once: the late call throws before it changes anything; no update is lost.</summary>
public partial class ConcurrencyTests
{
    [Optimize(typeof(RmsProp))]
    public partial class BigModel
    {
        [Param] public float[] W = new float[1 << 18];
    }

    [Fact]
    public async Task Concurrent_steps_throw_and_lose_no_update()
    {
        var model = new BigModel();
        var failures = new ConcurrentBag<InvalidOperationException>();
        int applied = 0;
        using var start = new Barrier(2);

        void Work()
        {
            start.SignalAndWait();
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    if (model.ApplyGradients())
                    {
                        Interlocked.Increment(ref applied);
                    }
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add(ex);
                }
            }
        }

        await Task.WhenAll(Task.Run(Work), Task.Run(Work));

        Assert.NotEmpty(failures);   // the threads did overlap, and every overlap was refused
        Assert.All(failures, ex => Assert.Contains("at once", ex.Message, StringComparison.Ordinal));
        Assert.Equal(applied, model.StepCount);   // each accepted call counted exactly once
        Assert.Equal(600, applied + failures.Count);
    }

    /// <summary>Two models alike but for the guard: <c>DetectConcurrentUse = false</c> changes nothing else.</summary>
    [Optimize(typeof(RmsProp))]
    public partial class Guarded
    {
        [Param] public float W = 0.5f;
        [Param] public double B = -0.25;
        [Param] public float[] A = new float[37];

        [Loss]
        public float Loss(float x, float y)
        {
            float p = (W * x) + (float)B;
            for (int i = 0; i < 3; i++)
            {
                p += A[i] * x;
            }

            return 0.5f * (p - y) * (p - y);
        }
    }

    /// <inheritdoc cref="Guarded"/>
    [Optimize(typeof(RmsProp), DetectConcurrentUse = false)]
    public partial class Unguarded
    {
        [Param] public float W = 0.5f;
        [Param] public double B = -0.25;
        [Param] public float[] A = new float[37];

        [Loss]
        public float Loss(float x, float y)
        {
            float p = (W * x) + (float)B;
            for (int i = 0; i < 3; i++)
            {
                p += A[i] * x;
            }

            return 0.5f * (p - y) * (p - y);
        }
    }

    [Fact]
    public void Without_the_guard_every_member_computes_the_same_bits_and_allocates_nothing()
    {
        var options = RmsProp.PyTorch with { Momentum = 0.9, Centered = true };
        var guarded = new Guarded { Optimizer = options };
        var unguarded = new Unguarded { Optimizer = options };
        float[] xs = [0.5f, -1.5f, 2f, 0.25f], ys = [1f, -0.5f, 0.75f, 2f];
        var random = new Random(7);
        for (int step = 0; step < 20; step++)
        {
            Assert.Equal(guarded.Step(xs, ys), unguarded.Step(xs, ys));
            float g = (float)random.NextDouble() - 0.5f;
            guarded.Grad.W = unguarded.Grad.W = g;
            guarded.Grad.A[step] = unguarded.Grad.A[step] = -g;
            Assert.Equal(guarded.AccumulateGradients(xs[step % 4], ys[step % 4]), unguarded.AccumulateGradients(xs[step % 4], ys[step % 4]));
            Assert.Equal(guarded.ApplyGradients(), unguarded.ApplyGradients());
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(guarded.W), BitConverter.SingleToInt32Bits(unguarded.W));
        Assert.Equal(BitConverter.DoubleToInt64Bits(guarded.B), BitConverter.DoubleToInt64Bits(unguarded.B));
        Assert.Equal(guarded.A, unguarded.A);
        Assert.Equal(guarded.OptimizerState.A.SquareAvg, unguarded.OptimizerState.A.SquareAvg);
        Assert.Equal(guarded.StepCount, unguarded.StepCount);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 100; step++)
        {
            unguarded.Step(xs, ys);
            unguarded.ApplyGradients();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Without_the_guard_a_loss_that_throws_still_leaves_Grad_zeroed()
    {
        var model = new Unguarded();
        model.A = new float[2];   // the loss reads A[2]: out of range in the third iteration
        model.Grad.A = new float[2];
        model.Grad.W = 5f;
        Assert.Throws<IndexOutOfRangeException>(() => model.AccumulateGradients(1f, 2f));
        Assert.Equal(0f, model.Grad.W);
        Assert.Equal(0, model.StepCount);
    }

    [Fact]
    public async Task A_model_can_be_used_from_different_threads_one_after_another()
    {
        var model = new BigModel();
        for (int i = 0; i < 4; i++)
        {
            await Task.Run(() => model.ApplyGradients());
        }

        Assert.Equal(4, model.StepCount);
    }
}
