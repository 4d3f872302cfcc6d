using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Decays the learning rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs. PyTorch
/// <c>torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)</c>:
/// <code>lr(t) = initial_lr · γ^⌊t / step_size⌋</code>
/// </summary>
/// <remarks>
/// This is PyTorch's closed form (<c>_get_closed_form_lr</c>), evaluated as PyTorch evaluates it
/// (<c>base_lr * gamma ** (last_epoch // step_size)</c>, one <c>pow</c>). PyTorch's default <c>scheduler.step()</c>
/// uses the recursive ("chainable") form instead — multiply the optimizer's current lr by γ when
/// <c>t % step_size == 0</c> and <c>t &gt; 0</c> — which is the same value up to rounding (a product of
/// ⌊t / step_size⌋ roundings rather than one), but also scales any change made to the lr from outside (another
/// scheduler, a manual edit), which the closed form ignores. Immutable; allocates nothing.
/// </remarks>
public sealed class StepLR : ILearningRateSchedule
{
    /// <summary>
    /// A step schedule. PyTorch <c>StepLR(optimizer, step_size, gamma)</c>, with the optimizer's <c>lr</c> as
    /// <paramref name="initialLearningRate"/>.
    /// </summary>
    /// <param name="initialLearningRate">The learning rate at epoch 0 (PyTorch <c>initial_lr</c>). Finite, ≥ 0.</param>
    /// <param name="stepSize">Period of the decay in epochs (PyTorch <c>step_size</c>). ≥ 1.</param>
    /// <param name="gamma">
    /// Multiplicative factor of the decay (PyTorch <c>gamma</c>, default 0.1). Finite, ≥ 0; values above 1 grow the
    /// learning rate.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public StepLR(double initialLearningRate, int stepSize, double gamma = 0.1)
    {
        InitialLearningRate = ScheduleCheck.FiniteNonNegative(initialLearningRate, nameof(initialLearningRate), "initial_lr");
        StepSize = ScheduleCheck.Positive(stepSize, nameof(stepSize), "step_size");
        Gamma = ScheduleCheck.FiniteNonNegative(gamma, nameof(gamma), "gamma");
    }

    /// <summary>The learning rate at epoch 0. PyTorch <c>base_lrs</c>.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Period of the decay in epochs. PyTorch <c>step_size</c>.</summary>
    public int StepSize { get; }

    /// <summary>Multiplicative factor of the decay. PyTorch <c>gamma</c>.</summary>
    public double Gamma { get; }

    /// <summary>
    /// <c>initial_lr · γ^⌊t / step_size⌋</c>. PyTorch <c>StepLR._get_closed_form_lr()</c> with
    /// <c>last_epoch = epoch</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public double LearningRateAt(long epoch) =>
        InitialLearningRate * Math.Pow(Gamma, ScheduleCheck.Epoch(epoch) / StepSize);
}
