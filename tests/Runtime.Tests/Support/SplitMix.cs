namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>
/// A small deterministic generator (SplitMix64) for test data: seeded <see cref="System.Random"/> costs ~1.5 µs to
/// create, which dominated cases of a few dozen elements.
/// </summary>
internal struct SplitMix
{
    private ulong _state;

    public SplitMix(ulong seed) => _state = seed;

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>−1 or +1.</summary>
    public double NextSign() => (NextUInt64() & 1) == 0 ? -1 : 1;

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
