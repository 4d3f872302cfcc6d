using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> over <see cref="Vector512{T}"/>.</summary>
public readonly struct Simd512<T> : ISimd<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    /// <inheritdoc/>
    public static int Count => Vector512<T>.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> x, Vector512<T> y) => x - y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> x, Vector512<T> y) => x * y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Divide(Vector512<T> x, Vector512<T> y) => x / y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> FusedMultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sqrt(Vector512<T> x) => Vector512.Sqrt(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Max(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Min(Vector512<T> x, Vector512<T> y) => Vector512.Min(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Negate(Vector512<T> x) => -x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Abs(Vector512<T> x) => Vector512.Abs(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Reciprocal(Vector512<T> x) => Vector512<T>.One / x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Sign(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero)
        - Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<T>.Zero), Vector512<T>.One, Vector512<T>.Zero);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> x, Vector512<T> y) => Vector512.GreaterThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LessThan(Vector512<T> x, Vector512<T> y) => Vector512.LessThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThanOrEqual(Vector512<T> x, Vector512<T> y) => Vector512.GreaterThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LessThanOrEqual(Vector512<T> x, Vector512<T> y) => Vector512.LessThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> EqualTo(Vector512<T> x, Vector512<T> y) => Vector512.Equals(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> whenTrue, Vector512<T> whenFalse) => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);
}
