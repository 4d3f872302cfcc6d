using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OptimizerGen.StepBenchmarks;

/// <summary>Deterministic data and the checks that the variants do the same work.</summary>
internal static class Data
{
    /// <summary>Deterministic values uniform in ±<paramref name="scale"/> (xorshift), never 0: the sweeps' parameters and gradients.</summary>
    public static T[] Uniform<T>(int n, ulong seed, double scale)
        where T : INumber<T>
    {
        var values = new T[n];
        ulong state = 0x9E3779B97F4A7C15UL * seed;
        for (int i = 0; i < n; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            double u = ((state * 0x2545F4914F6CDD1DUL) >> 11) / (double)(1UL << 53);
            values[i] = T.CreateChecked((scale * ((2 * u) - 1)) + (scale * 1e-3));
        }

        return values;
    }

    /// <summary>
    /// Brings every loop of a large case to tier-1 code before anything is measured: two rounds of 200 calls of each
    /// of <paramref name="calls"/> on a small case of the same types (the same methods), <paramref name="refill"/>
    /// after each, with a pause for the background JIT. One call at the large N takes milliseconds, too few for the
    /// measured calls to leave tier-0 and OSR code on their own.
    /// </summary>
    public static void WarmUpOnSmallCase(Action refill, params Action[] calls)
    {
        for (int round = 0; round < 2; round++)
        {
            for (int call = 0; call < 200; call++)
            {
                foreach (Action c in calls)
                {
                    c();
                }

                refill();
            }

            System.Threading.Thread.Sleep(150);
        }
    }

    /// <summary>The seed's two points.</summary>
    public static readonly float[] SeedXs = [0.5f, 2.5f];

    /// <summary>The seed's two targets.</summary>
    public static readonly float[] SeedYs = [0.2f, 0.9f];

    /// <summary>
    /// A linear-regression data set: <paramref name="samples"/> rows of <paramref name="features"/> features uniform in
    /// [−1, 1), targets y = x·w* + b* + noise (w*ᵢ = (i − 7.5)/8, b* = 0.5, noise uniform in ±0.05). Made by a fixed
    /// xorshift64* generator, so every run and every .NET version gets the same numbers.
    /// </summary>
    public static (float[] X, float[] Y) LinearRegression(int samples, int features)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        float Next()
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            return (float)((state * 0x2545F4914F6CDD1DUL) >> 40) / (1 << 24) * 2f - 1f;
        }

        var x = new float[samples * features];
        var y = new float[samples];
        for (int k = 0; k < samples; k++)
        {
            float target = 0.5f;
            for (int i = 0; i < features; i++)
            {
                float value = Next();
                x[k * features + i] = value;
                target += (i - 7.5f) / 8f * value;
            }

            y[k] = target + 0.05f * Next();
        }

        return (x, y);
    }

    /// <summary>Throws unless the two sequences hold the same bits.</summary>
    public static void CheckSameBits(ReadOnlySpan<float> generated, ReadOnlySpan<float> handWritten, string what)
    {
        if (!MemoryMarshal.Cast<float, int>(generated).SequenceEqual(MemoryMarshal.Cast<float, int>(handWritten)))
        {
            throw new InvalidOperationException(
                $"The generated and hand-written steps disagree on {what} ([{string.Join(", ", generated.ToArray())}] vs " +
                $"[{string.Join(", ", handWritten.ToArray())}]): they do not do the same work.");
        }
    }

    /// <summary>Throws unless every |a − b| ≤ <paramref name="tolerance"/>; prints the largest difference.</summary>
    public static void CheckClose(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float tolerance, string what)
    {
        float largest = 0f;
        for (int i = 0; i < a.Length; i++)
        {
            largest = MathF.Max(largest, MathF.Abs(a[i] - b[i]));
        }

        Console.WriteLine($"// {what}: largest difference {largest:G3} (tolerance {tolerance:G3})");
        if (a.Length != b.Length || !(largest <= tolerance))
        {
            throw new InvalidOperationException(
                $"{what}: [{string.Join(", ", a.ToArray())}] vs [{string.Join(", ", b.ToArray())}] differ by {largest}, more than {tolerance}.");
        }
    }
}
