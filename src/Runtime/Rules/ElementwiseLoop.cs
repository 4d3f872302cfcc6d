using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// The one loop every element-wise rule runs through: per element, load p, g and the state streams the rule uses,
/// <see cref="IElementwiseUpdate{T}.Apply"/>, store p and the state, store 0 to g — a single pass over memory. Dispatch
/// Vector512 → Vector256 → Vector128 over whole vectors, then the scalar width over the remainder, so every element is
/// updated exactly once.
/// </summary>
public static class ElementwiseLoop
{
    /// <summary>Runs <paramref name="update"/> over every element. The spans in use must have the parameter's length.</summary>
    /// <exception cref="ArgumentException">A span in use has another length than <paramref name="parameter"/>; nothing was changed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T, TUpdate>(in TUpdate update, Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TUpdate : struct, IElementwiseUpdate<T>
    {
        int n = parameter.Length;
        if (gradient.Length != n || (TUpdate.StateCount > 0 && s0.Length != n) || (TUpdate.StateCount > 1 && s1.Length != n) || (TUpdate.StateCount > 2 && s2.Length != n))
        {
            ThrowLengths(n);
        }

        ref T p = ref MemoryMarshal.GetReference(parameter);
        ref T g = ref MemoryMarshal.GetReference(gradient);
        ref T a = ref MemoryMarshal.GetReference(s0);
        ref T b = ref MemoryMarshal.GetReference(s1);
        ref T c = ref MemoryMarshal.GetReference(s2);
        nuint length = (nuint)n;
        nuint done = 0;
        if (Simd512<T>.IsHardwareAccelerated)
        {
            done = Loop<T, TUpdate, Simd512<T>, Vector512<T>>(update, ref p, ref g, ref a, ref b, ref c, 0, length);
        }
        else if (Simd256<T>.IsHardwareAccelerated)
        {
            done = Loop<T, TUpdate, Simd256<T>, Vector256<T>>(update, ref p, ref g, ref a, ref b, ref c, 0, length);
        }
        else if (Simd128<T>.IsHardwareAccelerated)
        {
            done = Loop<T, TUpdate, Simd128<T>, Vector128<T>>(update, ref p, ref g, ref a, ref b, ref c, 0, length);
        }

        if (done < length)
        {
            Loop<T, TUpdate, SimdScalar<T>, T>(update, ref p, ref g, ref a, ref b, ref c, done, length);
        }
    }

    /// <summary>Updates whole vectors from <paramref name="start"/>; returns the first element it did not touch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Loop<T, TUpdate, TSimd, TVector>(in TUpdate update, ref T p, ref T g, ref T a, ref T b, ref T c, nuint start, nuint length)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TUpdate : struct, IElementwiseUpdate<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        TUpdate u = update;
        TVector zero = TSimd.Broadcast(T.Zero);
        nuint width = (nuint)TSimd.Count;
        nuint i = start;
        for (; i + width <= length; i += width)
        {
            TVector pv = TSimd.Load(ref p, i);
            TVector gv = TSimd.Load(ref g, i);
            TVector av = TUpdate.StateCount > 0 ? TSimd.Load(ref a, i) : zero;
            TVector bv = TUpdate.StateCount > 1 ? TSimd.Load(ref b, i) : zero;
            TVector cv = TUpdate.StateCount > 2 ? TSimd.Load(ref c, i) : zero;
            u.Apply<TSimd, TVector>(ref pv, gv, ref av, ref bv, ref cv);
            TSimd.Store(zero, ref g, i);
            TSimd.Store(pv, ref p, i);
            if (TUpdate.StateCount > 0)
            {
                TSimd.Store(av, ref a, i);
            }

            if (TUpdate.StateCount > 1)
            {
                TSimd.Store(bv, ref b, i);
            }

            if (TUpdate.StateCount > 2)
            {
                TSimd.Store(cv, ref c, i);
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengths(int n) =>
        throw new ArgumentException($"The gradient and every state buffer in use must have the parameter's length {n}.");
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
