using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="ConcurrentUse"/>: two calls are never inside one model at once, whichever thread makes them and whatever the
/// timing; a refused call leaves the guard as it found it; the owning thread's calls allocate nothing.
/// </summary>
public class ConcurrentUseTests
{
    /// <summary>What a generated model holds: the guard, in a field other threads reach.</summary>
    private sealed class Model
    {
        public ConcurrentUseGuard Guard;
        public int Inside;       // how many calls are inside right now, counted atomically
        public int MostInside;
        public long Entered, Refused;
    }

    /// <summary>One guarded call, as the generated members make it, that records how many calls were inside with it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Call(Model model, int work)
    {
        ConcurrentUse.Owner owner;
        try
        {
            owner = ConcurrentUse.Enter(ref model.Guard, "Model");
        }
        catch (InvalidOperationException)
        {
            Interlocked.Increment(ref model.Refused);
            return;
        }

        try
        {
            int inside = Interlocked.Increment(ref model.Inside);
            if (inside > Volatile.Read(ref model.MostInside))
            {
                Interlocked.Exchange(ref model.MostInside, inside);
            }

            Thread.SpinWait(work);
            Interlocked.Decrement(ref model.Inside);
            Interlocked.Increment(ref model.Entered);
        }
        finally
        {
            ConcurrentUse.Exit(owner);
        }
    }

    /// <summary>The same call one frame deeper: the owner's entry at another stack depth.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CallDeeper(Model model, int work) => Call(model, work);

    /// <summary>
    /// <see cref="ConcurrentUse.TryEnter"/>, the fast entry alone that <c>ApplyGradients</c>' plain step runs without a
    /// <c>try</c>: it gets in only for the owner, outside a call; otherwise it returns false and leaves the guard as it was,
    /// and the slow entry, given the same stack mark, finishes the job.
    /// </summary>
    [Fact]
    public void TryEnter_gets_in_only_on_the_owners_fast_path_and_otherwise_changes_nothing()
    {
        var model = new Model();
        Assert.False(ConcurrentUse.TryEnter(ref model.Guard, out var none, out nint mark));   // nobody owns it yet
        Assert.Null(none);
        Assert.Null(model.Guard.Owner);

        var first = ConcurrentUse.Enter(ref model.Guard, mark, "Model");
        Assert.Same(first, model.Guard.Owner);
        Assert.False(ConcurrentUse.TryEnter(ref model.Guard, out _, out _));   // inside a call
        Assert.Equal(1, first.InCall);
        ConcurrentUse.Exit(first);

        Assert.True(ConcurrentUse.TryEnter(ref model.Guard, out var again, out _));   // the owner, outside a call
        Assert.Same(first, again);
        Assert.Equal(1, first.InCall);
        Assert.False(ConcurrentUse.TryEnter(ref model.Guard, out _, out _));   // and not again from inside it
        ConcurrentUse.Exit(again);
        Assert.Equal(0, first.InCall);

        // Another thread is not the owner: false, and no takeover has begun.
        Assert.False(OnAnotherThread(() => ConcurrentUse.TryEnter(ref model.Guard, out _, out _)));
        Assert.Same(first, model.Guard.Owner);
        Assert.Equal(0, first.InCall);
        Assert.Equal(0, model.Guard.TakingOver);
        Assert.Equal(0, model.Guard.HandOvers);
    }

    /// <summary>
    /// The owner's window: a stack mark within 512 bytes either side of the one recorded passes, farther does not (the
    /// owner keeps the window's low end, the mark less 512). The same call site's mark moves by a few bytes between calls
    /// (TryEnter's code may be recompiled by the tiered JIT in between), so the edges are tested 32 bytes in and out.
    /// </summary>
    [Fact]
    public void The_owners_window_is_512_bytes_either_side_of_its_recorded_mark()
    {
        var model = new Model();
        ConcurrentUse.TryEnter(ref model.Guard, out _, out nint mark);
        var owner = ConcurrentUse.Enter(ref model.Guard, mark, "Model");
        ConcurrentUse.Exit(owner);

        // Move the recorded mark instead of the stack: this frame's mark then lies about that far from it.
        foreach ((nint offset, bool inside) in new (nint, bool)[] { (0, true), (480, true), (-480, true), (544, false), (-544, false), (4096, false) })
        {
            owner.StackLow = mark + offset - 512;
            bool entered = ConcurrentUse.TryEnter(ref model.Guard, out var got, out _);
            Assert.True(inside == entered, $"a mark {offset} bytes from the recorded one: entered {entered}");
            if (entered)
            {
                ConcurrentUse.Exit(got!);
            }

            Assert.Equal(0, owner.InCall);
        }
    }

