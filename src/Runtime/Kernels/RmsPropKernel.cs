using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Rules;
using OptimizerGen.Simd;

namespace OptimizerGen.Kernels;

/// <summary>
/// The fused single-pass RMSprop update over spans: each element's parameter, gradient and state are read once and
/// written once, and the gradient is zeroed in the same pass. The loop body is written once (<see cref="Loop"/>) and
/// compiled per vector width, Vector512 → Vector256 → Vector128, with the scalar width finishing the remainder, so no
/// element is updated twice. Which buffers are in use (centered, momentum, clamp) selects one of six loop variants
/// before the loop; every other option is a coefficient (see <see cref="RmsPropCoefficients{T}"/>). A term whose
/// coefficient makes it an exact identity this step (g·1, p·1, v·1, m·1, + 0) is left out of the loop as well (see
/// <see cref="ITerms"/>): the results are the same bits, and the framework presets run only the arithmetic they need.
/// </summary>
public static class RmsPropKernel
{
    /// <summary>
    /// Updates <paramref name="parameter"/> in place from <paramref name="gradient"/> and zeroes the gradient.
    /// </summary>
    /// <param name="parameter">The parameter p.</param>
    /// <param name="gradient">The gradient g; all zeros afterwards.</param>
    /// <param name="squareAvg">The squared-gradient average v (PyTorch <c>square_avg</c>).</param>
    /// <param name="gradAvg">The gradient average m (PyTorch <c>grad_avg</c>); read only when centered, may be empty otherwise.</param>
    /// <param name="momentumBuffer">The momentum buffer b (PyTorch <c>momentum_buffer</c>); read only with momentum, may be empty otherwise.</param>
    /// <param name="c">This step's coefficients.</param>
    /// <exception cref="ArgumentException">A span in use does not have the parameter's length. Nothing was changed.</exception>
    public static void Update<T>(Span<T> parameter, Span<T> gradient, Span<T> squareAvg, Span<T> gradAvg, Span<T> momentumBuffer, in RmsPropCoefficients<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = parameter.Length;
        CheckLength(gradient.Length, n, nameof(gradient));
        CheckLength(squareAvg.Length, n, nameof(squareAvg));
        if (c.Centered)
        {
            CheckLength(gradAvg.Length, n, nameof(gradAvg));
        }

        if (c.HasMomentum)
        {
            CheckLength(momentumBuffer.Length, n, nameof(momentumBuffer));
        }

        var s = new Streams<T>(parameter, gradient, squareAvg, gradAvg, momentumBuffer, (nuint)n);
        if (c.Gradient.HasCoupledDecay)
        {
            Select<T, Yes>(s, c);
        }
        else
        {
            // Without coupled decay p never enters g (so a non-finite p cannot poison the state through 0·p).
            Select<T, No>(s, c);
        }
    }

