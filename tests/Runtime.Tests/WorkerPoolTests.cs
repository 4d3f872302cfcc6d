using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OptimizerGen.Kernels;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="WorkerPool"/>: every element runs exactly once, in blocks that start at whole multiples of 64 elements, on no
/// more threads than asked or than there are blocks; a failing block is reported and the pool still works afterwards.
/// </summary>
public class WorkerPoolTests
{
    private const int Block = WorkerPool.BlockLength;

    /// <summary>Records every range it is given and the threads that ran them.</summary>
    private sealed class Recorder(int length, int failAtStart = -1, int spin = 200) : ChunkedWork
    {
        private readonly object _gate = new();

        public List<(int Start, int Length)> Ranges { get; } = [];

        public HashSet<int> Threads { get; } = [];

        /// <summary>Blocks finished: when Run returns, every block must be (the caller waits for the helpers that started).</summary>
        public int Completed => Volatile.Read(ref _completed);

        private int _completed;

        public override int Length => length;

        public override void Run(int start, int length)
        {
            lock (_gate)
            {
                Ranges.Add((start, length));
                Threads.Add(Environment.CurrentManagedThreadId);
            }

            if (start == failAtStart)
            {
                throw new InvalidOperationException($"block at {start}");
            }

            Thread.SpinWait(spin);   // by default long enough that a helper gets a block now and then
            Interlocked.Increment(ref _completed);
        }
    }

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
    public void EveryElement_RunsOnce_InBlocksOfWholeMultiplesOf64(int n, int threads)
    {
        var work = new Recorder(n);
        WorkerPool.Run(work, threads);

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
    public void QuickCalls_OneAfterAnother_EachRunEveryBlockOnce()
    {
        // Three blocks that take no time: the caller usually runs them all before the helper wakes up, calls the helper
        // off and returns without waiting for it; the helper then wakes to an offer withdrawn, or to the next call's.
        // Every call must still run each block exactly once, and none may wait for a helper that never started.
        for (int call = 0; call < 2_000; call++)
        {
            var work = new Recorder(3 * Block, spin: 0);
            WorkerPool.Run(work, 2);
            Assert.Equal([0, Block, 2 * Block], work.Ranges.Select(r => r.Start).Order());
            Assert.Equal(3, work.Completed);
        }

        // and the helper still takes blocks when there is time to.
        var slow = new Recorder(256 * Block, spin: 20_000);
        WorkerPool.Run(slow, 2);
        Assert.Equal(256, slow.Completed);
        Assert.Equal(2, slow.Threads.Count);
    }

    [Fact]
    public void OneBlock_RunsOnTheCaller()
    {
        var work = new Recorder(Block);
        WorkerPool.Run(work, 4);
        Assert.Equal([Environment.CurrentManagedThreadId], work.Threads);
    }

    [Fact]
    public void AFailingBlock_IsReported_AndThePoolStillWorks()
    {
        var failing = new Recorder(40 * Block, failAtStart: 3 * Block);
        var error = Assert.Throws<AggregateException>(() => WorkerPool.Run(failing, 2));
        var inner = Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));
        Assert.Equal($"block at {3 * Block}", inner.Message);
        Assert.True(failing.Ranges.Count < 40, $"{failing.Ranges.Count} blocks ran: the failure should stop further takes");

        var next = new Recorder(5 * Block);
        WorkerPool.Run(next, 2);
        Assert.Equal(5, next.Ranges.Count);
        Assert.Equal(5 * Block, next.Ranges.Sum(r => r.Length));
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => WorkerPool.Run(null!, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new Recorder(10), 0));
    }
}