    /// <summary>
    /// Two threads call at once, a quarter of the calls one frame deeper (the owner's middle path), for 100 000 calls each.
    /// Biased: the guard kept from turning shared, so every overlap meets the asymmetric protocol. Shared: the guard one
    /// hand-over short of <see cref="ConcurrentUse.SharedAfter"/>, so it turns shared at the run's first completed hand-over
    /// (while the two threads overlap, most takeovers are refused, and those do not count) and then every entry is a
    /// compare-and-swap.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Calls_from_two_threads_at_once_are_never_both_inside(bool shared)
    {
        var model = new Model();
        model.Guard.HandOvers = shared ? ConcurrentUse.SharedAfter - 1 : int.MinValue;
        using var start = new Barrier(2);
        void Hammer(int seed)
        {
            var random = new Random(seed);
            start.SignalAndWait();
            for (int i = 0; i < 100_000; i++)
            {
                if (random.Next(4) == 0)
                {
                    CallDeeper(model, random.Next(3));
                }
                else
                {
                    Call(model, random.Next(3));
                }
            }
        }

        // On two busy cores one thread may finish its calls before the other is scheduled, and a call that comes in
        // during a takeover waits instead of being refused: rounds until the two have overlapped (one round, as a rule).
        int rounds = 0;
        do
        {
            var first = new Thread(() => Hammer((2 * rounds) + 1));
            var second = new Thread(() => Hammer((2 * rounds) + 2));
            first.Start();
            second.Start();
            first.Join();
            second.Join();
            rounds++;
        }
        while (model.Refused == 0 && rounds < 20);

        Assert.Equal(1, model.MostInside);
        Assert.Equal(0, model.Inside);
        Assert.Equal(rounds * 200_000L, model.Entered + model.Refused);
        Assert.True(model.Refused > 0, "the threads never overlapped: the test did not test the guard");
        Assert.True(model.Entered > 0);
        Assert.Equal(shared, ConcurrentUse.IsShared(model.Guard));
    }

    [Fact]
    public void Turning_shared_while_the_owner_is_inside_is_refused_and_changes_nothing()
    {
        var model = new Model();
        Call(model, 0);
        model.Guard.HandOvers = ConcurrentUse.SharedAfter - 1;   // the next hand-over turns the guard shared
        var inside = ConcurrentUse.Enter(ref model.Guard, "Model");
        Assert.IsType<InvalidOperationException>(OnAnotherThread(() => Record.Exception(() => ConcurrentUse.Enter(ref model.Guard, "Model"))));
        Assert.False(ConcurrentUse.IsShared(model.Guard));
        ConcurrentUse.Exit(inside);

        OnAnotherThread(() => Call(model, 0));
        Assert.True(ConcurrentUse.IsShared(model.Guard));
        var shared = ConcurrentUse.Enter(ref model.Guard, "Model");
        Assert.IsType<InvalidOperationException>(Record.Exception(() => ReEnter(model)));   // re-entry, now by compare-and-swap
        Assert.IsType<InvalidOperationException>(OnAnotherThread(() => Record.Exception(() => ConcurrentUse.Enter(ref model.Guard, "Model"))));
        ConcurrentUse.Exit(shared);
        Assert.Equal(2, model.Entered);
    }

    [Fact]
    public void A_refused_call_leaves_the_model_with_the_call_inside()
    {
        var model = new Model();
        var inside = ConcurrentUse.Enter(ref model.Guard, "Model");

        // Another thread, twice: each attempt is refused, and the first one's refusal must not hand the model to it.
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var error = OnAnotherThread(() => Assert.Throws<InvalidOperationException>(() => ConcurrentUse.Enter(ref model.Guard, "Model")));
            Assert.Contains("same Model at once", error.Message, StringComparison.Ordinal);
        }

        ConcurrentUse.Exit(inside);

