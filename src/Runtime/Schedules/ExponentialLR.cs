using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Decays the learning rate by <see cref="Gamma"/> every epoch. PyTorch
/// <c>torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)</c>:
/// <code>lr(t) = initial_lr · γ^t</code>
/// </summary>
/// <remarks>
/// This is PyTorch's closed form (<c>_get_closed_form_lr</c>: <c>base_lr * gamma ** last_epoch</c>, one <c>pow</c>).
/// PyTorch's default <c>scheduler.step()</c> uses the recursive form — multiply the optimizer's current lr by γ each
/// epoch — equal up to rounding (t roundings accumulated rather than one; a relative difference of order t·2⁻⁵³),
/// and it also scales any change made to the lr from outside, which the closed form ignores. With γ &gt; 1 (as in a
/// learning-rate range test) the value may overflow to +∞, which <see cref="RmsProp.LearningRate"/> rejects.
/// Immutable; allocates nothing.
/// </remarks>
public sealed class ExponentialLR : ILearningRateSchedule
{
    /// <summary>
    /// An exponential schedule. PyTorch <c>ExponentialLR(optimizer, gamma)</c>, with the optimizer's <c>lr</c> as
    /// <paramref name="initialLearningRate"/>.
    /// </summary>
    /// <param name="initialLearningRate">The learning rate at epoch 0 (PyTorch <c>initial_lr</c>). Finite, ≥ 0.</param>
    /// <param name="gamma">Multiplicative factor per epoch (PyTorch <c>gamma</c>; no default in PyTorch). Finite, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public ExponentialLR(double initialLearningRate, double gamma)
    {
        InitialLearningRate = ScheduleCheck.FiniteNonNegative(initialLearningRate, nameof(initialLearningRate), "initial_lr");
        Gamma = ScheduleCheck.FiniteNonNegative(gamma, nameof(gamma), "gamma");
    }

    /// <summary>The learning rate at epoch 0. PyTorch <c>base_lrs</c>.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Multiplicative factor per epoch. PyTorch <c>gamma</c>.</summary>
    public double Gamma { get; }

    /// <summary>
    /// <c>initial_lr · γ^t</c>. PyTorch <c>ExponentialLR._get_closed_form_lr()</c> with <c>last_epoch = epoch</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public double LearningRateAt(long epoch) =>
        InitialLearningRate * Math.Pow(Gamma, ScheduleCheck.Epoch(epoch));
}
