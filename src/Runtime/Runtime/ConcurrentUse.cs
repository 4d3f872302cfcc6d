using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;

namespace OptimizerGen.Runtime;

/// <summary>
/// One model's concurrent-use guard: which thread used the model last, and whether its call is still under way.
/// A field of every generated model (unless <c>[Optimize(…, DetectConcurrentUse = false)]</c>); only
/// <see cref="ConcurrentUse"/> reads or writes it. Not meant to be used by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ConcurrentUseGuard
{
    internal ConcurrentUse.Owner? Owner;
    internal int TakingOver;   // 1 while a thread takes the model over: takers go one at a time
    internal int HandOvers;    // how many times another thread took the model over (refusals not counted); at ConcurrentUse.SharedAfter, shared mode
}

/// <summary>
/// Detects two threads using one model at once. A model is not thread-safe (like <c>List&lt;T&gt;</c>): its generated
/// members that change it (<c>ApplyGradients</c>, <c>Step</c>, <c>AccumulateGradients</c>, <c>LoadCheckpoint</c>,
/// <c>SaveCheckpoint</c>, <c>ResetOptimizerState</c>) enter this guard and throw <see cref="InvalidOperationException"/>
/// before changing anything when another call is under way, or when a call re-enters the model. Every overlap is caught,
/// in Debug and Release builds alike, within the limits the remarks give: two calls never both get in.
/// Not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>
/// The guard is biased towards the thread that used the model last (its owner), because a training loop steps a model
/// from one thread. The owner's entry is two plain stores and four loads, no atomic instruction: an uncontended
/// <c>Interlocked.CompareExchange</c> costs more than a whole RMSprop step of two scalar fields (4.5 against 3.7 ns here),
/// because a locked instruction waits for every store before it to reach the cache.
/// </para>
/// <para>
/// Another thread takes the model over on the slow path: an atomic flag, a new <see cref="Owner"/> (32 bytes) and
/// <see cref="Interlocked.MemoryBarrierProcessWide"/> (about 20 µs on this machine). A call that comes in while another
/// thread is taking over (a shared one included) waits until it is done, then looks again. The taker may be refused and give
/// the model back; a waiting call that overlapped only that takeover then gets in. After <see cref="SharedAfter"/> hand-overs (refused takeovers do not
/// count) the model is evidently stepped from changing threads (an <c>await</c> that resumes elsewhere), and the guard
/// turns for good into a plain atomic flag: every entry then costs one compare-and-swap, and a change of thread nothing more.
/// </para>
/// <para>
/// Why the biased guard catches every overlap (Dekker's protocol, made asymmetric). The owner marks its call,
/// <c>InCall = 1</c>, then reads <see cref="ConcurrentUseGuard.Owner"/> again. A thread taking over publishes its own owner
/// first, then runs the process-wide barrier, which makes every running thread pass a full fence at some point, then reads
/// the old owner's <c>InCall</c>. If the owner's store came before that fence, the taker sees it and throws; if after, the
/// owner's read comes after the fence too, sees the taker's owner and leaves by the slow path. This relies on the JIT
/// keeping the owner's volatile store before its volatile load, which RyuJIT does (it does not move volatile accesses past
/// each other), though the .NET memory model alone would let a compiler swap them; the runtime's own asymmetric-lock test
/// relies on the same. Each owner has its own <c>InCall</c>, so an old owner backing off never clears a new one's.
/// </para>
/// <para>
/// The owner is recognised by a stack address rather than by its thread id, which on Linux is a call to read thread-local
/// storage. A call counts as the owner's when the address of a local in it lies within <see cref="StackWindow"/> bytes of
/// the one recorded at the owner's last call (the same call site is not always at the same address: 8 bytes apart from
/// call to call in a timing loop here). Two live threads' stacks are at least a guard page apart (by default: see the
/// limits below), far more than the window, so no other thread can match. A thread whose stack was freed is not inside a
/// call, so a later thread that reuses that memory may take its place. The same thread coming in farther away (another
/// member, or the same one called from elsewhere) takes a middle path: it reads its thread identity (a thread-static
/// object), finds it is the owner and records the new address, without the barrier. A call made from inside a call finds
/// <c>InCall</c> set, whichever path it takes, and throws.
/// </para>
/// <para>
/// Limits. The biased protocol needs <see cref="Interlocked.MemoryBarrierProcessWide"/> to flush every core. On Linux,
/// .NET does that with the <c>membarrier</c> system call. On ARM64 Linux without it (a kernel older than 4.14 or built
/// without it, or a seccomp filter that makes it fail), .NET falls back to changing a page's protection, which is known
/// not to flush other cores there (dotnet/coreclr#12246). The guard can then miss an overlap until it turns shared; the
/// shared guard's compare-and-swap does not depend on the barrier.
/// </para>
/// <para>
/// Stacks a guard page apart are the platforms' default, not a guarantee. A native thread whose stack was set with
/// <c>pthread_attr_setstack</c> (glibc then adds no guard page), or whose guard size is 0, falls outside it when it calls
/// into managed code. Its stack may lie right next to another thread's, and a call on one thread may then pass the fast
/// path as the other's: both calls can get in.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ConcurrentUse
{
    /// <summary>How many hand-overs between threads a model's guard stays biased for; after them it is shared for good.</summary>
    internal const int SharedAfter = 8;

    /// <summary>
    /// How far, in bytes, a call's stack address may lie from the owner's recorded one and still be the owner's (see the
    /// remarks): two live threads' stacks are at least a guard page (4 KiB) apart, by default.
    /// </summary>
    private const nuint StackWindow = 512;

    /// <summary>
    /// The low end of the window around <paramref name="stackMark"/>, which an owner keeps: the fast path's test is then
    /// one subtraction and one unsigned compare, <c>stackMark − low ≤ 2·StackWindow</c>.
    /// </summary>
    private static nint StackBelow(nint stackMark) => stackMark - (nint)StackWindow;

    /// <summary>The <see cref="Owner.Thread"/> of a shared guard's one owner, which every thread enters by compare-and-swap.</summary>
    internal static readonly object Shared = new();   // internal for tests

    /// <summary>
    /// This thread's identity for the middle path: an object of its own, compared by reference. Not the managed thread id,
    /// which a new thread may get back once the old thread is gone: a dead owner's stack and its id can go to two different
    /// live threads, which would then both pass as the owner (one by address, one by id).
    /// </summary>
    [ThreadStatic]
    private static object? t_thread;

    private static object CurrentThread() => t_thread ??= new object();

    /// <summary>The thread that used a model last: who it is, where its stack was, and whether its call is under way.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class Owner
    {
        internal readonly object Thread;  // the owning thread's identity (CurrentThread); Shared: any thread, by compare-and-swap on InCall
        internal nint StackLow;           // the owner's stack mark less StackWindow (StackBelow); written by the owning thread only; 0 (no stack address) when shared
        internal int InCall;              // 1 from the owner's entry to its exit; a taker's own is 1 from its creation

        internal Owner(object thread, nint stackLow, int inCall) => (Thread, StackLow, InCall) = (thread, stackLow, inCall);
    }

    /// <summary>
    /// Enters the guard for one call to a member of <paramref name="model"/>, throwing
    /// <see cref="InvalidOperationException"/> if another call is under way. Pass what it returns to <see cref="Exit"/>
    /// in a <c>finally</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Owner Enter(ref ConcurrentUseGuard guard, string model) =>
        TryEnter(ref guard, out Owner? owner, out nint stackMark) ? owner : Enter(ref guard, stackMark, model);

    /// <summary>
    /// The owner's fast entry alone: enters the guard and returns true when the calling thread used the model last, near
    /// this depth, and is not inside a call; otherwise changes nothing and returns false, and the caller finishes the
    /// entry with <see cref="Enter(ref ConcurrentUseGuard, nint, string)"/> and <paramref name="stackMark"/>. Two plain
    /// stores and four loads, no call: what a member whose common path cannot throw runs without a <c>try</c>.
    /// </summary>
    /// <param name="guard">The model's guard.</param>
    /// <param name="owner">The owner to pass to <see cref="Exit"/>, when this returns true.</param>
    /// <param name="stackMark">Where the calling frame is on its thread's stack (an address, never dereferenced).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool TryEnter(ref ConcurrentUseGuard guard, [NotNullWhen(true)] out Owner? owner, out nint stackMark)
    {
        byte mark;   // where this call's frame is: an address only the calling thread's stack holds
        stackMark = (nint)(&mark);
        owner = guard.Owner;
        if (owner is not null && (nuint)(stackMark - owner.StackLow) <= 2 * StackWindow && owner.InCall == 0)
        {
            // The owner, near the depth of its last call and not inside a call: mark the call, then check that nobody is
            // taking over.
            Volatile.Write(ref owner.InCall, 1);
            if (Volatile.Read(ref guard.Owner) == owner)
            {
                return true;
            }

            Volatile.Write(ref owner.InCall, 0);
        }

        owner = null;
        return false;
    }

    /// <summary>Leaves the guard entered by the <c>Enter</c> or <see cref="TryEnter"/> call that returned <paramref name="owner"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(Owner owner) => Volatile.Write(ref owner.InCall, 0);

    /// <summary>Whether the guard has turned shared (for tests).</summary>
    internal static bool IsShared(in ConcurrentUseGuard guard) => Volatile.Read(ref Unsafe.AsRef(in guard).Owner)?.Thread == Shared;

    /// <summary>
    /// The rest of the entry after <see cref="TryEnter"/> returned false: a shared guard's compare-and-swap, the owner coming
    /// in at another depth, or another thread taking the model over. Throws <see cref="InvalidOperationException"/> if
    /// another call is under way.
    /// </summary>
    /// <param name="guard">The model's guard.</param>
    /// <param name="stackMark">What <see cref="TryEnter"/> gave, from the same frame.</param>
    /// <param name="model">The model's type name, for the exception's message.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Owner Enter(ref ConcurrentUseGuard guard, nint stackMark, string model)
    {
        while (true)
        {
            Owner? owner = Volatile.Read(ref guard.Owner);
            if (owner is not null && owner.Thread == Shared)
            {
                if (Interlocked.CompareExchange(ref owner.InCall, 1, 0) == 0)
                {
                    return owner;
                }

                if (Volatile.Read(ref guard.TakingOver) == 0)
                {
                    Throw(model);
                }

                // The shared owner is a taker's, published with InCall = 1 before its barrier, and the taker may yet give
                // the model back: wait for the outcome and look again.
                WaitWhileTakingOver(ref guard);
                continue;
            }

            object thread = CurrentThread();
            if (owner is null || owner.Thread != thread)
            {
                if (TryTakeOver(ref guard, thread, stackMark, model) is { } taker)
                {
                    return taker;
                }
            }
            else
            {
                // This thread owns the guard and came in at another depth: another member, or a call from inside a call.
                if (owner.InCall != 0)
                {
                    Throw(model);
                }

                owner.StackLow = StackBelow(stackMark);
                Volatile.Write(ref owner.InCall, 1);
                if (Volatile.Read(ref guard.Owner) == owner)
                {
                    return owner;
                }

                Volatile.Write(ref owner.InCall, 0);   // another thread is taking over at this very moment
            }

            // Another thread is taking the model over (or has just made it shared). It may yet give the model back, if the
            // owner it found was inside a call: wait for the outcome and look again, rather than refuse a call that may
            // overlap no call that got in.
            WaitWhileTakingOver(ref guard);
        }
    }

    /// <summary>
    /// Makes the calling thread the owner (or, after <see cref="SharedAfter"/> hand-overs, makes the guard shared), unless
    /// the previous owner is inside a call: then it throws, after letting go of the flag. Returns <see langword="null"/> when
    /// another thread is taking over, or has just made the guard shared: the caller looks again.
    /// </summary>
    /// <remarks>
    /// The refusal is thrown only once the flag is let go. An exception's first pass runs <c>catch … when</c> filters (and
    /// first-chance handlers, and a debugger's stop) before any <c>finally</c>; a filter that called into the same model
    /// while this thread still held the flag would wait for this thread for ever.
    /// </remarks>
    private static Owner? TryTakeOver(ref ConcurrentUseGuard guard, object thread, nint stackMark, string model)
    {
        if (Interlocked.CompareExchange(ref guard.TakingOver, 1, 0) != 0)
        {
            return null;
        }

        bool refused = false;
        try
        {
            Owner? previous = Volatile.Read(ref guard.Owner);   // only takers write it, and they hold TakingOver
            if (previous is not null && previous.Thread == Shared)
            {
                return null;   // another taker made it shared meanwhile
            }

            // Counted once the hand-over is done: a refused taker hands nothing over (else a thread refused often enough
            // would turn the guard shared for good).
            bool share = previous is not null && guard.HandOvers + 1 >= SharedAfter;
            var taker = share ? new Owner(Shared, 0, inCall: 1) : new Owner(thread, StackBelow(stackMark), inCall: 1);
            Volatile.Write(ref guard.Owner, taker);
            if (previous is not null)
            {
                // After the barrier, either the previous owner's InCall = 1 is seen here, or its next read sees the taker.
                Interlocked.MemoryBarrierProcessWide();
                if (Volatile.Read(ref previous.InCall) != 0)
                {
                    // Give the model back: the previous owner is inside a call and leaves it by its own Exit.
                    Volatile.Write(ref guard.Owner, previous);
                    refused = true;
                    return null;
                }

                guard.HandOvers++;
            }

            return taker;
        }
        finally
        {
            Volatile.Write(ref guard.TakingOver, 0);
            if (refused)
            {
                Throw(model);
            }
        }
    }

    /// <summary>
    /// Waits while another thread takes the model over (about 20 µs: the process-wide barrier). The taker waits for no
    /// one and lets go of the flag before it throws, so this ends (unless a debugger holds the taker stopped). Thread.Yield,
    /// never a sleep, which Thread.Interrupt could break with another exception.
    /// </summary>
    private static void WaitWhileTakingOver(ref ConcurrentUseGuard guard)
    {
        while (Volatile.Read(ref guard.TakingOver) != 0)
        {
            Thread.Yield();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string model) => throw new InvalidOperationException(
        $"Two calls are using the same {model} at once (or a call re-entered it). A model is not thread-safe: step each instance " +
        "from one thread at a time, or give each thread its own instance. Nothing was changed by this call.");
}
