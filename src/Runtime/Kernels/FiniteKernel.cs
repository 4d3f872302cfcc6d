using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OptimizerGen.Kernels;

/// <summary>Whether every element of a span is finite (no NaN, no ±∞): the non-finite guard's one read-only pass.</summary>
public static class FiniteKernel
{
    /// <summary>True when no element of <paramref name="values"/> is NaN or infinite.</summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // x − x is 0 for a finite x and NaN for NaN or ±∞; NaN survives every later addition.
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
            Vector<T> sum = Vector<T>.Zero;
            foreach (Vector<T> v in vectors)
            {
                sum += v - v;
            }

            if (!Vector.EqualsAll(sum, Vector<T>.Zero))
            {
                return false;
            }

            i = vectors.Length * Vector<T>.Count;
        }

        T rest = T.Zero;
        for (; i < values.Length; i++)
        {
            rest += values[i] - values[i];
        }

        return rest == T.Zero;
    }
}
