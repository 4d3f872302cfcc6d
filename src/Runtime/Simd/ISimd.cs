using System.Numerics;

namespace OptimizerGen.Simd;

/// <summary>
/// The vector vocabulary an element-wise update loop is written in, once, for every width: implemented by
/// <see cref="Simd512{T}"/>, <see cref="Simd256{T}"/>, <see cref="Simd128{T}"/> and <see cref="SimdScalar{T}"/>
/// (a "vector" of one element, which runs the remainder with the very same loop body). Generic struct type
/// arguments make the JIT compile one specialized loop per width, with every call inlined. Public so that update rules
/// (<see cref="OptimizerGen.Rules.IElementwiseUpdate{T}"/>: the built-in ones and the ones the generator translates from
/// a user's rule type) are written once over it. A comparison returns a mask (all bits set where true) that only
/// <see cref="Select"/> consumes.
/// </summary>
/// <typeparam name="TVector">The register type: <c>Vector512&lt;T&gt;</c>, …, or <typeparamref name="T"/> itself.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ISimd<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether this width runs in hardware here (the scalar width always does).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads a vector from <paramref name="source"/> at element <paramref name="index"/>.</summary>
    static abstract TVector Load(ref T source, nuint index);

    /// <summary>Stores <paramref name="value"/> at element <paramref name="index"/> of <paramref name="destination"/>.</summary>
    static abstract void Store(TVector value, ref T destination, nuint index);

    /// <summary>A vector with every lane <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(T value);

    /// <summary>x + y.</summary>
    static abstract TVector Add(TVector x, TVector y);

    /// <summary>x − y.</summary>
    static abstract TVector Subtract(TVector x, TVector y);

    /// <summary>x · y.</summary>
    static abstract TVector Multiply(TVector x, TVector y);

    /// <summary>x / y.</summary>
    static abstract TVector Divide(TVector x, TVector y);

    /// <summary>x·y + z with one rounding.</summary>
    static abstract TVector FusedMultiplyAdd(TVector x, TVector y, TVector z);

    /// <summary>√x, correctly rounded.</summary>
    static abstract TVector Sqrt(TVector x);

    /// <summary>The larger of each pair (IEEE <c>maximum</c>: a NaN propagates).</summary>
    static abstract TVector Max(TVector x, TVector y);

    /// <summary>The smaller of each pair (IEEE <c>minimum</c>: a NaN propagates).</summary>
    static abstract TVector Min(TVector x, TVector y);

    /// <summary>−x.</summary>
    static abstract TVector Negate(TVector x);

    /// <summary>|x|.</summary>
    static abstract TVector Abs(TVector x);

    /// <summary>1 / x.</summary>
    static abstract TVector Reciprocal(TVector x);

    /// <summary>−1, 0 or +1 (0 for ±0 and NaN).</summary>
    static abstract TVector Sign(TVector x);

    /// <summary>A mask: x &gt; y.</summary>
    static abstract TVector GreaterThan(TVector x, TVector y);

    /// <summary>A mask: x &lt; y.</summary>
    static abstract TVector LessThan(TVector x, TVector y);

    /// <summary>A mask: x &gt;= y.</summary>
    static abstract TVector GreaterThanOrEqual(TVector x, TVector y);

    /// <summary>A mask: x &lt;= y.</summary>
    static abstract TVector LessThanOrEqual(TVector x, TVector y);

    /// <summary>A mask: x == y.</summary>
    static abstract TVector EqualTo(TVector x, TVector y);

    /// <summary>Where <paramref name="mask"/> is set, <paramref name="whenTrue"/>; elsewhere <paramref name="whenFalse"/>.</summary>
    static abstract TVector Select(TVector mask, TVector whenTrue, TVector whenFalse);
}
