using System;
using System.Threading;

namespace OptimizerGen.Kernels;

/// <summary>One piece of work over the elements 0 … <see cref="Length"/> − 1, any range of which can run on any thread.</summary>
internal abstract class ChunkedWork
{
    /// <summary>The number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Runs the <paramref name="length"/> elements from <paramref name="start"/>.</summary>
    public abstract void Run(int start, int length);
}

/// <summary>
/// A few dedicated background threads for the opt-in multi-threaded update of large arrays. The work is cut into blocks of
/// <see cref="BlockLength"/> elements, and the caller and the workers take the next block in turn until none is left, so a
/// thread the machine runs more slowly (another process on its core, a late wake-up) ends up doing less of the work rather
/// than holding up the whole step. Nothing is allocated per call once the threads exist. One call at a time uses the pool
/// (others wait), so two models updating in parallel never mix their blocks.
/// </summary>
internal static class WorkerPool
{
    /// <summary>
    /// Elements per block: a whole multiple of 64, so every block but the last is whole vectors of every width and every
    /// element goes through exactly the arithmetic of the single-threaded update; 256 KiB of floats per stream, so the
    /// few hundred blocks of a 16M array cost a few hundred interlocked increments against milliseconds of streaming.
    /// </summary>
    public const int BlockLength = 1 << 16;

    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    // Released once by each worker that took the work, when it finds no block left. A SemaphoreSlim, not a CountdownEvent: the latter's
    // ManualResetEventSlim allocates its lock object the first time a wait really blocks, which can be any step.
    private static readonly SemaphoreSlim Done = new(0);
    private static ChunkedWork? _work;
    private static int _length;
    private static int _blocks;
    private static int _nextBlock;
    private static Exception? _failure;

    /// <summary>
    /// Runs every block of <paramref name="work"/>, on up to <paramref name="threads"/> threads including the caller (no
    /// more than there are blocks), and returns when every block that was started has finished.
    /// </summary>
    /// <exception cref="AggregateException">A block threw; the first exception is inside. No thread takes another block once
    /// the failure is recorded, so blocks after it may not have run.</exception>
    public static void Run(ChunkedWork work, int threads)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int length = work.Length;
        int blocks = Blocks(length);
        int helpers = Math.Min(threads, blocks) - 1;
        if (helpers <= 0)
        {
            work.Run(0, length);
            return;
        }

        lock (Gate)
        {
            EnsureWorkers(helpers);
            _work = work;
            _length = length;
            _blocks = blocks;
            _nextBlock = 0;
            _failure = null;
            int posted = 0;
            try
            {
                for (; posted < helpers; posted++)
                {
                    _workers[posted].Post();
                }

                RunBlocks(work);
            }
            finally
            {
                // A helper that has not woken up yet is called off: the caller has done its share already, and waiting
                // for a thread the machine has not run (another process on its core, a halted virtual CPU) would make the
                // step slower than one thread. Only the helpers that started are waited for, and waited for in full, even
                // through an interrupt: a helper still running when the next call resets the blocks would run that call's
                // blocks on this call's arrays. (A Post that threw has already marked its helper Posted: it is called off
                // with the others.)
                int started = 0;
                for (int i = 0; i < Math.Min(posted + 1, helpers); i++)
                {
                    if (!_workers[i].CallOff())
                    {
                        started++;
                    }
                }

                bool interrupted = false;
                for (int i = 0; i < started; i++)
                {
                    while (true)
                    {
                        try
                        {
                            Done.Wait();
                            break;
                        }
                        catch (ThreadInterruptedException)
                        {
                            interrupted = true;
                        }
                    }
                }

                _work = null;
                if (interrupted)
                {
                    Thread.CurrentThread.Interrupt();   // the caller's next blocking wait sees it, as it would have
                }
            }

            Exception? failure = _failure;
            _failure = null;
            if (failure is not null)
            {
                throw new AggregateException("A block of a multi-threaded update failed.", failure);
            }
        }
    }

    /// <summary>The number of blocks of <paramref name="length"/> elements (at least 1).</summary>
    private static int Blocks(int length) => Math.Max(1, (int)(((long)length + BlockLength - 1) / BlockLength));

    /// <summary>Takes the next block and runs it until none is left; a failure stops every thread's next take.</summary>
    private static void RunBlocks(ChunkedWork work)
    {
        int n = _length;
        try
        {
            for (int block = Interlocked.Increment(ref _nextBlock) - 1; block < _blocks; block = Interlocked.Increment(ref _nextBlock) - 1)
            {
                int start = block * BlockLength;
                work.Run(start, Math.Min(BlockLength, n - start));
            }
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
            Volatile.Write(ref _nextBlock, _blocks);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        var workers = new Worker[count];
        Array.Copy(_workers, workers, _workers.Length);
        for (int i = _workers.Length; i < count; i++)
        {
            workers[i] = new Worker(i);
        }

        _workers = workers;
    }

    private sealed class Worker
    {
        private const int Idle = 0, Posted = 1, Running = 2;

        private readonly SemaphoreSlim _go = new(0);
        private int _state;   // Idle, Posted (by the caller, not yet taken) or Running (taken by this worker)

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"OptimizerGen worker {index + 1}" };
            thread.Start();
        }

        /// <summary>Offers this worker the current work and wakes it.</summary>
        public void Post()
        {
            Volatile.Write(ref _state, Posted);
            _go.Release();
        }

        /// <summary>
        /// Withdraws the offer if this worker has not taken it yet: true when called off (it will not touch this work and
        /// releases nothing); false when it is running the work or has run it (it releases <c>Done</c> once).
        /// </summary>
        public bool CallOff() => Interlocked.CompareExchange(ref _state, Idle, Posted) == Posted;

        private void Loop()
        {
            while (true)
            {
                _go.Wait();

                // A wake-up whose offer was called off finds Idle and waits again; one that finds a later offer takes it,
                // and the wake-up meant for that offer then finds Idle.
                if (Interlocked.CompareExchange(ref _state, Running, Posted) != Posted)
                {
                    continue;
                }

                try
                {
                    RunBlocks(_work!);
                }
                finally
                {
                    Volatile.Write(ref _state, Idle);
                    Done.Release();
                }
            }
        }
    }
}
