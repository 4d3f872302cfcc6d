using System.Numerics;

namespace OptimizerGen.Simd;

/// <summary>
/// The vector vocabulary an element-wise update loop is written in, once, for every width: implemented by
/// <see cref="Simd512{T}"/>, <see cref="Simd256{T}"/>, <see cref="Simd128{T}"/> and <see cref="SimdScalar{T}"/>
/// (a "vector" of one element, which runs the remainder with the very same loop body). Generic struct type
/// arguments make the JIT compile one specialized loop per width, with every call inlined.
/// </summary>
/// <typeparam name="TVector">The register type: <c>Vector512&lt;T&gt;</c>, …, or <typeparamref name="T"/> itself.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether this width runs in hardware here (the scalar width always does).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Load(ref T source, nuint index);

    static abstract void Store(TVector value, ref T destination, nuint index);

    static abstract TVector Broadcast(T value);

    static abstract TVector Add(TVector x, TVector y);

    static abstract TVector Subtract(TVector x, TVector y);

    static abstract TVector Multiply(TVector x, TVector y);

    static abstract TVector Divide(TVector x, TVector y);

    /// <summary>x·y + z with one rounding.</summary>
    static abstract TVector FusedMultiplyAdd(TVector x, TVector y, TVector z);

    static abstract TVector Sqrt(TVector x);

    /// <summary>The larger of x and y; NaN when either is NaN (IEEE 754 maximum).</summary>
    static abstract TVector Max(TVector x, TVector y);

    /// <summary>The smaller of x and y; NaN when either is NaN (IEEE 754 minimum).</summary>
    static abstract TVector Min(TVector x, TVector y);
}