    private static void Select<T, TDecay>(in Streams<T> s, in RmsPropCoefficients<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TDecay : struct, IFlag
    {
        switch ((c.Centered, c.ClampVariance, c.HasMomentum))
        {
            case (false, _, false): Dispatch<T, Plain, TDecay>(s, c); break;
            case (false, _, true): Dispatch<T, WithMomentum, TDecay>(s, c); break;
            case (true, false, false): Dispatch<T, Centered, TDecay>(s, c); break;
            case (true, false, true): Dispatch<T, CenteredWithMomentum, TDecay>(s, c); break;
            case (true, true, false): Dispatch<T, CenteredClamped, TDecay>(s, c); break;
            case (true, true, true): Dispatch<T, CenteredClampedWithMomentum, TDecay>(s, c); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            ThrowLengthMismatch(actual, expected, name);
        }
    }

    /// <summary>Out of line, so formatting the message does not weigh on <see cref="Update"/>'s prologue.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(int actual, int expected, string name) =>
        throw new ArgumentException($"RMSprop: '{name}' has length {actual}, but the parameter has length {expected}.", name);

    /// <summary>Runs the widest accelerated width over whole vectors, then the scalar width over the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dispatch<T, TVariant, TDecay>(in Streams<T> s, in RmsPropCoefficients<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVariant : struct, IVariant
        where TDecay : struct, IFlag
    {
        nuint done = 0;
        if (Simd512<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd512<T>, Vector512<T>, TVariant, TDecay>(s, c, 0);
        }
        else if (Simd256<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd256<T>, Vector256<T>, TVariant, TDecay>(s, c, 0);
        }
        else if (Simd128<T>.IsHardwareAccelerated)
        {
            done = Run<T, Simd128<T>, Vector128<T>, TVariant, TDecay>(s, c, 0);
        }

        if (done < s.Length)
        {
            Run<T, SimdScalar<T>, T, TVariant, TDecay>(s, c, done);
        }
    }

    /// <summary>
    /// Updates whole vectors from <paramref name="start"/> and returns the index of the first element it did not
    /// touch: <see cref="Loop"/> without the terms this step's coefficients make exact identities (see
    /// <see cref="ITerms"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nuint Run<T, TSimd, TVector, TVariant, TDecay>(in Streams<T> s, in RmsPropCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TVariant : struct, IVariant
        where TDecay : struct, IFlag
    {
        // Every preset puts ε on one side of the root only; without maximize, decoupled decay or bias correction the
        // loop then needs neither g·1, p·1, v·1 nor a + 0 (ε outside: PyTorch's defaults; inside: Keras', TF 1's, Optax's).
        if (c.Gradient.ClipsValue)
        {
            return Loop<T, TSimd, TVector, TVariant, TDecay, AllTermsClamped>(s, c, start);
        }

        bool identities = c.Gradient.GradientScale == T.One && c.Gradient.ParameterScale == T.One && c.Correction == T.One;
        if (identities && c.EpsilonInside == T.Zero && c.EpsilonOutside > T.Zero)
        {
            return Loop<T, TSimd, TVector, TVariant, TDecay, EpsilonOutsideOnly>(s, c, start);
        }

        if (identities && c.EpsilonOutside == T.Zero && c.EpsilonInside > T.Zero)
        {
            return Loop<T, TSimd, TVector, TVariant, TDecay, EpsilonInsideOnly>(s, c, start);
        }

        return Loop<T, TSimd, TVector, TVariant, TDecay, AllTerms>(s, c, start);
    }

    /// <summary>
    /// The loop, written once for every width and set of terms. Updates whole vectors from <paramref name="start"/>
    /// and returns the index of the first element it did not touch.
    /// </summary>
    private static nuint Loop<T, TSimd, TVector, TVariant, TDecay, TTerms>(in Streams<T> s, in RmsPropCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TVariant : struct, IVariant
        where TDecay : struct, IFlag
        where TTerms : struct, ITerms
    {
        TVector scale = TSimd.Broadcast(c.Gradient.GradientScale);
        TVector clipHigh = TSimd.Broadcast(c.Gradient.ClipValue);
        TVector clipLow = TSimd.Broadcast(-c.Gradient.ClipValue);
        TVector coupledDecay = TSimd.Broadcast(c.Gradient.CoupledDecay);
        TVector parameterScale = TSimd.Broadcast(c.Gradient.ParameterScale);
        TVector decay = TSimd.Broadcast(c.Decay);
        TVector oneMinusDecay = TSimd.Broadcast(c.OneMinusDecay);
        TVector correction = TSimd.Broadcast(c.Correction);
        TVector epsInside = TSimd.Broadcast(c.EpsilonInside);
        TVector epsOutside = TSimd.Broadcast(c.EpsilonOutside);
        TVector momentum = TSimd.Broadcast(c.Momentum);
        TVector bufferGain = TSimd.Broadcast(c.BufferGain);
        TVector negBufferStep = TSimd.Broadcast(-c.BufferStep);
        TVector negDirectStep = TSimd.Broadcast(-c.DirectStep);
        TVector zero = TSimd.Broadcast(T.Zero);

        ref T pRef = ref s.Parameter;
        ref T gRef = ref s.Gradient;
        ref T vRef = ref s.SquareAvg;
        ref T mRef = ref s.GradAvg;
        ref T bRef = ref s.MomentumBuffer;
        nuint count = (nuint)TSimd.Count;
        nuint length = s.Length; // a local: s is a reference the stores below might alias, so s.Length would be reloaded every iteration
        nuint i = start;
        for (; i + count <= length; i += count)
        {
            TVector p = TSimd.Load(ref pRef, i);

            // g ← clamp(scale·g, −c, c) + λ·p   (maximize and norm clipping; value clipping; coupled weight decay)
            TVector g = TSimd.Load(ref gRef, i);
            if (TTerms.GradientScale)
            {
                g = TSimd.Multiply(scale, g);
            }

            if (TTerms.ClampsGradient)
            {
                g = TSimd.Min(TSimd.Max(g, clipLow), clipHigh);
            }

            if (TDecay.On)
            {
                g = TSimd.FusedMultiplyAdd(p, coupledDecay, g);
            }

            TSimd.Store(zero, ref gRef, i);

            // p ← p·(1 − lr·λ)   (decoupled weight decay)
            if (TTerms.ParameterScale)
            {
                p = TSimd.Multiply(p, parameterScale);
            }

            // v ← ρ·v + (1−ρ)·g²
            TVector v = TSimd.FusedMultiplyAdd(TSimd.Multiply(oneMinusDecay, g), g, TSimd.Multiply(decay, TSimd.Load(ref vRef, i)));
            TSimd.Store(v, ref vRef, i);

            // s = v̂ (− m̂²) ;  d = √(s + ε_in) + ε_out
            TVector variance = TTerms.Correction ? TSimd.Multiply(v, correction) : v;
            if (TVariant.UsesGradAvg)
            {
                // m ← ρ·m + (1−ρ)·g ;  s = v̂ − m̂²  (clamped at 0 on request)
                TVector m = TSimd.FusedMultiplyAdd(g, oneMinusDecay, TSimd.Multiply(decay, TSimd.Load(ref mRef, i)));
                TSimd.Store(m, ref mRef, i);
                TVector mHat = TTerms.Correction ? TSimd.Multiply(m, correction) : m;
                variance = TSimd.FusedMultiplyAdd(TSimd.Subtract(zero, mHat), mHat, variance);
                if (TVariant.ClampsVariance)
                {
                    variance = TSimd.Max(variance, zero);
                }
            }

            TVector d = TSimd.Sqrt(TTerms.EpsilonInside ? TSimd.Add(variance, epsInside) : variance);
            if (TTerms.EpsilonOutside)
            {
                d = TSimd.Add(d, epsOutside);
            }

            if (TVariant.UsesMomentum)
            {
                // u = g/d ;  b ← μ·b + gain·u ;  p ← p − step_b·b − step_u·u
                TVector u = TSimd.Divide(g, d);
                TVector b = TSimd.FusedMultiplyAdd(bufferGain, u, TSimd.Multiply(momentum, TSimd.Load(ref bRef, i)));
                TSimd.Store(b, ref bRef, i);
                p = TSimd.FusedMultiplyAdd(negBufferStep, b, TSimd.FusedMultiplyAdd(negDirectStep, u, p));
            }
            else
            {
                // p ← p − lr·g/d
                p = TSimd.Add(p, TSimd.Divide(TSimd.Multiply(negDirectStep, g), d));
            }

            TSimd.Store(p, ref pRef, i);
        }

        return i;
    }

    /// <summary>The spans of one update, as references (lengths checked by <see cref="Update"/>).</summary>
    internal readonly ref struct Streams<T>
        where T : unmanaged
    {
        public readonly ref T Parameter;
        public readonly ref T Gradient;
        public readonly ref T SquareAvg;
        public readonly ref T GradAvg;
        public readonly ref T MomentumBuffer;
        public readonly nuint Length;

        public Streams(Span<T> parameter, Span<T> gradient, Span<T> squareAvg, Span<T> gradAvg, Span<T> momentumBuffer, nuint length)
        {
            Parameter = ref MemoryMarshal.GetReference(parameter);
            Gradient = ref MemoryMarshal.GetReference(gradient);
            SquareAvg = ref MemoryMarshal.GetReference(squareAvg);
            GradAvg = ref MemoryMarshal.GetReference(gradAvg);
            MomentumBuffer = ref MemoryMarshal.GetReference(momentumBuffer);
            Length = length;
        }
    }

    /// <summary>
    /// Which of the other per-element terms a loop computes; constants the JIT folds away. A term is left out only when
    /// this step's coefficient makes it an exact identity for every input, so the results are the same bits either way:
    /// <list type="bullet">
    /// <item><description>x·1 = x for every x (a NaN stays a NaN): scale·g, p·(1 − lr·λ), v·c and m·c.</description></item>
    /// <item><description>ε outside (ε_in = ±0, ε_out &gt; 0): √(s + ε_in) and √s differ only for s = −0 (−0 against
    /// +0), and either plus ε_out is ε_out.</description></item>
    /// <item><description>ε inside (ε_out = ±0, ε_in &gt; 0): s + ε_in is never −0, so neither is its root, and
    /// x + (±0) = x for every other x.</description></item>
    /// </list>
    /// </summary>
    internal interface ITerms
    {
        /// <summary>g ← scale·g.</summary>
        static abstract bool GradientScale { get; }

        /// <summary>g ← clamp(g, −c, c): only when value clipping is on.</summary>
        static abstract bool ClampsGradient { get; }

        /// <summary>p ← p·(1 − lr·λ).</summary>
        static abstract bool ParameterScale { get; }

        /// <summary>v̂ = v·c, m̂ = m·c.</summary>
        static abstract bool Correction { get; }

        /// <summary>+ ε_in under the root.</summary>
        static abstract bool EpsilonInside { get; }

        /// <summary>+ ε_out after the root.</summary>
        static abstract bool EpsilonOutside { get; }
    }

    /// <summary>Every term: right for any coefficients without value clipping.</summary>
    internal readonly struct AllTerms : ITerms
    {
        public static bool GradientScale => true;
        public static bool ClampsGradient => false;
        public static bool ParameterScale => true;
        public static bool Correction => true;
        public static bool EpsilonInside => true;
        public static bool EpsilonOutside => true;
    }

    /// <summary>Every term and the value clamp: right for any coefficients.</summary>
    internal readonly struct AllTermsClamped : ITerms
    {
        public static bool GradientScale => true;
        public static bool ClampsGradient => true;
        public static bool ParameterScale => true;
        public static bool Correction => true;
        public static bool EpsilonInside => true;
        public static bool EpsilonOutside => true;
    }

    /// <summary>scale = 1, 1 − lr·λ = 1, c = 1, ε_in = ±0, ε_out &gt; 0, no clamp: d = √s + ε (PyTorch's defaults).</summary>
    internal readonly struct EpsilonOutsideOnly : ITerms
    {
        public static bool GradientScale => false;
        public static bool ClampsGradient => false;
        public static bool ParameterScale => false;
        public static bool Correction => false;
        public static bool EpsilonInside => false;
        public static bool EpsilonOutside => true;
    }

    /// <summary>scale = 1, 1 − lr·λ = 1, c = 1, ε_out = ±0, ε_in &gt; 0, no clamp: d = √(s + ε) (Keras', TF 1's and Optax's defaults).</summary>
    internal readonly struct EpsilonInsideOnly : ITerms
    {
        public static bool GradientScale => false;
        public static bool ClampsGradient => false;
        public static bool ParameterScale => false;
        public static bool Correction => false;
        public static bool EpsilonInside => true;
        public static bool EpsilonOutside => false;
    }

    /// <summary>Which buffers a loop variant touches; constants the JIT folds away.</summary>
    internal interface IVariant
    {
        static abstract bool UsesGradAvg { get; }

        static abstract bool ClampsVariance { get; }

        static abstract bool UsesMomentum { get; }
    }

    internal readonly struct Plain : IVariant
    {
        public static bool UsesGradAvg => false;
        public static bool ClampsVariance => false;
        public static bool UsesMomentum => false;
    }

    internal readonly struct WithMomentum : IVariant
    {
        public static bool UsesGradAvg => false;
        public static bool ClampsVariance => false;
        public static bool UsesMomentum => true;
    }

    internal readonly struct Centered : IVariant
    {
        public static bool UsesGradAvg => true;
        public static bool ClampsVariance => false;
        public static bool UsesMomentum => false;
    }

    internal readonly struct CenteredWithMomentum : IVariant
    {
        public static bool UsesGradAvg => true;
        public static bool ClampsVariance => false;
        public static bool UsesMomentum => true;
    }

    internal readonly struct CenteredClamped : IVariant
    {
        public static bool UsesGradAvg => true;
        public static bool ClampsVariance => true;
        public static bool UsesMomentum => false;
    }

    internal readonly struct CenteredClampedWithMomentum : IVariant
    {
        public static bool UsesGradAvg => true;
        public static bool ClampsVariance => true;
        public static bool UsesMomentum => true;
    }
}
