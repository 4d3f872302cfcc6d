using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Multiplies the learning rate by a factor that changes linearly from <see cref="StartFactor"/> to
/// <see cref="EndFactor"/> over <see cref="TotalIters"/> epochs, then stays at <see cref="EndFactor"/>: a linear
/// warm-up (start &lt; end) or decay (start &gt; end). PyTorch
/// <c>torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)</c>:
/// <code>lr(t) = initial_lr · (start + (end − start) · min(total_iters, t) / total_iters)</code>
/// </summary>
/// <remarks>
/// <para>
/// This is PyTorch's closed form (<c>_get_closed_form_lr</c>), evaluated in PyTorch's order. PyTorch's default
/// <c>scheduler.step()</c> uses the recursive form — multiply the current lr by
/// <c>1 + (end − start) / (total_iters · start + (t − 1) · (end − start))</c> for 0 &lt; t ≤ total_iters — equal up
/// to rounding, and it also scales any change made to the lr from outside, which the closed form ignores.
/// </para>
/// <para>
/// PyTorch's docstring example (<c>start_factor=0.05, total_iters=40</c>, lr 0.05) lists 0.003687 for epoch 0;
/// its code (and this type) gives 0.0025 at epoch 0 and 0.0036875 at epoch 1 — the example is shifted by one epoch.
/// </para>
/// <para>Immutable; allocates nothing.</para>
/// </remarks>
public sealed class LinearLR : ILearningRateSchedule
{
    /// <summary>
    /// A linear schedule. PyTorch <c>LinearLR(optimizer, start_factor, end_factor, total_iters)</c>, with the
    /// optimizer's <c>lr</c> as <paramref name="initialLearningRate"/>, and PyTorch's defaults and ranges.
    /// </summary>
    /// <param name="initialLearningRate">
    /// The learning rate the factors multiply (PyTorch <c>initial_lr</c>). Finite, ≥ 0. The learning rate at epoch 0
    /// is <c>initialLearningRate · startFactor</c>.
    /// </param>
    /// <param name="startFactor">The factor at epoch 0 (PyTorch <c>start_factor</c>, default 1/3). In (0, 1], as PyTorch requires.</param>
    /// <param name="endFactor">The factor from epoch <paramref name="totalIters"/> on (PyTorch <c>end_factor</c>, default 1). In [0, 1], as PyTorch requires.</param>
    /// <param name="totalIters">
    /// Epochs until the factor reaches <paramref name="endFactor"/> (PyTorch <c>total_iters</c>, default 5). ≥ 1
    /// (PyTorch's closed form divides by it).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public LinearLR(double initialLearningRate, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
    {
        InitialLearningRate = ScheduleCheck.FiniteNonNegative(initialLearningRate, nameof(initialLearningRate), "initial_lr");
        StartFactor = startFactor > 0 && startFactor <= 1
            ? startFactor
            : throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, $"startFactor (PyTorch start_factor) must be in (0, 1], but was {startFactor}.");
        EndFactor = endFactor >= 0 && endFactor <= 1
            ? endFactor
            : throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, $"endFactor (PyTorch end_factor) must be in [0, 1], but was {endFactor}.");
        TotalIters = ScheduleCheck.Positive(totalIters, nameof(totalIters), "total_iters");
    }

    /// <summary>The learning rate the factors multiply. PyTorch <c>base_lrs</c>.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The factor at epoch 0. PyTorch <c>start_factor</c>.</summary>
    public double StartFactor { get; }

    /// <summary>The factor from epoch <see cref="TotalIters"/> on. PyTorch <c>end_factor</c>.</summary>
    public double EndFactor { get; }

    /// <summary>Epochs until the factor reaches <see cref="EndFactor"/>. PyTorch <c>total_iters</c>.</summary>
    public int TotalIters { get; }

    /// <summary>
    /// <c>initial_lr · (start + (end − start) · min(total_iters, t) / total_iters)</c>. PyTorch
    /// <c>LinearLR._get_closed_form_lr()</c> with <c>last_epoch = epoch</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public double LearningRateAt(long epoch) =>
        InitialLearningRate
        * (StartFactor + (EndFactor - StartFactor) * Math.Min(TotalIters, ScheduleCheck.Epoch(epoch)) / TotalIters);
}
