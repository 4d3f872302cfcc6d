using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.Benchmarks;

/// <summary>Deterministic test data and the bit-for-bit check that both variants do the same work.</summary>
internal static class Data
{
    /// <summary>
    /// Values in ±[0.1, 1): far from zero, so v settles near g² and nothing in the loop ever goes subnormal (a
    /// subnormal v or g would slow both variants by microcode assists and measure the wrong thing).
    /// </summary>
    public static float[] Gradient(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            float magnitude = 0.1f + 0.9f * random.NextSingle();
            values[i] = random.Next(2) == 0 ? magnitude : -magnitude;
        }

        return values;
    }

    /// <summary>
    /// Two steps of the generated update (<paramref name="applyGradients"/> on <paramref name="parameter"/>,
    /// <paramref name="gradient"/> and the model's own v) against two steps of <see cref="HandWritten.RmsPropStep"/> on
    /// copies, from the same start and the same gradient: throws unless p, v and the zeroed gradients are the same
    /// bits, i.e. both do exactly the same work.
    /// </summary>
    public static void CheckSameWork(float[] parameter, float[] gradient, Func<float[]?> squareAvg, Action applyGradients, float[] source)
    {
        float[] p = (float[])parameter.Clone();
        float[] g = new float[gradient.Length];
        float[] v = new float[parameter.Length];
        for (int step = 0; step < 2; step++)
        {
            source.AsSpan().CopyTo(gradient);
            applyGradients();
            source.AsSpan().CopyTo(g);
            HandWritten.RmsPropStep(p, g, v, HandWritten.LearningRate, HandWritten.Alpha, HandWritten.OneMinusAlpha, HandWritten.Epsilon);
        }

        CheckSameBits(parameter, p, "p");
        CheckSameBits(squareAvg(), v, "v");
        CheckZero(gradient, "The generated step's gradient");
        CheckZero(g, "The hand-written step's gradient");
    }

    /// <summary>Throws unless the two arrays hold the same bits.</summary>
    public static void CheckSameBits(ReadOnlySpan<float> generated, ReadOnlySpan<float> handWritten, string what)
    {
        if (!MemoryMarshal.Cast<float, int>(generated).SequenceEqual(MemoryMarshal.Cast<float, int>(handWritten)))
        {
            throw new InvalidOperationException($"The generated and hand-written steps disagree on {what}: they do not do the same work.");
        }
    }

    /// <summary>Throws unless <paramref name="values"/> is all zeros.</summary>
    public static void CheckZero(ReadOnlySpan<float> values, string what)
    {
        if (values.ContainsAnyExcept(0f))
        {
            throw new InvalidOperationException($"{what} was not zeroed.");
        }
    }

    /// <summary>The hand-written baselines are Vector512 loops: refuse to report numbers for a machine without it.</summary>
    public static void RequireVector512()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            throw new PlatformNotSupportedException("These benchmarks compare against a Vector512 loop; this machine has no accelerated Vector512.");
        }
    }

    /// <summary>Where an array's first element sits relative to a 64-byte cache line (printed, as it can move timings).</summary>
    public static int Misalignment(float[] array)
    {
        GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            return (int)(handle.AddrOfPinnedObject() % 64);
        }
        finally
        {
            handle.Free();
        }
    }
}
