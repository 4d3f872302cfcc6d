using System;

namespace OptimizerGen;

/// <summary>Validation of hyperparameters: each throws <see cref="ArgumentOutOfRangeException"/> naming the option and value.</summary>
internal static class Check
{
    public static double FiniteNonNegative(double value, string option) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(option, value, $"{option} must be a finite number ≥ 0, but was {value}.");

    public static double UnitInterval(double value, string option) =>
        value >= 0 && value < 1
            ? value
            : throw new ArgumentOutOfRangeException(option, value, $"{option} must be in [0, 1), but was {value}.");
}
