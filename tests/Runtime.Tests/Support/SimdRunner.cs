using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using OptimizerGen.Kernels;
using OptimizerGen.Simd;

namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>The vector widths the kernel's loop is compiled for.</summary>
public enum Width
{
    Simd512,
    Simd256,
    Simd128,
    Scalar,
}

/// <summary>Calls the kernel's internal loop, <c>RmsPropKernel.Run</c>, at one chosen width, bypassing the dispatcher.</summary>
internal static class SimdRunner
{
    public static bool IsHardwareAccelerated<T>(Width width)
        where T : unmanaged, IFloatingPointIeee754<T> => width switch
        {
            Width.Simd512 => Simd512<T>.IsHardwareAccelerated,
            Width.Simd256 => Simd256<T>.IsHardwareAccelerated,
            Width.Simd128 => Simd128<T>.IsHardwareAccelerated,
            Width.Scalar => SimdScalar<T>.IsHardwareAccelerated,
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };

    public static int Count<T>(Width width)
        where T : unmanaged, IFloatingPointIeee754<T> => width switch
        {
            Width.Simd512 => Simd512<T>.Count,
            Width.Simd256 => Simd256<T>.Count,
            Width.Simd128 => Simd128<T>.Count,
            Width.Scalar => SimdScalar<T>.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };

    /// <summary>Runs the loop at <paramref name="width"/> from <paramref name="start"/>; returns the first element it did not touch.</summary>
    public static nuint Run<T>(Width width, in RmsPropKernel.Streams<T> s, in RmsPropCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T> => width switch
        {
            Width.Simd512 => RunVariant<T, Simd512<T>, Vector512<T>>(s, c, start),
            Width.Simd256 => RunVariant<T, Simd256<T>, Vector256<T>>(s, c, start),
            Width.Simd128 => RunVariant<T, Simd128<T>, Vector128<T>>(s, c, start),
            Width.Scalar => RunVariant<T, SimdScalar<T>, T>(s, c, start),
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };

    /// <summary>
    /// Runs the plain step's loop (<c>RmsPropPlainKernel.Run</c>: both ε terms, no term selection) at
    /// <paramref name="width"/> from <paramref name="start"/>; the coefficients must be plain.
    /// </summary>
    public static nuint RunPlain<T>(Width width, in RmsPropKernel.Streams<T> s, in RmsPropCoefficients<T> coefficients, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = RmsPropPlainCoefficients<T>.From(coefficients);
        if (!c.IsPlain)
        {
            throw new ArgumentException("The plain loop runs only with plain coefficients.", nameof(coefficients));
        }

        return width switch
        {
            Width.Simd512 => RmsPropPlainKernel.Run<T, Simd512<T>, Vector512<T>>(ref s.Parameter, ref s.Gradient, ref s.SquareAvg, s.Length, c, start),
            Width.Simd256 => RmsPropPlainKernel.Run<T, Simd256<T>, Vector256<T>>(ref s.Parameter, ref s.Gradient, ref s.SquareAvg, s.Length, c, start),
            Width.Simd128 => RmsPropPlainKernel.Run<T, Simd128<T>, Vector128<T>>(ref s.Parameter, ref s.Gradient, ref s.SquareAvg, s.Length, c, start),
            Width.Scalar => RmsPropPlainKernel.Run<T, SimdScalar<T>, T>(ref s.Parameter, ref s.Gradient, ref s.SquareAvg, s.Length, c, start),
            _ => throw new ArgumentOutOfRangeException(nameof(width)),
        };
    }

    /// <summary>The loop variant for the buffers and coupled decay in use (the same selection <c>RmsPropKernel.Update</c> makes).</summary>
    private static nuint RunVariant<T, TSimd, TVector>(in RmsPropKernel.Streams<T> s, in RmsPropCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct => c.Gradient.HasCoupledDecay
            ? RunVariant<T, TSimd, TVector, OptimizerGen.Rules.Yes>(s, c, start)
            : RunVariant<T, TSimd, TVector, OptimizerGen.Rules.No>(s, c, start);

    private static nuint RunVariant<T, TSimd, TVector, TDecay>(in RmsPropKernel.Streams<T> s, in RmsPropCoefficients<T> c, nuint start)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
        where TDecay : struct, OptimizerGen.Rules.IFlag => (c.Centered, c.ClampVariance, c.HasMomentum) switch
        {
            (false, _, false) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.Plain, TDecay>(s, c, start),
            (false, _, true) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.WithMomentum, TDecay>(s, c, start),
            (true, false, false) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.Centered, TDecay>(s, c, start),
            (true, false, true) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.CenteredWithMomentum, TDecay>(s, c, start),
            (true, true, false) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.CenteredClamped, TDecay>(s, c, start),
            (true, true, true) => RmsPropKernel.Run<T, TSimd, TVector, RmsPropKernel.CenteredClampedWithMomentum, TDecay>(s, c, start),
        };
}
