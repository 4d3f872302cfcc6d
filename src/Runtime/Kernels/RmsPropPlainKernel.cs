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
/// <see cref="RmsPropState{T}.PlainStep"/>: the general loop, with a broadcast for every option, has more locals than the
/// JIT inlines, and the call into it with its streams struct cost about 0.8 ns of a 14 ns update at N = 64.
/// Vector512 → Vector256 → Vector128 over whole vectors, then the scalar width over the rest.
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
    /// Updates whole vectors of <typeparamref name="TSimd"/>'s width from <paramref name="start"/> and returns the index of the
    /// first element it did not touch.
    /// </summary>
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
        for (; i + count <= length; i += count)
        {
            TVector g = TSimd.Load(ref gradient, i);
            TSimd.Store(zero, ref gradient, i);

            // v ← ρ·v + (1−ρ)·g²
            TVector v = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g), g, TSimd.Multiply(decay, TSimd.Load(ref squareAvg, i)));
            TSimd.Store(v, ref squareAvg, i);

            // p ← p − lr·g / (√(v + ε_in) + ε_out)
            TVector d = TSimd.Add(TSimd.Sqrt(TSimd.Add(v, epsInside)), epsOutside);
            TSimd.Store(TSimd.Add(TSimd.Load(ref parameter, i), TSimd.Divide(TSimd.Multiply(negDirectStep, g), d)), ref parameter, i);
        }

        return i;
    }
}
