namespace OptimizerGen.Integration.Tests.Support;

/// <summary>
/// The conformance data's input generator (README "Input generator"): SplitMix64, and uniform() = k·2⁻²³ − 1 with
/// k in [0, 2²⁴), exact in float32 and float64. Used for deterministic gradients in the preset tests.
/// </summary>
internal struct SplitMix64(ulong seed)
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

    /// <summary>A value in [−1, 1), a multiple of 2⁻²³.</summary>
    public double Uniform() => ((Next() >> 40) * (1.0 / (1 << 24)) * 2.0) - 1.0;
}
