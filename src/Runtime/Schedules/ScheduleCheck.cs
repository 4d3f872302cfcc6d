using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Validation of schedule options: each throws <see cref="ArgumentOutOfRangeException"/> whose
/// <see cref="ArgumentException.ParamName"/> is the C# parameter, and whose message also names PyTorch's option.
/// </summary>
internal static class ScheduleCheck
{
    public static double FiniteNonNegative(double value, string parameter, string pytorch) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} (PyTorch {pytorch}) must be a finite number ≥ 0, but was {value}.");

    public static int Positive(int value, string parameter, string pytorch) =>
        value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} (PyTorch {pytorch}) must be ≥ 1, but was {value}.");

    public static int NonNegative(int value, string parameter, string pytorch) =>
        value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} (PyTorch {pytorch}) must be ≥ 0, but was {value}.");

    public static long Epoch(long epoch) =>
        epoch >= 0
            ? epoch
            : throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"epoch (PyTorch last_epoch) must be ≥ 0, but was {epoch}.");
}
