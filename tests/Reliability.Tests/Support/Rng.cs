namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>SplitMix64: a small deterministic generator, so every run (and every child process) sees the same numbers.</summary>
internal struct Rng(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A value in [−1, 1).</summary>
    public double Uniform() => ((Next() >> 11) * (1.0 / (1UL << 53)) * 2.0) - 1.0;

    /// <summary>A whole number in [0, <paramref name="bound"/>).</summary>
    public int Below(int bound) => (int)(Next() % (ulong)bound);

    /// <summary>A stable seed from a string (string.GetHashCode is randomized per process).</summary>
    public static ulong Hash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash;
    }
}
