using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> over <see cref="Vector256{T}"/>.</summary>
public readonly struct Simd256<T> : ISimd<Vector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    /// <inheritdoc/>
    public static int Count => Vector256<T>.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(T value) => Vector256.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> x, Vector256<T> y) => x - y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Multiply(Vector256<T> x, Vector256<T> y) => x * y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Divide(Vector256<T> x, Vector256<T> y) => x / y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> FusedMultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sqrt(Vector256<T> x) => Vector256.Sqrt(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Max(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Min(Vector256<T> x, Vector256<T> y) => Vector256.Min(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Negate(Vector256<T> x) => -x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Abs(Vector256<T> x) => Vector256.Abs(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Reciprocal(Vector256<T> x) => Vector256<T>.One / x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sign(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.One, Vector256<T>.Zero)
        - Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<T>.Zero), Vector256<T>.One, Vector256<T>.Zero);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> x, Vector256<T> y) => Vector256.GreaterThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LessThan(Vector256<T> x, Vector256<T> y) => Vector256.LessThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThanOrEqual(Vector256<T> x, Vector256<T> y) => Vector256.GreaterThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LessThanOrEqual(Vector256<T> x, Vector256<T> y) => Vector256.LessThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> EqualTo(Vector256<T> x, Vector256<T> y) => Vector256.Equals(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> whenTrue, Vector256<T> whenFalse) => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);
}
