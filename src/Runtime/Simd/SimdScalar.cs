using System.Numerics;
using System.Runtime.CompilerServices;

namespace OptimizerGen.Simd;

/// <summary>
/// <see cref="ISimd{TVector, T}"/> over single elements: the scalar path, and the remainder of every vector loop,
/// so each element is updated exactly once with the same arithmetic as the vector lanes.
/// </summary>
public readonly struct SimdScalar<T> : ISimd<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static bool IsHardwareAccelerated => true;

    /// <inheritdoc/>
    public static int Count => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Load(ref T source, nuint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T value, ref T destination, nuint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Broadcast(T value) => value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Add(T x, T y) => x + y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Subtract(T x, T y) => x - y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Multiply(T x, T y) => x * y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Divide(T x, T y) => x / y;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T FusedMultiplyAdd(T x, T y, T z) => T.FusedMultiplyAdd(x, y, z);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sqrt(T x) => T.Sqrt(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Max(T x, T y) => T.Max(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Min(T x, T y) => T.Min(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Negate(T x) => -x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Abs(T x) => T.Abs(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reciprocal(T x) => T.One / x;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sign(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;

    /// <summary>The scalar mask: 1 where true, 0 where false (only <see cref="Select"/> reads it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GreaterThan(T x, T y) => x > y ? T.One : T.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LessThan(T x, T y) => x < y ? T.One : T.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GreaterThanOrEqual(T x, T y) => x >= y ? T.One : T.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LessThanOrEqual(T x, T y) => x <= y ? T.One : T.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T EqualTo(T x, T y) => x == y ? T.One : T.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Select(T mask, T whenTrue, T whenFalse) => mask != T.Zero ? whenTrue : whenFalse;
}
