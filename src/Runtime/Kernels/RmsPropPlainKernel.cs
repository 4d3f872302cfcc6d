using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Simd;

namespace OptimizerGen.Kernels;

/// <summary>
/// The plain RMSprop step, the update of every preset with no option on (<see cref="RmsPropPlainCoefficients{T}"/>, no
/// norm-clipping factor), over arrays whose lengths the caller has checked:
/// v ← ρ·v + (1−ρ)·g² ;  p ← p − lr·g / (√(v + ε_in) + ε_out) ;  g ← 0, in one pass.
/// <para>
/// It is <see cref="RmsPropKernel"/>'s loop for those terms, in the same order of operations, so the bits are the same
/// (adding the ε that is 0 is exact). It is written apart because it must be inlined into
/// <see cref="RmsPropState{T}.TryPlainStep"/> and <see cref="RmsPropState{T}.PlainStep"/>: the general loop, with a broadcast for every option, has more locals than the
/// JIT inlines, and the call into it with its streams struct cost about 0.8 ns of a 14 ns update at N = 64.
/// Vector512 → Vector256 → Vector128 over whole vectors, then the scalar width over the rest.
/// </para>
/// <para>
/// The main loop takes four vectors an iteration: four independent square roots and divisions at hand at once, and a
/// quarter of the loop's own instructions. At N = 64 (four Vector512s, one iteration) a copy of it took 8.5–9.6 ns against
/// 9.2–11.6 ns one vector an iteration (docs/benchmarks.md, "Run 16"). It is more code to inline, which is why the
/// generated plain step of a model with one array is a method of its own rather than inlined into its callers: the JIT
/// inlines into a short method too little to take this loop in. Each element still gets exactly the arithmetic above, so
/// the bits do not change.
/// </para>
/// </summary>
internal static class RmsPropPlainKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<T>(ref T parameter, ref T gradient, ref T squareAvg, nuint length, in RmsPropPlainCoefficients<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint done = 0;
        if (Simd512<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd512<T>, Vector512<T>>(ref parameter, ref gradient, ref squareAvg, length, c, 0);
        }
        else if (Simd256<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd256<T>, Vector256<T>>(ref parameter, ref gradient, ref squareAvg, length, c, 0);
        }
        else if (Simd128<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd128<T>, Vector128<T>>(ref parameter, ref gradient, ref squareAvg, length, c, 0);
        }

        if (done < length)
        {
            Run<T, SimdScalar<T>, T>(ref parameter, ref gradient, ref squareAvg, length, c, done);
        }
    }

    /// <summary>
    /// Updates whole vectors of <typeparamref name="TSimd"/>'s width from <paramref name="start"/>, four at a time and then one
    /// at a time, and returns the index of the first element it did not touch.
    /// </summary>
    /// <remarks>
    /// The four vectors of an iteration are written out rather than left to a helper: the update is inlined a few calls deep
    /// into the generated code, where the JIT's inlining budget runs out and a helper called four times would become calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nuint Run<T, TSimd, TVector>(ref T parameter, ref T gradient, ref T squareAvg, nuint length, in RmsPropPlainCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        TVector decay = TSimd.Broadcast(c.Decay);
        TVector oneMinusDecay = TSimd.Broadcast(c.OneMinusDecay);
        TVector epsInside = TSimd.Broadcast(c.EpsilonInside);
        TVector epsOutside = TSimd.Broadcast(c.EpsilonOutside);
        TVector negDirectStep = TSimd.Broadcast(c.NegativeDirectStep);
        TVector zero = TSimd.Broadcast(T.Zero);
        nuint count = (nuint)TSimd.Count;
        nuint i = start;
        for (; i + (4 * count) <= length; i += 4 * count)
        {
            nuint i1 = i + count, i2 = i + (2 * count), i3 = i + (3 * count);
            TVector g0 = TSimd.Load(ref gradient, i), g1 = TSimd.Load(ref gradient, i1), g2 = TSimd.Load(ref gradient, i2), g3 = TSimd.Load(ref gradient, i3);
            TSimd.Store(zero, ref gradient, i);
            TSimd.Store(zero, ref gradient, i1);
            TSimd.Store(zero, ref gradient, i2);
            TSimd.Store(zero, ref gradient, i3);

            // v ← ρ·v + (1−ρ)·g²
            TVector v0 = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g0), g0, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i)));
            TVector v1 = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g1), g1, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i1)));
            TVector v2 = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g2), g2, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i2)));
            TVector v3 = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g3), g3, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i3)));
            TSimd.Store(v0, ref squareAvg, i);
            TSimd.Store(v1, ref squareAvg, i1);
            TSimd.Store(v2, ref squareAvg, i2);
            TSimd.Store(v3, ref squareAvg, i3);

            // p ← p − lr·g / (√(v + ε_in) + ε_out)
            TVector d0 = TSimd.Add(TSimd.Sqrt(TSimd.Add(v0, epsInside)), epsOutside);
            TVector d1 = TSimd.Add(TSimd.Sqrt(TSimd.Add(v1, epsInside)), epsOutside);
            TVector d2 = TSimd.Add(TSimd.Sqrt(TSimd.Add(v2, epsInside)), epsOutside);
            TVector d3 = TSimd.Add(TSimd.Sqrt(TSimd.Add(v3, epsInside)), epsOutside);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i), TSimd.Divide(TSimd.Multiply(negDirectStep, g0), d0)), ref parameter, i);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i1), TSimd.Divide(TSimd.Multiply(negDirectStep, g1), d1)), ref parameter, i1);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i2), TSimd.Divide(TSimd.Multiply(negDirectStep, g2), d2)), ref parameter, i2);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i3), TSimd.Divide(TSimd.Multiply(negDirectStep, g3), d3)), ref parameter, i3);
        }

        for (; i + count <= length; i += count)
        {
            TVector g = TSimd.Load(ref gradient, i);
            TSimd.Store(zero, ref gradient, i);
            TVector v = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g), g, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i)));
            TSimd.Store(v, ref squareAvg, i);
            TVector d = TSimd.Add(TSimd.Sqrt(TSimd.Add(v, epsInside)), epsOutside);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i), TSimd.Divide(TSimd.Multiply(negDirectStep, g), d)), ref parameter, i);
        }

        return i;
    }
}
