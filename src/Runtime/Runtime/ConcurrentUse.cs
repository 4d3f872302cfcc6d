using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace OptimizerGen.Runtime;

/// <summary>
/// Detects two threads using one model at once. A model is not thread-safe (like <c>List&lt;T&gt;</c>): its generated
/// members that change it (<c>ApplyGradients</c>, <c>Step</c>, <c>AccumulateGradients</c>, <c>LoadCheckpoint</c>,
/// <c>SaveCheckpoint</c>, <c>ResetOptimizerState</c>) enter this guard and throw <see cref="InvalidOperationException"/>
/// before changing anything when another call is under way. Entering is one atomic compare-and-swap (uncontended, a few
/// nanoseconds), so every overlap is caught in Debug and Release builds alike: two threads never both get in.
/// Not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ConcurrentUse
{
    /// <summary>Marks <paramref name="busy"/> atomically, throwing if it already is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter(ref int busy, string model)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            Throw(model);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string model) => throw new InvalidOperationException(
        $"Two calls are using the same {model} at once (or a call re-entered it). A model is not thread-safe: step each instance " +
        "from one thread at a time, or give each thread its own instance. Nothing was changed by this call.");
}
