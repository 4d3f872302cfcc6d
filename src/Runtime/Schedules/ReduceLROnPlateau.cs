using System;

namespace OptimizerGen.Schedules;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric to minimize or to maximize. PyTorch <c>mode</c>.</summary>
public enum PlateauMode
{
    /// <summary>PyTorch <c>mode="min"</c>: reduce when the metric (e.g. a validation loss) has stopped decreasing.</summary>
    Min,

    /// <summary>PyTorch <c>mode="max"</c>: reduce when the metric (e.g. an accuracy) has stopped increasing.</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> decides that a metric improved on the best one. PyTorch <c>threshold_mode</c>.</summary>
public enum ThresholdMode
{
    /// <summary>
    /// PyTorch <c>threshold_mode="rel"</c>: better means <c>metric &lt; best · (1 − threshold)</c> (min) or
    /// <c>metric &gt; best · (1 + threshold)</c> (max).
    /// </summary>
    Relative,

    /// <summary>
    /// PyTorch <c>threshold_mode="abs"</c>: better means <c>metric &lt; best − threshold</c> (min) or
    /// <c>metric &gt; best + threshold</c> (max).
    /// </summary>
    Absolute,
}

/// <summary>
/// Reduces the learning rate by <see cref="Factor"/> when a metric has stopped improving for more than
/// <see cref="Patience"/> epochs. PyTorch <c>torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min",
/// factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8)</c>, with the same
/// defaults and the same step logic. Stateful: call <see cref="Step"/> once per epoch with the metric.
/// </summary>
/// <remarks>
/// <para>One <see cref="Step"/>, exactly as PyTorch's <c>step(metrics)</c>:</para>
/// <code>
/// last_epoch += 1
/// if better(metric, best):  best = metric;  bad_epochs = 0        (see ThresholdMode; NaN is never better)
/// else:                     bad_epochs += 1
/// if cooldown_counter &gt; 0:  cooldown_counter -= 1;  bad_epochs = 0
/// if bad_epochs &gt; patience:
///     new_lr = max(lr · factor, min_lr);  if lr − new_lr &gt; eps: lr = new_lr
///     cooldown_counter = cooldown;  bad_epochs = 0                 (even when eps kept lr as it was)
/// </code>
/// <para>
/// This object owns the learning rate: it starts at the initial one, changes only in <see cref="Step"/>, and
/// <see cref="Apply"/> writes it into an <see cref="RmsProp"/>. (PyTorch's version reduces whatever lr the
/// optimizer holds, so a manual change in between is reduced too; PyTorch's <c>ChainedScheduler</c> and
/// <c>SequentialLR</c> reject it, so it is not composed with other schedules there either.) As in PyTorch, with
/// <see cref="ThresholdMode.Relative"/> and a negative best value the threshold has the opposite effect
/// (<c>best · (1 − threshold)</c> is closer to 0). Not thread-safe; <see cref="Step"/> allocates nothing.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var plateau = new ReduceLROnPlateau(model.Optimizer.LearningRate, factor: 0.5, patience: 5);
/// for (int epoch = 0; epoch &lt; 200; epoch++)
/// {
///     model.Step(xs, ys);
///     plateau.Step(ValidationLoss(model));
///     model.Optimizer = plateau.Apply(model.Optimizer);
/// }
/// </code>
/// </example>
public sealed class ReduceLROnPlateau
{
    /// <summary>
    /// A plateau schedule. PyTorch <c>ReduceLROnPlateau(optimizer, mode, factor, patience, threshold,
    /// threshold_mode, cooldown, min_lr, eps)</c>, with the optimizer's <c>lr</c> as
    /// <paramref name="initialLearningRate"/>, and PyTorch's defaults.
    /// </summary>
    /// <param name="initialLearningRate">The learning rate before any reduction (the optimizer's <c>lr</c>). Finite, ≥ 0.</param>
    /// <param name="mode">Minimize or maximize the metric (PyTorch <c>mode</c>, default <c>"min"</c>).</param>
    /// <param name="factor">
    /// The learning rate is multiplied by it at a reduction (PyTorch <c>factor</c>, default 0.1). In [0, 1)
    /// (PyTorch requires &lt; 1).
    /// </param>
    /// <param name="patience">
    /// Epochs without improvement tolerated; the reduction happens at the next one (PyTorch <c>patience</c>, default
    /// 10). ≥ 0.
    /// </param>
    /// <param name="threshold">How much better than the best a metric must be to count as an improvement (PyTorch <c>threshold</c>, default 1e-4). Finite, ≥ 0.</param>
    /// <param name="thresholdMode">Relative or absolute <paramref name="threshold"/> (PyTorch <c>threshold_mode</c>, default <c>"rel"</c>).</param>
    /// <param name="cooldown">Epochs after a reduction during which bad epochs are not counted (PyTorch <c>cooldown</c>, default 0). ≥ 0.</param>
    /// <param name="minLearningRate">Lower bound of the learning rate (PyTorch <c>min_lr</c>, default 0). Finite, ≥ 0.</param>
    /// <param name="epsilon">
    /// A reduction smaller than or equal to this is not applied (PyTorch <c>eps</c>, default 1e-8). Finite, ≥ 0.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception names it.</exception>
    public ReduceLROnPlateau(
        double initialLearningRate,
        PlateauMode mode = PlateauMode.Min,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0,
        double minLearningRate = 0,
        double epsilon = 1e-8)
    {
        InitialLearningRate = ScheduleCheck.FiniteNonNegative(initialLearningRate, nameof(initialLearningRate), "lr");
        Mode = Enum.IsDefined(mode)
            ? mode
            : throw new ArgumentOutOfRangeException(nameof(mode), mode, $"mode (PyTorch mode) must be Min or Max, but was {mode}.");
        Factor = factor >= 0 && factor < 1
            ? factor
            : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor (PyTorch factor) must be in [0, 1), but was {factor}.");
        Patience = ScheduleCheck.NonNegative(patience, nameof(patience), "patience");
        Threshold = ScheduleCheck.FiniteNonNegative(threshold, nameof(threshold), "threshold");
        ThresholdMode = Enum.IsDefined(thresholdMode)
            ? thresholdMode
            : throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, $"thresholdMode (PyTorch threshold_mode) must be Relative or Absolute, but was {thresholdMode}.");
        Cooldown = ScheduleCheck.NonNegative(cooldown, nameof(cooldown), "cooldown");
        MinLearningRate = ScheduleCheck.FiniteNonNegative(minLearningRate, nameof(minLearningRate), "min_lr");
        Epsilon = ScheduleCheck.FiniteNonNegative(epsilon, nameof(epsilon), "eps");

