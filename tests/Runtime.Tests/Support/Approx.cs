using System;
using System.Numerics;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>What a comparison is about, formatted only when it fails.</summary>
internal readonly record struct CaseInfo(string Path, Combo? Combo, int Length, long Step)
{
    public override string ToString() => Combo is { } combo
        ? $"{Path}, length {Length}, step {Step}, {combo}"
        : $"{Path}, length {Length}, step {Step}";
}

/// <summary>Tolerant comparison of an array against the reference.</summary>
internal static class Approx
{
    /// <summary>
    /// Relative tolerance: rounding differences only (fused vs separate multiply-add, another association of the same
    /// products), accumulated over a few steps.
    /// </summary>
    public static double RelativeTolerance<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    /// <summary>
    /// Asserts |actual − expected| ≤ tol·|expected| element by element. NaN matches NaN; ±∞ must match exactly.
    /// (The test data keep every quantity away from 0, so no result is the small difference of large ones.)
    /// </summary>
    public static void AssertClose<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what, in CaseInfo info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{what}: length {actual.Length}, expected {expected.Length}; {info}");
        }

        double relative = RelativeTolerance<T>();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]);
            double a = double.CreateChecked(actual[i]);
            if (e == a || (double.IsNaN(e) && double.IsNaN(a)) || Math.Abs(a - e) <= relative * Math.Abs(e))
            {
                continue;
            }

            Assert.Fail($"{what}[{i}]: expected {e:R}, actual {a:R} (relative difference {Math.Abs((a - e) / e):R} > {relative:R}); {info}");
        }
    }

    /// <summary>Asserts every element of <paramref name="actual"/> is exactly <paramref name="value"/>.</summary>
    public static void AssertAll<T>(ReadOnlySpan<T> actual, T value, string what, in CaseInfo info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] != value)
            {
                Assert.Fail($"{what}[{i}]: expected exactly {value}, actual {actual[i]}; {info}");
            }
        }
    }

    /// <summary>Asserts two spans are bit-for-bit identical (an element that was not supposed to be touched).</summary>
    public static void AssertIdentical<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what, in CaseInfo info)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]) || T.IsNegative(expected[i]) != T.IsNegative(actual[i]))
            {
                Assert.Fail($"{what}[{i}] was changed: expected {expected[i]}, actual {actual[i]}; {info}");
            }
        }
    }
}
