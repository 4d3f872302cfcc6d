using System;

namespace OptimizerGen.Integration.Tests.Support;

/// <summary>
/// The tolerances of the libtorch conformance data's README: |a − b| ≤ 1e-5·max(1, |b|) for float32 and
/// 1e-12·max(1, |b|) for float64. Textbook formulas reach 2.2e-6 and 8.9e-16 after 30 steps, so these leave room for
/// FMA and correctly rounded square roots but not for a wrong formula.
/// </summary>
internal static class Tolerance
{
    public const double Float32 = 1e-5;
    public const double Float64 = 1e-12;

    public static double For<T>() => typeof(T) == typeof(float) ? Float32 : Float64;

    /// <summary>Whether <paramref name="actual"/> is within <paramref name="relative"/>·max(1, |expected|) of <paramref name="expected"/>; NaN is never close.</summary>
    public static bool Close(double actual, double expected, double relative) =>
        double.IsFinite(actual) && Math.Abs(actual - expected) <= relative * Math.Max(1.0, Math.Abs(expected));
}