        // Now the other thread gets in, and then this one takes the model back.
        OnAnotherThread(() => ConcurrentUse.Exit(ConcurrentUse.Enter(ref model.Guard, "Model")));
        var again = ConcurrentUse.Enter(ref model.Guard, "Model");
        var refused = OnAnotherThread(() => Record.Exception(() => ConcurrentUse.Enter(ref model.Guard, "Model")));
        Assert.IsType<InvalidOperationException>(refused);
        ConcurrentUse.Exit(again);
    }

    /// <summary>
    /// A thread refused again and again while the owner is inside a call takes nothing over, so it brings the guard no
    /// nearer to shared; completed hand-overs still count, and the <see cref="ConcurrentUse.SharedAfter"/>th turns it shared.
    /// </summary>
    [Fact]
    public void Refused_takeovers_do_not_count_as_hand_overs()
    {
        var model = new Model();
        var inside = ConcurrentUse.Enter(ref model.Guard, "Model");
        OnAnotherThread(() =>
        {
            for (int attempt = 0; attempt < 2 * ConcurrentUse.SharedAfter; attempt++)
            {
                Assert.Throws<InvalidOperationException>(() => ConcurrentUse.Enter(ref model.Guard, "Model"));
            }
        });
        ConcurrentUse.Exit(inside);
        Assert.Equal(0, model.Guard.HandOvers);

        // Another thread, then this one, and so on: each call is a completed hand-over.
        for (int handOvers = 1; handOvers <= ConcurrentUse.SharedAfter; handOvers++)
        {
            Assert.False(ConcurrentUse.IsShared(model.Guard), $"shared before hand-over {handOvers}");
            if (handOvers % 2 == 1)
            {
                OnAnotherThread(() => Call(model, 0));
            }
            else
            {
                Call(model, 0);
            }
        }

        Assert.True(ConcurrentUse.IsShared(model.Guard));
        Assert.Equal(ConcurrentUse.SharedAfter, model.Entered);
        Assert.Equal(0, model.Refused);
    }

    /// <summary>
    /// A thread that owned the model and ended is not inside a call, and a new thread takes the model over from it: a new
    /// <see cref="ConcurrentUse.Owner"/>, one hand-over. The new thread must not pass for the dead one by the middle path,
    /// even when it has the dead thread's managed thread id (which the runtime hands out again once the dead thread's
    /// <see cref="Thread"/> is collected): the middle path knows a thread by an object of its own, which is not reused
    /// while an owner holds it. The new thread calls from 2 KiB deeper, so that it misses the dead owner's stack window
    /// even if it got the dead thread's stack memory back.
    /// </summary>
    [Fact]
    public void A_new_thread_with_a_dead_owners_thread_id_takes_the_model_over()
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var model = new Model();
            CollectEndedThreads();   // so that the owner's id is the one freed next, or nearly
            int deadId = OnAnotherThread(() =>
            {
                Call(model, 0);
                return Environment.CurrentManagedThreadId;
            });
            var dead = model.Guard.Owner;
            CollectEndedThreads();

            ConcurrentUse.Owner? owner = null;
            if (OnAThreadWithId(deadId, () =>
            {
                CallFarBelow(model);
                owner = model.Guard.Owner;
            }))
            {
                Assert.NotNull(dead);
                Assert.NotSame(dead, owner);
                Assert.Equal(1, model.Guard.HandOvers);
                Assert.Equal(2, model.Entered);
                return;
            }
        }

        Assert.Fail("no new thread got the ended owner's managed thread id: the test did not test the guard");
    }

    /// <summary>Collects the <see cref="Thread"/> objects of ended threads, which gives their managed ids back to the runtime.</summary>
    private static void CollectEndedThreads()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// Starts new threads until one has managed thread id <paramref name="id"/>, and runs <paramref name="work"/> on it;
    /// the others wait until then, holding on to their ids. False if 64 threads did not get it (another thread did).
    /// </summary>
    private static bool OnAThreadWithId(int id, Action work)
    {
        using var release = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);
        var threads = new List<Thread>();
        bool found = false;
        Exception? failure = null;
        try
        {
            while (!found && threads.Count < 64)
            {
                var thread = new Thread(() =>
                {
                    if (Environment.CurrentManagedThreadId != id)
                    {
                        started.Release();
                        release.Wait();
                        return;
                    }

                    try
                    {
                        work();
                    }
                    catch (Exception e)
                    {
                        failure = e;
                    }

                    found = true;
                    started.Release();
                });
                threads.Add(thread);
                thread.Start();
                started.Wait();
            }
        }
        finally
        {
            release.Set();
            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        return failure is null ? found : throw new InvalidOperationException("the thread failed", failure);
    }

    /// <summary><see cref="Call"/> from a frame 2 KiB below this one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CallFarBelow(Model model)
    {
        Span<byte> below = stackalloc byte[2048];
        Call(model, 0);
        return below[0];
    }

    /// <summary>
    /// Another thread is taking the model over, as <c>TryTakeOver</c> does, set up by hand: it holds the flag and its owner is
    /// published. If it gives the model back (the owner it found was inside a call), the owner's next call overlaps no call
    /// that got in: it waits for the taker and gets in. If the takeover goes through and the taker's call is under way, the
    /// waiting call is refused all the same.
    /// </summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_call_made_while_another_thread_takes_over_waits_for_the_outcome(bool takerGetsIn, bool sharing)
    {
        var model = new Model();
        Call(model, 0);
        var owner = model.Guard.Owner!;
        // sharing: the takeover that turns the guard shared, whose owner is the shared one, published with InCall = 1.
        var taker = new ConcurrentUse.Owner(sharing ? ConcurrentUse.Shared : new object(), 0, inCall: 1);
        model.Guard.TakingOver = 1;
        Volatile.Write(ref model.Guard.Owner, taker);
        var outcome = new Thread(() =>
        {
            Thread.Sleep(50);   // long after the call below has found the takeover under way
            if (takerGetsIn)
            {
                model.Guard.HandOvers++;
            }
            else
            {
                Volatile.Write(ref model.Guard.Owner, owner);
            }

            Volatile.Write(ref model.Guard.TakingOver, 0);
        });
        outcome.Start();
        Call(model, 0);
        outcome.Join();

        Assert.Equal(takerGetsIn ? 1 : 2, model.Entered);
        Assert.Equal(takerGetsIn ? 1 : 0, model.Refused);
        Assert.Same(takerGetsIn ? taker : owner, model.Guard.Owner);
        Assert.Equal(takerGetsIn ? 1 : 0, model.Guard.HandOvers);
        Assert.Equal(0, model.Guard.TakingOver);
    }

    /// <summary>
    /// A refused taker's exception runs its <c>catch … when</c> filters before any <c>finally</c>. A filter that calls the
    /// same model again must be refused in turn, not wait for ever on the takeover flag its own thread would still hold.
    /// </summary>
    [Fact]
    public void A_refused_taker_whose_exception_filter_calls_the_model_again_is_refused_again_and_does_not_hang()
    {
        var model = new Model();
        Call(model, 0);
        var owner = model.Guard.Owner!;
        Volatile.Write(ref owner.InCall, 1);   // the owner is inside a call
        bool innerRefused = false, outerRefused = false;
        bool CallsAgain()
        {
            try
            {
                ConcurrentUse.Exit(ConcurrentUse.Enter(ref model.Guard, "Model"));
            }
            catch (InvalidOperationException)
            {
                innerRefused = true;
            }

            return false;
        }

        var taker = new Thread(() =>
        {
            try
            {
                ConcurrentUse.Exit(ConcurrentUse.Enter(ref model.Guard, "Model"));
            }
            catch (InvalidOperationException) when (CallsAgain())
            {
            }
            catch (InvalidOperationException)
            {
                outerRefused = true;
            }
        }) { IsBackground = true };   // if it hangs, it must not keep the test run alive
        taker.Start();

        Assert.True(taker.Join(TimeSpan.FromSeconds(30)), "the refused taker's filter is still waiting for the takeover flag");
        Assert.True(innerRefused);
        Assert.True(outerRefused);
        Assert.Equal(0, model.Guard.TakingOver);
        Assert.Same(owner, model.Guard.Owner);
        Volatile.Write(ref owner.InCall, 0);
        Call(model, 0);
        Assert.Equal(2, model.Entered);
    }

    /// <summary>Runs <paramref name="work"/> on a new thread (never this one).</summary>
    private static void OnAnotherThread(Action work) => OnAnotherThread(() =>
    {
        work();
        return 0;
    });

    /// <summary>Runs <paramref name="work"/> on a new thread (never this one) and returns what it returned.</summary>
    private static T OnAnotherThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("the other thread failed", failure);
    }

    [Fact]
    public void A_call_from_inside_a_call_on_the_same_thread_is_refused()
    {
        var model = new Model();
        var outer = ConcurrentUse.Enter(ref model.Guard, "Model");
        var error = Assert.Throws<InvalidOperationException>(() => ReEnter(model));
        Assert.Contains("re-entered", error.Message, StringComparison.Ordinal);
        ConcurrentUse.Exit(outer);

        ConcurrentUse.Exit(ReEnter(model));   // and once the outer call has left, the same entry is accepted
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ConcurrentUse.Owner ReEnter(Model model) => ConcurrentUse.Enter(ref model.Guard, "Model");

    [Fact]
    public void The_owning_thread_allocates_nothing_at_one_depth_or_at_several()
    {
        var model = new Model();
        Call(model, 0);
        CallDeeper(model, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Call(model, 0);
            CallDeeper(model, 0);   // another stack address each time: the thread-id path, without taking over
            Call(model, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3002, model.Entered);
        Assert.Equal(0, model.Refused);
    }

    /// <summary>Twenty threads, one after another, each followed by this one: every call gets in, and the guard turns shared.</summary>
    [Fact]
    public void Threads_that_take_turns_all_get_in()
    {
        var model = new Model();
        for (int i = 0; i < 20; i++)
        {
            var thread = new Thread(() => Call(model, 0));
            thread.Start();
            thread.Join();
            Call(model, 0);
        }

        Assert.Equal(40, model.Entered);
        Assert.Equal(0, model.Refused);
        Assert.True(ConcurrentUse.IsShared(model.Guard));   // 39 hand-overs: shared after the eighth
    }
}
