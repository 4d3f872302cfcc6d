using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.Simd;

/// <summary><see cref="ISimd{TVector, T}"/> over <see cref="Vector128{T}"/>.</summary>
public readonly struct Simd128<T> : ISimd<Vector128<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported;

    /// <inheritdoc/>
    public static int Count => Vector128<T>.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref T source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Broadcast(T value) => Vector128.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> x, Vector128<T> y) => x + y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Subtract(Vector128<T> x, Vector128<T> y) => x - y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Multiply(Vector128<T> x, Vector128<T> y) => x * y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Divide(Vector128<T> x, Vector128<T> y) => x / y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> FusedMultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector128.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector128.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Sqrt(Vector128<T> x) => Vector128.Sqrt(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Max(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Min(Vector128<T> x, Vector128<T> y) => Vector128.Min(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Negate(Vector128<T> x) => -x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Abs(Vector128<T> x) => Vector128.Abs(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Reciprocal(Vector128<T> x) => Vector128<T>.One / x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Sign(Vector128<T> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), Vector128<T>.One, Vector128<T>.Zero)
        - Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<T>.Zero), Vector128<T>.One, Vector128<T>.Zero);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> x, Vector128<T> y) => Vector128.GreaterThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LessThan(Vector128<T> x, Vector128<T> y) => Vector128.LessThan(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThanOrEqual(Vector128<T> x, Vector128<T> y) => Vector128.GreaterThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LessThanOrEqual(Vector128<T> x, Vector128<T> y) => Vector128.LessThanOrEqual(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> EqualTo(Vector128<T> x, Vector128<T> y) => Vector128.Equals(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> whenTrue, Vector128<T> whenFalse) => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);
}
