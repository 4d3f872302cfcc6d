using System;

namespace OptimizerGen.Schedules;

/// <summary>
/// Applies a schedule to the optimizer's hyperparameters between steps — the job PyTorch's <c>scheduler.step()</c>
/// does by writing <c>param_group["lr"]</c>. Allocates nothing: <see cref="RmsProp"/> is a value type.
/// </summary>
/// <example>
/// <code>
/// var schedule = new CosineAnnealingLR(initialLearningRate: 0.1, tMax: 100);
/// for (int epoch = 0; epoch &lt; 100; epoch++)
/// {
///     model.Optimizer = schedule.Apply(model.Optimizer, epoch);   // before the epoch's steps
///     model.Step(xs, ys);
/// }
/// </code>
/// </example>
public static class LearningRateScheduleExtensions
{
    /// <summary>
    /// <paramref name="optimizer"/> with its <see cref="RmsProp.LearningRate"/> set to
    /// <paramref name="schedule"/>'s learning rate for <paramref name="epoch"/>; every other option unchanged.
    /// PyTorch: the <c>param_group["lr"] = lr</c> that <c>scheduler.step()</c> performs (with a closed-form
    /// schedule, as <c>scheduler.step(epoch)</c> did). Call it before the steps of epoch <paramref name="epoch"/>.
    /// Generic so that a value-type schedule is not boxed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="epoch"/> is negative, or the scheduled learning rate is not a finite number ≥ 0 (e.g. an
    /// <see cref="ExponentialLR"/> with γ &gt; 1 that has overflowed), which <see cref="RmsProp.LearningRate"/> rejects.
    /// </exception>
    public static RmsProp Apply<TSchedule>(this TSchedule schedule, RmsProp optimizer, long epoch)
        where TSchedule : ILearningRateSchedule
    {
        if (schedule is null)
        {
            throw new ArgumentNullException(nameof(schedule));
        }

        return optimizer with { LearningRate = schedule.LearningRateAt(epoch) };
    }
}