        LearningRate = InitialLearningRate;
        Best = Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The learning rate before any reduction. PyTorch: the optimizer's <c>lr</c> when the scheduler was created.</summary>
    public double InitialLearningRate { get; }

    /// <summary>Minimize or maximize the metric. PyTorch <c>mode</c>.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Multiplier of the learning rate at a reduction. PyTorch <c>factor</c>.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement tolerated before a reduction. PyTorch <c>patience</c>.</summary>
    public int Patience { get; }

    /// <summary>Minimum improvement over the best metric. PyTorch <c>threshold</c>.</summary>
    public double Threshold { get; }

    /// <summary>Relative or absolute <see cref="Threshold"/>. PyTorch <c>threshold_mode</c>.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Epochs after a reduction during which bad epochs are not counted. PyTorch <c>cooldown</c>.</summary>
    public int Cooldown { get; }

    /// <summary>Lower bound of the learning rate. PyTorch <c>min_lr</c>.</summary>
    public double MinLearningRate { get; }

    /// <summary>Reductions of at most this much are not applied. PyTorch <c>eps</c>.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// The current learning rate: <see cref="InitialLearningRate"/> until the first reduction. PyTorch
    /// <c>get_last_lr()[0]</c> (the optimizer's <c>param_groups[0]["lr"]</c>).
    /// </summary>
    public double LearningRate { get; private set; }

    /// <summary>
    /// The best metric so far: +∞ (<see cref="PlateauMode.Min"/>) or −∞ (<see cref="PlateauMode.Max"/>) before the
    /// first <see cref="Step"/>. PyTorch <c>best</c> (initially <c>mode_worse</c>).
    /// </summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement counted so far. PyTorch <c>num_bad_epochs</c>.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Cooldown epochs left. PyTorch <c>cooldown_counter</c>.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Whether the next <see cref="Step"/> is in cooldown (<c>CooldownCounter &gt; 0</c>). PyTorch <c>in_cooldown</c>.</summary>
    public bool InCooldown => CooldownCounter > 0;

    /// <summary>Calls of <see cref="Step"/> so far. PyTorch <c>last_epoch</c>.</summary>
    public long LastEpoch { get; private set; }

    /// <summary>
    /// Feeds the epoch's metric (e.g. the validation loss) and returns the learning rate for the next epoch, reduced
    /// if the metric has not improved for more than <see cref="Patience"/> epochs. PyTorch <c>step(metrics)</c>; see
    /// the type's remarks for the exact logic. A NaN metric counts as a bad epoch, as in PyTorch.
    /// </summary>
    public double Step(double metric)
    {
        LastEpoch++;

        if (IsBetter(metric, Best))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }

        if (InCooldown)
        {
            CooldownCounter--;
            BadEpochs = 0; // bad epochs in cooldown are ignored
        }

        if (BadEpochs > Patience)
        {
            double oldLearningRate = LearningRate;
            double newLearningRate = Math.Max(oldLearningRate * Factor, MinLearningRate);
            if (oldLearningRate - newLearningRate > Epsilon)
            {
                LearningRate = newLearningRate;
            }

            CooldownCounter = Cooldown;
            BadEpochs = 0;
        }

        return LearningRate;
    }

    /// <summary>
    /// <paramref name="optimizer"/> with its <see cref="RmsProp.LearningRate"/> set to <see cref="LearningRate"/>;
    /// every other option unchanged. PyTorch: the <c>param_group["lr"] = new_lr</c> that <c>step(metrics)</c> performs.
    /// Allocates nothing.
    /// </summary>
    public RmsProp Apply(RmsProp optimizer) => optimizer with { LearningRate = LearningRate };

    /// <summary>PyTorch <c>_is_better(a, best)</c>.</summary>
    private bool IsBetter(double metric, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > best * (Threshold + 1.0),
        _ => metric > best + Threshold,
    };
}
