using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.StepBenchmarks;

/// <summary>Which RMSprop variant a sweep case runs (PyTorch's defaults otherwise: lr 0.01, α 0.99, ε 1e-8 outside the root).</summary>
public enum UpdateKind
{
    /// <summary>No momentum, not centered: streams p, g, v.</summary>
    Plain,

    /// <summary>Momentum 0.9: adds the buffer b.</summary>
    Momentum,

    /// <summary>Centered: adds the gradient average m.</summary>
    Centered,
}

/// <summary>The RMSprop hyperparameters of the sweep, rounded to T as libtorch and the generated code round them.</summary>
public readonly struct SweepCoefficients<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const double LearningRate = 0.01, Alpha = 0.99, Epsilon = 1e-8, MomentumValue = 0.9;

    public T Lr => T.CreateChecked(LearningRate);
    public T NegLr => T.CreateChecked(-LearningRate);
    public T A => T.CreateChecked(Alpha);
    public T OneMinusA => T.CreateChecked(1 - Alpha);
    public T Eps => T.CreateChecked(Epsilon);
    public T Mu => T.CreateChecked(MomentumValue);

    public static RmsProp Options(UpdateKind kind) => kind switch
    {
        UpdateKind.Momentum => new RmsProp { Momentum = MomentumValue },
        UpdateKind.Centered => new RmsProp { Centered = true },
        _ => new RmsProp(),
    };
}

