using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// The one loop every element-wise rule runs through: per element, load p, g and the state streams the rule uses,
/// <see cref="IVectorUpdate{TVector}.Apply"/>, store p and the state, store 0 to g — a single pass over memory. Dispatch
/// Vector512 → Vector256 → Vector128 over whole vectors, then the scalar width over the remainder, so every element is
/// updated exactly once. Each width's loop gets the rule's coefficients broadcast once, before it starts
/// (<see cref="IElementwiseUpdate{T}.Vectors"/>).
/// </summary>
public static class ElementwiseLoop
{
    /// <summary>
    /// Runs <paramref name="update"/> over every element. The spans in use must have the parameter's length. Not
    /// inlined, and each width's loop is a method of its own (<see cref="Width"/>): inlined into a rule's <c>Update</c>,
    /// which chooses among its variants, every variant's kernels made its stack frame kilobytes large, zeroed on every
    /// call (30 ns at N = 16).
    /// </summary>
    /// <exception cref="ArgumentException">A span in use has another length than <paramref name="parameter"/>; nothing was changed.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run<T, TUpdate>(in TUpdate update, Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TUpdate : struct, IElementwiseUpdate<T>
    {
        int n = parameter.Length;
        if (gradient.Length != n || (TUpdate.StateCount > 0 && s0.Length != n) || (TUpdate.StateCount > 1 && s1.Length != n) || (TUpdate.StateCount > 2 && s2.Length != n))
        {
            ThrowLengths(n);
        }

        var streams = new ElementStreams<T>(parameter, gradient, s0, s1, s2);
        nuint length = (nuint)n;
        nuint done = 0;
        if (Simd512<T>.IsHardwareAccelerated)
        {
            if (n >= Simd512<T>.Count)
            {
                done = Width<T, TUpdate, Simd512<T>, Vector512<T>>(update, streams, 0, length);
            }
        }
        else if (Simd256<T>.IsHardwareAccelerated)
        {
            if (n >= Simd256<T>.Count)
            {
                done = Width<T, TUpdate, Simd256<T>, Vector256<T>>(update, streams, 0, length);
            }
        }
        else if (Simd128<T>.IsHardwareAccelerated)
        {
            if (n >= Simd128<T>.Count)
            {
                done = Width<T, TUpdate, Simd128<T>, Vector128<T>>(update, streams, 0, length);
            }
        }

        if (done < length)
        {
            Width<T, TUpdate, SimdScalar<T>, T>(update, streams, done, length);
        }
    }

    /// <summary>
    /// One width's loop in a method of its own: the JIT inlines the rule's kernel and loop into it within its inlining
    /// budget (with the four widths in one method it ran out and called some widths' loops with the kernel in memory).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nuint Width<T, TUpdate, TSimd, TVector>(in TUpdate update, in ElementStreams<T> streams, nuint start, nuint length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TUpdate : struct, IElementwiseUpdate<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct =>
        update.Vectors<TSimd, TVector>(streams, start, length);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengths(int n) =>
        throw new ArgumentException($"The gradient and every state buffer in use must have the parameter's length {n}.");
}

/// <summary>
/// The loop over whole vectors of one width, for a rule's <see cref="IElementwiseUpdate{T}.Vectors"/>: it takes the
/// rule's kernel for that width (<see cref="IVectorUpdate{TVector}"/>, its coefficients already broadcast) and runs it
/// from <c>start</c> while a whole vector fits.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <typeparam name="TSimd">The width's vocabulary.</typeparam>
/// <typeparam name="TVector">The width's register type.</typeparam>
public static class ElementwiseLoop<T, TSimd, TVector>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TSimd : struct, ISimd<TVector, T>
    where TVector : struct
{
    /// <summary>
    /// Updates whole vectors from <paramref name="start"/> with <paramref name="kernel"/>, loading and storing the first
    /// <paramref name="stateCount"/> state streams (a constant of the rule, so the JIT drops the others); returns the
    /// first element it did not touch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Run<TKernel>(TKernel kernel, int stateCount, in ElementStreams<T> streams, nuint start, nuint length)
        where TKernel : struct, IVectorUpdate<TVector>
    {
        ref T p = ref streams.Parameter;
        ref T g = ref streams.Gradient;
        ref T a = ref streams.State0;
        ref T b = ref streams.State1;
        ref T c = ref streams.State2;
        TVector zero = TSimd.Broadcast(T.Zero);
        nuint width = (nuint)TSimd.Count;
        nuint i = start;
        for (; i + width <= length; i += width)
        {
            TVector pv = TSimd.Load(ref p, i);
            TVector gv = TSimd.Load(ref g, i);
            TVector av = stateCount > 0 ? TSimd.Load(ref a, i) : zero;
            TVector bv = stateCount > 1 ? TSimd.Load(ref b, i) : zero;
            TVector cv = stateCount > 2 ? TSimd.Load(ref c, i) : zero;
            kernel.Apply(ref pv, gv, ref av, ref bv, ref cv);
            TSimd.Store(zero, ref g, i);
            TSimd.Store(pv, ref p, i);
            if (stateCount > 0)
            {
                TSimd.Store(av, ref a, i);
            }

            if (stateCount > 1)
            {
                TSimd.Store(bv, ref b, i);
            }

            if (stateCount > 2)
            {
                TSimd.Store(cv, ref c, i);
            }
        }

        return i;
    }
}

/// <summary>The spans of one update as references (lengths checked by <see cref="ElementwiseLoop.Run"/>); unused state streams may be empty.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly ref struct ElementStreams<T>
    where T : unmanaged
{
    /// <summary>The streams of these spans.</summary>
    public ElementStreams(Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
    {
        Parameter = ref MemoryMarshal.GetReference(parameter);
        Gradient = ref MemoryMarshal.GetReference(gradient);
        State0 = ref MemoryMarshal.GetReference(s0);
        State1 = ref MemoryMarshal.GetReference(s1);
        State2 = ref MemoryMarshal.GetReference(s2);
    }

    /// <summary>p.</summary>
    public readonly ref T Parameter;

    /// <summary>g.</summary>
    public readonly ref T Gradient;

    /// <summary>State stream 0.</summary>
    public readonly ref T State0;

    /// <summary>State stream 1.</summary>
    public readonly ref T State1;

    /// <summary>State stream 2.</summary>
    public readonly ref T State2;
}

/// <summary>A yes/no the JIT knows when it compiles a loop (a structural option: a buffer or term in use or not).</summary>
public interface IFlag
{
    /// <summary>The value.</summary>
    static abstract bool On { get; }
}

/// <summary><see cref="IFlag"/> true.</summary>
public readonly struct Yes : IFlag
{
    /// <inheritdoc/>
    public static bool On => true;
}

/// <summary><see cref="IFlag"/> false.</summary>
public readonly struct No : IFlag
{
    /// <inheritdoc/>
    public static bool On => false;
}
