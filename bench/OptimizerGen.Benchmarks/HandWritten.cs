using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.Benchmarks;

/// <summary>
/// The baselines: what one would write by hand for PyTorch-default RMSprop on float arrays, and the pure-bandwidth
/// stream loops. Same formula as the generated update, with the same roundings, so results are bit-identical:
/// <code>v ← α·v + (1−α)·g² ;  p ← p + (−lr·g) / (√v + ε) ;  g ← 0</code>
/// </summary>
public static class HandWritten
{
    /// <summary>lr, rounded to float.</summary>
    public const float LearningRate = 0.01f;

    /// <summary>α, rounded to float.</summary>
    public const float Alpha = 0.99f;

    /// <summary>1 − α computed in double, then rounded to float (as libtorch and the generated code do).</summary>
    public const float OneMinusAlpha = (float)(1 - 0.99);

    /// <summary>ε, rounded to float; added outside the root (PyTorch).</summary>
    public const float Epsilon = 1e-8f;

    /// <summary>
    /// One single-pass RMSprop step over whole arrays: reads p, g and v once, writes p and v once, and zeroes g in the
    /// same pass. A plain Vector512 loop (one vector per iteration, no unrolling), then a scalar tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void RmsPropStep(float[] p, float[] g, float[] v, float lr, float alpha, float oneMinusAlpha, float eps)
    {
        nuint n = (nuint)p.Length;
        if ((nuint)g.Length != n || (nuint)v.Length != n)
        {
            throw new ArgumentException("p, g and v must have the same length.");
        }

        ref float pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref float vRef = ref MemoryMarshal.GetArrayDataReference(v);
        Vector512<float> negLrV = Vector512.Create(-lr);
        Vector512<float> alphaV = Vector512.Create(alpha);
        Vector512<float> oneMinusAlphaV = Vector512.Create(oneMinusAlpha);
        Vector512<float> epsV = Vector512.Create(eps);

        nuint i = 0;
        for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
        {
            Vector512<float> gi = Vector512.LoadUnsafe(ref gRef, i);
            Vector512<float>.Zero.StoreUnsafe(ref gRef, i);
            Vector512<float> vi = Vector512.FusedMultiplyAdd(oneMinusAlphaV * gi, gi, alphaV * Vector512.LoadUnsafe(ref vRef, i));
            vi.StoreUnsafe(ref vRef, i);
            Vector512<float> pi = Vector512.LoadUnsafe(ref pRef, i);
            pi += negLrV * gi / (Vector512.Sqrt(vi) + epsV);
            pi.StoreUnsafe(ref pRef, i);
        }

        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref gRef, i);
            Unsafe.Add(ref gRef, i) = 0f;
            float vi = float.FusedMultiplyAdd(oneMinusAlpha * gi, gi, alpha * Unsafe.Add(ref vRef, i));
            Unsafe.Add(ref vRef, i) = vi;
            Unsafe.Add(ref pRef, i) += -lr * gi / (MathF.Sqrt(vi) + eps);
        }
    }

    /// <summary>Memory-bandwidth anchor, 3 reads / 2 writes per element: a ← a + b ; c ← c + b (in place).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Stream3Read2Write(float[] a, float[] b, float[] c)
    {
        nuint n = (nuint)a.Length;
        if ((nuint)b.Length != n || (nuint)c.Length != n || n % (nuint)Vector512<float>.Count != 0)
        {
            throw new ArgumentException("a, b and c must have the same length, a multiple of Vector512<float>.Count.");
        }

        ref float aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref float bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref float cRef = ref MemoryMarshal.GetArrayDataReference(c);
        for (nuint i = 0; i < n; i += (nuint)Vector512<float>.Count)
        {
            Vector512<float> bi = Vector512.LoadUnsafe(ref bRef, i);
            (Vector512.LoadUnsafe(ref aRef, i) + bi).StoreUnsafe(ref aRef, i);
            (Vector512.LoadUnsafe(ref cRef, i) + bi).StoreUnsafe(ref cRef, i);
        }
    }

    /// <summary>
    /// Memory-bandwidth anchor with the RMSprop step's exact traffic, 3 reads / 3 writes per element:
    /// a ← a + b ; c ← c + b ; b ← 0 (in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Stream3Read3Write(float[] a, float[] b, float[] c)
    {
        nuint n = (nuint)a.Length;
        if ((nuint)b.Length != n || (nuint)c.Length != n || n % (nuint)Vector512<float>.Count != 0)
        {
            throw new ArgumentException("a, b and c must have the same length, a multiple of Vector512<float>.Count.");
        }

        ref float aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref float bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref float cRef = ref MemoryMarshal.GetArrayDataReference(c);
        for (nuint i = 0; i < n; i += (nuint)Vector512<float>.Count)
        {
            Vector512<float> bi = Vector512.LoadUnsafe(ref bRef, i);
            Vector512<float>.Zero.StoreUnsafe(ref bRef, i);
            (Vector512.LoadUnsafe(ref aRef, i) + bi).StoreUnsafe(ref aRef, i);
            (Vector512.LoadUnsafe(ref cRef, i) + bi).StoreUnsafe(ref cRef, i);
        }
    }
}
