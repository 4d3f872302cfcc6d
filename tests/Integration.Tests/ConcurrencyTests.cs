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
