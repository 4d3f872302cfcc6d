namespace OptimizerGen.Schedules;

/// <summary>
/// A learning-rate schedule that is a function of the epoch alone: PyTorch's <c>torch.optim.lr_scheduler.LRScheduler</c>
/// evaluated in closed form (<c>_get_closed_form_lr</c>). Implemented by <see cref="StepLR"/>, <see cref="ExponentialLR"/>,
/// <see cref="CosineAnnealingLR"/> and <see cref="LinearLR"/>; apply one with
/// <see cref="LearningRateScheduleExtensions.Apply{TSchedule}(TSchedule, RmsProp, long)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Epoch <c>t</c> is PyTorch's <c>last_epoch</c>: the number of times <c>scheduler.step()</c> has been called. A PyTorch
/// scheduler sets the learning rate for <c>t = 0</c> when it is created and <c>scheduler.step()</c> after epoch
/// <c>t</c> sets the one for <c>t + 1</c>; so <see cref="LearningRateAt"/>(t) is the learning rate PyTorch trains the
/// (0-based) epoch <c>t</c> with. To schedule per update instead of per epoch (as PyTorch does when
/// <c>scheduler.step()</c> is called per batch), pass the model's <c>StepCount</c>.
/// </para>
/// <para>
/// Implementations are immutable, thread-safe and allocate nothing when evaluated.
/// </para>
/// </remarks>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at epoch 0. PyTorch's <c>base_lrs</c> (the optimizer's <c>initial_lr</c>).</summary>
    double InitialLearningRate { get; }

    /// <summary>
    /// The learning rate for epoch <paramref name="epoch"/> (PyTorch <c>last_epoch</c>, ≥ 0): what PyTorch's
    /// <c>_get_closed_form_lr()</c> returns, which is what <c>get_last_lr()</c> returns after
    /// <paramref name="epoch"/> calls of <c>scheduler.step()</c> up to rounding (see each type's remarks).
    /// </summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    double LearningRateAt(long epoch);
}
