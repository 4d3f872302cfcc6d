using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Cosine annealing from the initial learning rate down to <see cref="EtaMin"/> over <see cref="TMax"/> epochs
/// (SGDR without restarts). PyTorch <c>torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max, eta_min=0)</c>,
/// in the closed form its documentation gives:
/// <code>lr(t) = η_min + (initial_lr − η_min) · (1 + cos(π · t / T_max)) / 2</code>
/// </summary>
/// <remarks>
/// <para>
/// As in PyTorch, the cosine is not clamped at <c>T_max</c>: after reaching η_min at <c>t = T_max</c> the learning
/// rate rises again, back to the initial one at <c>t = 2·T_max</c> (period 2·T_max). Stop at <c>T_max</c> or use a
/// larger <c>T_max</c> if that is not wanted.
/// </para>
/// <para>
/// Where PyTorch's recursive form differs: PyTorch's default <c>scheduler.step()</c> does not evaluate this formula
/// but updates the optimizer's current lr recursively,
/// <c>η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max))</c>, with a special
/// case where that ratio's denominator is 0 (<c>(t − 1 − T_max) mod 2·T_max = 0</c>), where it adds
/// <c>(initial_lr − η_min) · (1 − cos(π / T_max)) / 2</c> instead. Mathematically the two forms agree at every epoch,
/// including after T_max; numerically the recursive one accumulates rounding: over the first T_max epochs the two
/// agree to a few ulps (≤ 2·10⁻¹⁵·max(initial_lr, η_min) in the tests), but past T_max the error keeps growing,
/// about linearly in t (up to ≈ 10⁻¹² relative after 2,000 epochs, ≈ 10⁻¹¹ after 20,000); the closed form has no drift.
/// The recursive form also scales any change made to the lr from outside (another scheduler, a manual edit)
/// instead of ignoring it. PyTorch's own docstring calls the recursive form an approximation of this closed form;
/// PyTorch itself uses the closed form for <c>scheduler.step(epoch)</c> and for the first step after resuming
/// (<c>last_epoch &gt; 0</c>).
/// </para>
/// <para>Immutable; allocates nothing.</para>
/// </remarks>
public sealed class CosineAnnealingLR : ILearningRateSchedule
{
    /// <summary>
    /// A cosine schedule. PyTorch <c>CosineAnnealingLR(optimizer, T_max, eta_min)</c>, with the optimizer's
    /// <c>lr</c> as <paramref name="initialLearningRate"/> (PyTorch's η_max).
    /// </summary>
    /// <param name="initialLearningRate">The learning rate at epoch 0, η_max (PyTorch <c>initial_lr</c>). Finite, ≥ 0.</param>
    /// <param name="tMax">Epochs of a half cosine: the learning rate is η_min at epoch <c>tMax</c> (PyTorch <c>T_max</c>). ≥ 1.</param>
    /// <param name="etaMin">
    /// The minimum learning rate (PyTorch <c>eta_min</c>, default 0). Finite, ≥ 0. May exceed
    /// <paramref name="initialLearningRate"/>, which turns the schedule into a cosine rise, as in PyTorch.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public CosineAnnealingLR(double initialLearningRate, int tMax, double etaMin = 0)
    {
        InitialLearningRate = ScheduleCheck.FiniteNonNegative(initialLearningRate, nameof(initialLearningRate), "initial_lr");
        TMax = ScheduleCheck.Positive(tMax, nameof(tMax), "T_max");
        EtaMin = ScheduleCheck.FiniteNonNegative(etaMin, nameof(etaMin), "eta_min");
    }

    /// <summary>The learning rate at epoch 0, η_max. PyTorch <c>base_lrs</c>.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Epochs of a half cosine. PyTorch <c>T_max</c>.</summary>
    public int TMax { get; }

    /// <summary>The minimum learning rate, reached at epoch <see cref="TMax"/>. PyTorch <c>eta_min</c>.</summary>
    public double EtaMin { get; }

    /// <summary>
    /// <c>η_min + (initial_lr − η_min) · (1 + cos(π · t / T_max)) / 2</c>. PyTorch
    /// <c>CosineAnnealingLR._get_closed_form_lr()</c> with <c>last_epoch = epoch</c>, evaluated in its order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public double LearningRateAt(long epoch) =>
        EtaMin + (InitialLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * ScheduleCheck.Epoch(epoch) / TMax)) / 2;
}
