using System;
using System.Threading;

namespace OptimizerGen.Kernels;

/// <summary>One piece of work split into chunks that can run on different threads.</summary>
internal abstract class ChunkedWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> of <paramref name="chunks"/>.</summary>
    public abstract void Run(int chunk, int chunks);
}

/// <summary>
/// A few dedicated background threads for the opt-in multi-threaded update of large arrays. The caller runs chunk 0
/// itself and waits for the others; nothing is allocated per call once the threads exist. One call at a time uses the
/// pool (others wait), so two models updating in parallel never mix their chunks.
/// </summary>
internal static class WorkerPool
{
    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    // Released once by each worker when its chunk is done. A SemaphoreSlim, not a CountdownEvent: the latter's
    // ManualResetEventSlim allocates its lock object the first time a wait really blocks, which can be any step.
    private static readonly SemaphoreSlim Done = new(0);
    private static ChunkedWork? _work;
    private static int _chunks;
    private static Exception? _failure;

    /// <summary>Runs every chunk of <paramref name="work"/>, on up to <paramref name="chunks"/> threads including the caller.</summary>
    /// <exception cref="AggregateException">A chunk threw; the first exception is inside.</exception>
    public static void Run(ChunkedWork work, int chunks)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        if (chunks == 1)
        {
            work.Run(0, 1);
            return;
        }

        lock (Gate)
        {
            EnsureWorkers(chunks - 1);
            _work = work;
            _chunks = chunks;
            _failure = null;
            for (int i = 1; i < chunks; i++)
            {
                _workers[i - 1].Start(i);
            }

            try
            {
                work.Run(0, chunks);
            }
            finally
            {
                for (int i = 1; i < chunks; i++)
                {
                    Done.Wait();
                }

                _work = null;
            }

            if (_failure is not null)
            {
                throw new AggregateException("A chunk of a multi-threaded update failed.", _failure);
            }
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
        private readonly SemaphoreSlim _go = new(0);
        private int _chunk;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"OptimizerGen worker {index + 1}" };
            thread.Start();
        }

        public void Start(int chunk)
        {
            _chunk = chunk;
            _go.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                try
                {
                    _work!.Run(_chunk, _chunks);
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref _failure, ex, null);
                }
                finally
                {
                    Done.Release();
                }
            }
        }
    }
}
