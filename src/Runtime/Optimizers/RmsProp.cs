using System;

namespace OptimizerGen;

/// <summary>How the learning rate enters RMSprop's momentum buffer.</summary>
public enum MomentumStyle
{
    /// <summary>PyTorch: <c>b ← μ·b + g/d ;  p ← p − lr·b</c>. A learning-rate change takes effect at once.</summary>
    LearningRateOutsideBuffer,

    /// <summary>TensorFlow 1, Keras and Optax: <c>b ← μ·b + lr·g/d ;  p ← p − b</c>. The buffer carries old learning rates.</summary>
    LearningRateInsideBuffer,
}

/// <summary>
/// RMSprop hyperparameters: every option of PyTorch's <c>torch.optim.RMSprop</c>, Keras' <c>RMSprop</c>,
/// TensorFlow 1's <c>RMSPropOptimizer</c> and Optax's <c>rmsprop</c>. A value type: change it between steps with
/// <c>model.Optimizer = model.Optimizer with { LearningRate = 1e-3 }</c> (allocates nothing).
/// The defaults are PyTorch's (<see cref="PyTorch"/>); presets reproduce each framework exactly.
/// </summary>
/// <remarks>
/// One step, per element, with <c>t</c> the 1-based step count:
/// <code>
/// g ← maximize ? −g : g ;   g ← g + λ·p                       (coupled weight decay)
/// p ← p·(1 − lr·λ)                                            (decoupled weight decay)
/// v ← ρ·v + (1−ρ)·g² ;      m ← ρ·m + (1−ρ)·g                  (m only when centered)
/// v̂ = v / (1−ρᵗ) ;          m̂ = m / (1−ρᵗ)                     (only with bias correction)
/// s = v̂ − m̂²  (centered, optionally clamped at 0)  or  v̂
/// d = √(s + ε)  (ε inside)  or  √s + ε  (ε outside) ;   u = g / d
/// no momentum:   p ← p − lr·u
/// lr outside:    b ← μ·b + u ;     p ← p − lr·(nesterov ? u + μ·b : b)
/// lr inside:     b ← μ·b + lr·u ;  p ← p − (nesterov ? lr·u + μ·b : b)
/// </code>
/// Hyperparameter arithmetic is done in <see cref="double"/> and rounded to the parameter's type, as libtorch does.
/// </remarks>
public readonly partial record struct RmsProp
{
    /// <summary>PyTorch defaults (the same as <c>new RmsProp()</c>).</summary>
    public RmsProp()
    {
    }

    /// <summary>
    /// <c>torch.optim.RMSprop</c> defaults: lr 0.01, α 0.99, ε 1e-8 outside the root, coupled (L2) weight decay,
    /// learning rate outside the momentum buffer.
    /// </summary>
    public static RmsProp PyTorch => new();

    /// <summary>
    /// Keras 3 <c>keras.optimizers.RMSprop</c> defaults: learning_rate 0.001, rho 0.9, epsilon 1e-7 inside the root,
    /// learning rate inside the momentum buffer, decoupled <c>weight_decay</c>.
    /// </summary>
    public static RmsProp Keras => new()
    {
        LearningRate = 0.001,
        Decay = 0.9,
        Epsilon = 1e-7,
        EpsilonInsideSqrt = true,
        MomentumStyle = MomentumStyle.LearningRateInsideBuffer,
        DecoupledWeightDecay = true,
    };

    /// <summary>
    /// TensorFlow 1 <c>tf.train.RMSPropOptimizer</c> (and <c>tf.compat.v1</c>) defaults: decay 0.9, epsilon 1e-10
    /// inside the root, accumulator initialized to 1, learning rate inside the momentum buffer. TF 1 has no default
    /// learning rate; this preset uses 0.001 — set <see cref="LearningRate"/> to yours.
    /// </summary>
    public static RmsProp TensorFlow1 => new()
    {
        LearningRate = 0.001,
        Decay = 0.9,
        Epsilon = 1e-10,
        EpsilonInsideSqrt = true,
        InitialAccumulatorValue = 1.0,
        MomentumStyle = MomentumStyle.LearningRateInsideBuffer,
    };

    /// <summary>
    /// Optax <c>optax.rmsprop</c> defaults: decay 0.9, eps 1e-8 inside the root (<c>eps_in_sqrt=True</c>),
    /// <c>initial_scale</c> 0, learning rate inside the momentum trace. Optax has no default learning rate; this
    /// preset uses 0.001 — set <see cref="LearningRate"/> to yours.
    /// </summary>
    public static RmsProp Optax => new()
    {
        LearningRate = 0.001,
        Decay = 0.9,
        Epsilon = 1e-8,
        EpsilonInsideSqrt = true,
        MomentumStyle = MomentumStyle.LearningRateInsideBuffer,
    };

    /// <summary>Step size. PyTorch <c>lr</c>, Keras <c>learning_rate</c>, Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate
    {
        get;
        init => field = Check.FiniteNonNegative(value, nameof(LearningRate));
    } = 0.01;

    /// <summary>
    /// Smoothing constant ρ of the running averages. PyTorch <c>alpha</c>, Keras <c>rho</c>, TF 1 and Optax
    /// <c>decay</c>. In [0, 1).
    /// </summary>
    public double Decay
    {
        get;
        init => field = Check.UnitInterval(value, nameof(Decay));
    } = 0.99;

    /// <summary>
    /// ε added to the denominator. PyTorch <c>eps</c>, Keras <c>epsilon</c>, Optax <c>eps</c>. Finite, ≥ 0.
    /// Where it goes is <see cref="EpsilonInsideSqrt"/>.
    /// </summary>
    public double Epsilon
    {
        get;
        init => field = Check.FiniteNonNegative(value, nameof(Epsilon));
    } = 1e-8;

    /// <summary>
    /// <c>true</c>: d = √(v + ε) (Keras, TF 1, Optax <c>eps_in_sqrt=True</c>); <c>false</c>: d = √v + ε (PyTorch,
    /// Optax <c>eps_in_sqrt=False</c>).
    /// </summary>
    public bool EpsilonInsideSqrt { get; init; }

    /// <summary>
    /// Starting value of the squared-gradient average v. Optax <c>initial_scale</c>; TF 1 uses 1. PyTorch and Keras
    /// use 0. Finite, ≥ 0.
    /// </summary>
    public double InitialAccumulatorValue
    {
        get;
        init => field = Check.FiniteNonNegative(value, nameof(InitialAccumulatorValue));
    }

    /// <summary>
    /// Normalize by an estimate of the gradient's variance, v − ḡ², instead of its second moment. PyTorch, Keras and
    /// TF 1 <c>centered</c>; Optax <c>centered</c>. Keeps one more buffer (ḡ) per parameter.
    /// </summary>
    public bool Centered { get; init; }

    /// <summary>
    /// With <see cref="Centered"/>: clamp v − ḡ² at 0 before the root, so rounding never makes it negative (no NaN).
    /// Off in every framework; OptimizerGen's own opt-in.
    /// </summary>
    public bool ClampCenteredVariance { get; init; }

    /// <summary>Momentum factor μ; 0 disables it. PyTorch and Keras <c>momentum</c>; Optax <c>momentum</c> (None = 0). Finite, ≥ 0.</summary>
    public double Momentum
    {
        get;
        init => field = Check.FiniteNonNegative(value, nameof(Momentum));
    }

    /// <summary>
    /// Where the learning rate multiplies: outside the momentum buffer (PyTorch) or inside it (TF 1, Keras, Optax).
    /// </summary>
    public MomentumStyle MomentumStyle
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(MomentumStyle), value, "MomentumStyle must be LearningRateOutsideBuffer or LearningRateInsideBuffer.");
    }

    /// <summary>Nesterov momentum: step along u + μ·b instead of b. Optax <c>nesterov</c>; not in PyTorch's or Keras' RMSprop.</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// Weight decay λ. PyTorch <c>weight_decay</c> (coupled), Keras <c>weight_decay</c> (decoupled); Optax
    /// <c>add_decayed_weights</c>. Finite, ≥ 0. Fields marked <see cref="ExcludeFromWeightDecayAttribute"/> skip it.
    /// </summary>
    public double WeightDecay
    {
        get;
        init => field = Check.FiniteNonNegative(value, nameof(WeightDecay));
    }

    /// <summary>
    /// <c>false</c>: coupled (L2) decay, g ← g + λ·p, as PyTorch's <c>weight_decay</c>. <c>true</c>: decoupled decay,
    /// p ← p − lr·λ·p before the update, as Keras' <c>weight_decay</c> and PyTorch's AdamW.
    /// </summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>Maximize the objective instead of minimizing it (the gradient's sign is flipped). PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <summary>
    /// Divide the running averages by 1 − ρᵗ, so early steps are not biased toward the initial value. Optax
    /// <c>bias_correction</c>; off in PyTorch, Keras and TF 1. The correction assumes the averages start at 0: with a
    /// nonzero <see cref="InitialAccumulatorValue"/> it still divides by 1 − ρᵗ, exactly as Optax does with
    /// <c>initial_scale</c> and <c>bias_correction</c> together, so the first steps then see v̂ ≈ v₀/(1 − ρᵗ) + ….
    /// </summary>
    public bool BiasCorrection { get; init; }
}