/// <summary>
/// The baselines of the sweep. <see cref="HandWritten{T}"/> is what one writes by hand: one single-pass Vector512 loop
/// (one vector per iteration) and a scalar tail, the same formula and roundings as the generated update, so its results
/// are the same bits. <see cref="Naive{T}"/> is the obvious scalar loop, <see cref="Tensor{T}"/> composes
/// System.Numerics.Tensors' TensorPrimitives as a library user would (several passes over scratch), and
/// <see cref="Stream{T}"/> is the 3-read/2-write bandwidth ceiling (a ← a + b ; c ← c + b).
/// </summary>
public static class SweepLoops
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
    }

    /// <summary>The hand-written single-pass Vector512 loop for <paramref name="kind"/> (m or b unused when not needed).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HandWritten<T>(UpdateKind kind, T[] p, T[] g, T[] v, T[] extra)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case UpdateKind.Plain: HandWrittenPlain(p, g, v); break;
            case UpdateKind.Momentum: HandWrittenMomentum(p, g, v, extra); break;
            default: HandWrittenCentered(p, g, v, extra); break;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HandWrittenPlain<T>(T[] p, T[] g, T[] v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint n = (nuint)p.Length;
        if ((nuint)g.Length != n || (nuint)v.Length != n)
        {
            throw new ArgumentException("length mismatch");
        }

        SweepCoefficients<T> c = default;
        ref T pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref T gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref T vRef = ref MemoryMarshal.GetArrayDataReference(v);
        Vector512<T> negLr = Vector512.Create(c.NegLr), a = Vector512.Create(c.A), oma = Vector512.Create(c.OneMinusA), eps = Vector512.Create(c.Eps);
        nuint i = 0;
        for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
        {
            Vector512<T> gi = Vector512.LoadUnsafe(ref gRef, i);
            Vector512<T>.Zero.StoreUnsafe(ref gRef, i);
            Vector512<T> vi = Fma(oma * gi, gi, a * Vector512.LoadUnsafe(ref vRef, i));
            vi.StoreUnsafe(ref vRef, i);
            (Vector512.LoadUnsafe(ref pRef, i) + negLr * gi / (Vector512.Sqrt(vi) + eps)).StoreUnsafe(ref pRef, i);
        }

        for (; i < n; i++)
        {
            T gi = Unsafe.Add(ref gRef, i);
            Unsafe.Add(ref gRef, i) = T.Zero;
            T vi = T.FusedMultiplyAdd(c.OneMinusA * gi, gi, c.A * Unsafe.Add(ref vRef, i));
            Unsafe.Add(ref vRef, i) = vi;
            Unsafe.Add(ref pRef, i) += c.NegLr * gi / (T.Sqrt(vi) + c.Eps);
        }
    }

    /// <summary>
    /// <see cref="HandWrittenPlain{T}"/> taking four vectors an iteration, as the runtime's plain loop has since run 17: what a
    /// hand-written loop gives with the same unrolling (GuardSweepArray's <c>HandWrittenUnrolled</c>, not the baseline).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HandWrittenPlainUnrolled<T>(T[] p, T[] g, T[] v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint n = (nuint)p.Length;
        if ((nuint)g.Length != n || (nuint)v.Length != n)
        {
            throw new ArgumentException("length mismatch");
        }

        SweepCoefficients<T> c = default;
        ref T pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref T gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref T vRef = ref MemoryMarshal.GetArrayDataReference(v);
        Vector512<T> negLr = Vector512.Create(c.NegLr), a = Vector512.Create(c.A), oma = Vector512.Create(c.OneMinusA), eps = Vector512.Create(c.Eps);
        nuint count = (nuint)Vector512<T>.Count;
        nuint i = 0;
        for (; i + (4 * count) <= n; i += 4 * count)
        {
            PlainVector(ref pRef, ref gRef, ref vRef, i, negLr, a, oma, eps);
            PlainVector(ref pRef, ref gRef, ref vRef, i + count, negLr, a, oma, eps);
            PlainVector(ref pRef, ref gRef, ref vRef, i + (2 * count), negLr, a, oma, eps);
            PlainVector(ref pRef, ref gRef, ref vRef, i + (3 * count), negLr, a, oma, eps);
        }

        for (; i + count <= n; i += count)
        {
            PlainVector(ref pRef, ref gRef, ref vRef, i, negLr, a, oma, eps);
        }

        for (; i < n; i++)
        {
            T gi = Unsafe.Add(ref gRef, i);
            Unsafe.Add(ref gRef, i) = T.Zero;
            T vi = T.FusedMultiplyAdd(c.OneMinusA * gi, gi, c.A * Unsafe.Add(ref vRef, i));
            Unsafe.Add(ref vRef, i) = vi;
            Unsafe.Add(ref pRef, i) += c.NegLr * gi / (T.Sqrt(vi) + c.Eps);
        }
    }

    /// <summary>One vector of <see cref="HandWrittenPlainUnrolled{T}"/>, the body of <see cref="HandWrittenPlain{T}"/>'s loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PlainVector<T>(ref T pRef, ref T gRef, ref T vRef, nuint i, Vector512<T> negLr, Vector512<T> a, Vector512<T> oma, Vector512<T> eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Vector512<T> gi = Vector512.LoadUnsafe(ref gRef, i);
        Vector512<T>.Zero.StoreUnsafe(ref gRef, i);
        Vector512<T> vi = Fma(oma * gi, gi, a * Vector512.LoadUnsafe(ref vRef, i));
        vi.StoreUnsafe(ref vRef, i);
        (Vector512.LoadUnsafe(ref pRef, i) + negLr * gi / (Vector512.Sqrt(vi) + eps)).StoreUnsafe(ref pRef, i);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HandWrittenMomentum<T>(T[] p, T[] g, T[] v, T[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint n = (nuint)p.Length;
        if ((nuint)g.Length != n || (nuint)v.Length != n || (nuint)b.Length != n)
        {
            throw new ArgumentException("length mismatch");
        }

        SweepCoefficients<T> c = default;
        ref T pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref T gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref T vRef = ref MemoryMarshal.GetArrayDataReference(v);
        ref T bRef = ref MemoryMarshal.GetArrayDataReference(b);
        Vector512<T> negLr = Vector512.Create(c.NegLr), a = Vector512.Create(c.A), oma = Vector512.Create(c.OneMinusA), eps = Vector512.Create(c.Eps), mu = Vector512.Create(c.Mu);
        nuint i = 0;
        for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
        {
            Vector512<T> gi = Vector512.LoadUnsafe(ref gRef, i);
            Vector512<T>.Zero.StoreUnsafe(ref gRef, i);
            Vector512<T> vi = Fma(oma * gi, gi, a * Vector512.LoadUnsafe(ref vRef, i));
            vi.StoreUnsafe(ref vRef, i);
            Vector512<T> bi = mu * Vector512.LoadUnsafe(ref bRef, i) + gi / (Vector512.Sqrt(vi) + eps);
            bi.StoreUnsafe(ref bRef, i);
            Fma(negLr, bi, Vector512.LoadUnsafe(ref pRef, i)).StoreUnsafe(ref pRef, i);
        }

        for (; i < n; i++)
        {
            T gi = Unsafe.Add(ref gRef, i);
            Unsafe.Add(ref gRef, i) = T.Zero;
            T vi = T.FusedMultiplyAdd(c.OneMinusA * gi, gi, c.A * Unsafe.Add(ref vRef, i));
            Unsafe.Add(ref vRef, i) = vi;
            T bi = c.Mu * Unsafe.Add(ref bRef, i) + gi / (T.Sqrt(vi) + c.Eps);
            Unsafe.Add(ref bRef, i) = bi;
            Unsafe.Add(ref pRef, i) = T.FusedMultiplyAdd(c.NegLr, bi, Unsafe.Add(ref pRef, i));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void HandWrittenCentered<T>(T[] p, T[] g, T[] v, T[] m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint n = (nuint)p.Length;
        if ((nuint)g.Length != n || (nuint)v.Length != n || (nuint)m.Length != n)
        {
            throw new ArgumentException("length mismatch");
        }

        SweepCoefficients<T> c = default;
        ref T pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref T gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref T vRef = ref MemoryMarshal.GetArrayDataReference(v);
        ref T mRef = ref MemoryMarshal.GetArrayDataReference(m);
        Vector512<T> negLr = Vector512.Create(c.NegLr), a = Vector512.Create(c.A), oma = Vector512.Create(c.OneMinusA), eps = Vector512.Create(c.Eps);
        nuint i = 0;
        for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
        {
            Vector512<T> gi = Vector512.LoadUnsafe(ref gRef, i);
            Vector512<T>.Zero.StoreUnsafe(ref gRef, i);
            Vector512<T> vi = Fma(oma * gi, gi, a * Vector512.LoadUnsafe(ref vRef, i));
            vi.StoreUnsafe(ref vRef, i);
            Vector512<T> mi = Fma(gi, oma, a * Vector512.LoadUnsafe(ref mRef, i));
            mi.StoreUnsafe(ref mRef, i);
            Vector512<T> d = Vector512.Sqrt(Fma(-mi, mi, vi)) + eps;
            (Vector512.LoadUnsafe(ref pRef, i) + negLr * gi / d).StoreUnsafe(ref pRef, i);
        }

        for (; i < n; i++)
        {
            T gi = Unsafe.Add(ref gRef, i);
            Unsafe.Add(ref gRef, i) = T.Zero;
            T vi = T.FusedMultiplyAdd(c.OneMinusA * gi, gi, c.A * Unsafe.Add(ref vRef, i));
            Unsafe.Add(ref vRef, i) = vi;
            T mi = T.FusedMultiplyAdd(gi, c.OneMinusA, c.A * Unsafe.Add(ref mRef, i));
            Unsafe.Add(ref mRef, i) = mi;
            Unsafe.Add(ref pRef, i) += c.NegLr * gi / (T.Sqrt(T.FusedMultiplyAdd(-mi, mi, vi)) + c.Eps);
        }
    }

    /// <summary>The obvious scalar loop a user writes first (no FMA, no SIMD, bounds-checked indexing).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Naive<T>(UpdateKind kind, T[] p, T[] g, T[] v, T[] extra)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SweepCoefficients<T> c = default;
        T lr = c.Lr, a = c.A, oma = c.OneMinusA, eps = c.Eps, mu = c.Mu;
        for (int i = 0; i < p.Length; i++)
        {
            T gi = g[i];
            v[i] = a * v[i] + oma * gi * gi;
            T variance = v[i];
            if (kind == UpdateKind.Centered)
            {
                extra[i] = a * extra[i] + oma * gi;
                variance -= extra[i] * extra[i];
            }

            T d = T.Sqrt(variance) + eps;
            if (kind == UpdateKind.Momentum)
            {
                extra[i] = mu * extra[i] + gi / d;
                p[i] -= lr * extra[i];
            }
            else
            {
                p[i] -= lr * gi / d;
            }

            g[i] = T.Zero;
        }
    }

    /// <summary>TensorPrimitives composed as a library user would: one call per operation, a scratch array.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Tensor<T>(UpdateKind kind, T[] p, T[] g, T[] v, T[] extra, T[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SweepCoefficients<T> c = default;
        TensorPrimitives.Multiply<T>(g, g, scratch);                       // g²
        TensorPrimitives.Multiply<T>(v, c.A, v);                           // α·v
        TensorPrimitives.FusedMultiplyAdd<T>(scratch, c.OneMinusA, v, v);  // v = (1−α)·g² + α·v
        if (kind == UpdateKind.Centered)
        {
            TensorPrimitives.Multiply<T>(extra, c.A, extra);
            TensorPrimitives.FusedMultiplyAdd<T>(g, c.OneMinusA, extra, extra); // m = (1−α)·g + α·m
            TensorPrimitives.Multiply<T>(extra, extra, scratch);
            TensorPrimitives.Subtract<T>(v, scratch, scratch);                  // v − m²
            TensorPrimitives.Sqrt<T>(scratch, scratch);
        }
        else
        {
            TensorPrimitives.Sqrt<T>(v, scratch);
        }

        TensorPrimitives.Add<T>(scratch, c.Eps, scratch);                  // d = √· + ε
        TensorPrimitives.Divide<T>(g, scratch, scratch);                   // u = g / d
        if (kind == UpdateKind.Momentum)
        {
            TensorPrimitives.Multiply<T>(extra, c.Mu, extra);
            TensorPrimitives.Add<T>(extra, scratch, extra);                // b = μ·b + u
            TensorPrimitives.FusedMultiplyAdd<T>(extra, c.NegLr, p, p);     // p −= lr·b
        }
        else
        {
            TensorPrimitives.FusedMultiplyAdd<T>(scratch, c.NegLr, p, p);   // p −= lr·u
        }

        Array.Clear(g);
    }

    /// <summary>The bandwidth ceiling: 3 reads, 2 writes per element (a ← a + b ; c ← c + b), one Vector512 pass.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Stream<T>(T[] a, T[] b, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint n = (nuint)a.Length;
        if ((nuint)b.Length != n || (nuint)c.Length != n)
        {
            throw new ArgumentException("length mismatch");
        }

        ref T aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref T bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(c);
        nuint i = 0;
        for (; i + (nuint)Vector512<T>.Count <= n; i += (nuint)Vector512<T>.Count)
        {
            Vector512<T> bi = Vector512.LoadUnsafe(ref bRef, i);
            (Vector512.LoadUnsafe(ref aRef, i) + bi).StoreUnsafe(ref aRef, i);
            (Vector512.LoadUnsafe(ref cRef, i) + bi).StoreUnsafe(ref cRef, i);
        }

        for (; i < n; i++)
        {
            T bi = Unsafe.Add(ref bRef, i);
            Unsafe.Add(ref aRef, i) += bi;
            Unsafe.Add(ref cRef, i) += bi;
        }
    }
}
