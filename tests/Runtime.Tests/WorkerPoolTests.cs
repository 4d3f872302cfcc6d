using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OptimizerGen.Kernels;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="WorkerPool"/>: every element runs exactly once, in blocks that start at whole multiples of 64 elements, on no
/// more threads than asked or than there are blocks; <c>Run</c> returns only when every started block has finished; a
/// helper that has not woken is not waited for; a failing block is reported and the pool still works afterwards. Each call
/// runs under a time limit, so a pool that waits for a helper that will never come fails instead of hanging the run.
/// </summary>
public class WorkerPoolTests
{
    private const int Block = WorkerPool.BlockLength;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Records every range it is given, the threads that ran them, and how many have finished.</summary>
    private sealed class Recorder(int length) : ChunkedWork
    {
        private readonly object _gate = new();
        private int _completed;
        private bool _callerStarted;

        /// <summary>Blocks from this start on throw.</summary>
        public int FailFrom { get; init; } = int.MaxValue;

        /// <summary>SpinWait iterations per block on every thread.</summary>
        public int Spin { get; init; }

        /// <summary>Milliseconds each block run by a helper sleeps.</summary>
        public int HelperSleep { get; init; }

        /// <summary>When set, the caller's first block waits until a helper has started a block.</summary>
        public int? CallerThread { get; init; }

        public List<(int Start, int Length)> Ranges { get; } = [];

        public HashSet<int> Threads { get; } = [];

        public int Completed => Volatile.Read(ref _completed);

        public override int Length => length;

        public override void Run(int start, int length)
        {
            int thread = Environment.CurrentManagedThreadId;
            bool callersFirst;
            lock (_gate)
            {
                callersFirst = thread == CallerThread && !_callerStarted;
                _callerStarted |= thread == CallerThread;
                Ranges.Add((start, length));
                Threads.Add(thread);
            }

            if (start >= FailFrom)
            {
                throw new InvalidOperationException($"block at {start}");
            }

            if (callersFirst)
            {
                Assert.True(SpinWait.SpinUntil(() => { lock (_gate) { return Threads.Count > 1; } }, Limit), "no helper started a block");
            }

            if (HelperSleep > 0 && CallerThread is int caller && thread != caller)
            {
                Thread.Sleep(HelperSleep);
            }

            Thread.SpinWait(Spin);
            Interlocked.Increment(ref _completed);
        }
    }

    /// <summary>Runs <paramref name="action"/> on another task: a TimeoutException fails the test if it has not returned within the limit.</summary>
    private static Task WithinLimit(Action action) => Task.Run(action).WaitAsync(Limit);

    [Theory]
    [InlineData(1, 2)]
    [InlineData(Block - 1, 2)]
    [InlineData(Block, 2)]
    [InlineData(Block + 1, 2)]
    [InlineData(2 * Block, 2)]
    [InlineData(3 * Block + 5, 2)]
    [InlineData(3 * Block + 5, 3)]
    [InlineData(17 * Block + 63, 8)]
    [InlineData(17 * Block + 63, 1)]
    public async Task EveryElement_RunsOnce_InBlocksOfWholeMultiplesOf64(int n, int threads)
    {
        var work = new Recorder(n) { Spin = 200 };
        await WithinLimit(() => WorkerPool.Run(work, threads));

        var ranges = work.Ranges.OrderBy(r => r.Start).ToList();
        int expectedBlocks = threads == 1 ? 1 : (n + Block - 1) / Block;
        Assert.Equal(expectedBlocks, ranges.Count);
        int next = 0;
        foreach ((int start, int length) in ranges)
        {
            Assert.Equal(next, start);                  // no gap, no overlap
            Assert.Equal(0, start % 64);                // every element sees the single-threaded vector split
            Assert.True(length > 0);
            next = start + length;
        }

        Assert.Equal(n, next);
        Assert.Equal(expectedBlocks, work.Completed);
        Assert.InRange(work.Threads.Count, 1, Math.Min(threads, expectedBlocks));
    }

    [Fact]
    public Task Run_ReturnsOnlyWhenAStartedHelperHasFinished() =>
        // The caller's first block waits until the helper has started one; the helper then sleeps in it while the caller
        // runs out of blocks. The caller must wait for that block.
        WithinLimit(() =>
        {
            var work = new Recorder(8 * Block) { CallerThread = Environment.CurrentManagedThreadId, HelperSleep = 100 };
            WorkerPool.Run(work, 2);
            Assert.Equal(8, work.Completed);
            Assert.Equal(2, work.Threads.Count);
        });

    [Fact]
    public Task QuickCalls_OneAfterAnother_EachRunEveryBlockOnce() =>
        // Three blocks that take no time: the caller usually runs them all before the helper wakes up, calls the helper
        // off and returns without waiting for it; the helper then wakes to an offer withdrawn, or to the next call's.
        // Every call must still run each block exactly once, finished, and none may wait for a helper that never started.
        WithinLimit(() =>
        {
            for (int call = 0; call < 2_000; call++)
            {
                var work = new Recorder(3 * Block);
                WorkerPool.Run(work, 2);
                Assert.Equal([0, Block, 2 * Block], work.Ranges.Select(r => r.Start).Order());
                Assert.Equal(3, work.Completed);
            }
        });

    [Fact]
    public void OneBlock_RunsOnTheCaller()
    {
        var work = new Recorder(Block);
        WorkerPool.Run(work, 4);
        Assert.Equal([Environment.CurrentManagedThreadId], work.Threads);
    }

    [Fact]
    public async Task AFailingBlock_IsReported_NoThreadTakesAnotherBlock_AndThePoolStillWorks()
    {
        // Every block throws: each thread fails on the first block it takes and takes no other, whatever the timing.
        var failing = new Recorder(40 * Block) { FailFrom = 0 };
        var error = await Assert.ThrowsAsync<AggregateException>(() => WithinLimit(() => WorkerPool.Run(failing, 2)));
        var inner = Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));
        Assert.StartsWith("block at ", inner.Message);
        Assert.InRange(failing.Ranges.Count, 1, 2);

        var next = new Recorder(5 * Block);
        await WithinLimit(() => WorkerPool.Run(next, 2));
        Assert.Equal(5, next.Completed);
        Assert.Equal(5 * Block, next.Ranges.Sum(r => r.Length));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => WorkerPool.Run(null!, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new Recorder(10), 0));
    }
}
