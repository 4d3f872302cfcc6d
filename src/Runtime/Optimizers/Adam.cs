using System;
using System.Text.Json;
using static OptimizerGen.SettingsJson;

namespace OptimizerGen;

/// <summary>
/// Adam: every option of PyTorch's <c>torch.optim.Adam</c>, Keras' <c>Adam</c> and Optax's <c>adam</c>. A value type;
/// the defaults are PyTorch's (<see cref="PyTorch"/>). <see cref="AdamW"/> is Adam with decoupled weight decay on by default.
/// </summary>
/// <remarks>
/// One step, per element, with <c>t</c> the 1-based step count (bias correction as PyTorch does it):
/// <code>
/// g ← (maximize ? −1 : 1)·g ;  g ← g + λ·p  (coupled) ;  p ← p·(1 − lr·λ)  (decoupled: AdamW)
/// m ← β₁·m + (1 − β₁)·g                  (exp_avg)
/// v ← β₂·v + (1 − β₂)·g²                 (exp_avg_sq)
/// v̄ ← max(v̄, v)                          (max_exp_avg_sq, AMSGrad only; v̄ is used below instead of v)
/// p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// With <see cref="EpsilonHat"/> (Keras) ε is added to the uncorrected root: the denominator is (√v + ε) / √(1 − β₂ᵗ).
/// </remarks>
public readonly record struct Adam : IOptimizerSettings<Adam>
{
    /// <summary>PyTorch defaults (the same as <c>new Adam()</c>).</summary>
    public Adam()
    {
    }

    /// <summary><c>torch.optim.Adam</c> defaults: lr 0.001, β (0.9, 0.999), ε 1e-8, coupled weight decay (also Optax's <c>adam</c> defaults with eps_root 0).</summary>
    public static Adam PyTorch => new();

    /// <summary>Keras 3 <c>keras.optimizers.Adam</c> defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7 on the uncorrected root, decoupled weight decay.</summary>
    public static Adam Keras => new() { Epsilon = 1e-7, EpsilonHat = true, DecoupledWeightDecay = true };

    /// <summary>Step size. PyTorch <c>lr</c>, Keras and Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRate)); } = 0.001;

    /// <summary>β₁, decay of the first moment. PyTorch <c>betas[0]</c>, Keras <c>beta_1</c>, Optax <c>b1</c>. In [0, 1).</summary>
    public double Beta1 { get; init => field = Check.UnitInterval(value, nameof(Beta1)); } = 0.9;

    /// <summary>β₂, decay of the second moment. PyTorch <c>betas[1]</c>, Keras <c>beta_2</c>, Optax <c>b2</c>. In [0, 1).</summary>
    public double Beta2 { get; init => field = Check.UnitInterval(value, nameof(Beta2)); } = 0.999;

    /// <summary>ε. PyTorch and Optax <c>eps</c>, Keras <c>epsilon</c>. Finite, ≥ 0.</summary>
    public double Epsilon { get; init => field = Check.FiniteNonNegative(value, nameof(Epsilon)); } = 1e-8;

    /// <summary>
    /// <c>false</c>: ε is added to the bias-corrected root √v̂ (PyTorch, Optax). <c>true</c>: to the uncorrected root
    /// (Keras, the paper's "ε̂").
    /// </summary>
    public bool EpsilonHat { get; init; }

    /// <summary>Weight decay λ. PyTorch <c>weight_decay</c> (coupled), Keras <c>weight_decay</c> (decoupled). Finite, ≥ 0.</summary>
    public double WeightDecay { get; init => field = Check.FiniteNonNegative(value, nameof(WeightDecay)); }

    /// <summary>
    /// <c>false</c>: g ← g + λ·p (PyTorch <c>Adam</c>). <c>true</c>: p ← p·(1 − lr·λ) (PyTorch <c>decoupled_weight_decay</c>,
    /// <c>AdamW</c>; Keras).
    /// </summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>AMSGrad: divide by the running maximum of v. PyTorch and Keras <c>amsgrad</c> (Optax: <c>amsgrad</c> transform).</summary>
    public bool AmsGrad { get; init; }

    /// <summary>Maximize the objective. PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <inheritdoc/>
    public static string OptimizerName => "Adam";

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(nameof(LearningRate), LearningRate);
        writer.WriteNumber(nameof(Beta1), Beta1);
        writer.WriteNumber(nameof(Beta2), Beta2);
        writer.WriteNumber(nameof(Epsilon), Epsilon);
        writer.WriteBoolean(nameof(EpsilonHat), EpsilonHat);
        writer.WriteNumber(nameof(WeightDecay), WeightDecay);
        writer.WriteBoolean(nameof(DecoupledWeightDecay), DecoupledWeightDecay);
        writer.WriteBoolean(nameof(AmsGrad), AmsGrad);
        writer.WriteBoolean(nameof(Maximize), Maximize);
    }

    /// <inheritdoc/>
    public static Adam ReadJson(JsonElement json) => Read(() => new Adam
    {
        LearningRate = Number(json, nameof(LearningRate)),
        Beta1 = Number(json, nameof(Beta1)),
        Beta2 = Number(json, nameof(Beta2)),
        Epsilon = Number(json, nameof(Epsilon)),
        EpsilonHat = Flag(json, nameof(EpsilonHat)),
        WeightDecay = Number(json, nameof(WeightDecay)),
        DecoupledWeightDecay = Flag(json, nameof(DecoupledWeightDecay)),
        AmsGrad = Flag(json, nameof(AmsGrad)),
        Maximize = Flag(json, nameof(Maximize)),
    });
}

/// <summary>
/// AdamW: Adam with decoupled weight decay p ← p·(1 − lr·λ), PyTorch's <c>torch.optim.AdamW</c> (default λ 0.01),
/// Keras' <c>AdamW</c> and Optax's <c>adamw</c>. The update is <see cref="Adam"/>'s.
/// </summary>
public readonly record struct AdamW : IOptimizerSettings<AdamW>
{
    /// <summary>PyTorch defaults (the same as <c>new AdamW()</c>).</summary>
    public AdamW()
    {
    }

    /// <summary><c>torch.optim.AdamW</c> defaults: lr 0.001, β (0.9, 0.999), ε 1e-8, weight_decay 0.01.</summary>
    public static AdamW PyTorch => new();

    /// <summary>Keras 3 <c>keras.optimizers.AdamW</c> defaults: weight_decay 0.004, epsilon 1e-7 on the uncorrected root.</summary>
    public static AdamW Keras => new() { WeightDecay = 0.004, Epsilon = 1e-7, EpsilonHat = true };

    /// <summary>Optax <c>optax.adamw</c> defaults: weight_decay 1e-4 (no default learning rate; this preset uses 0.001).</summary>
    public static AdamW Optax => new() { WeightDecay = 1e-4 };

    /// <summary>Step size. PyTorch <c>lr</c>, Keras and Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRate)); } = 0.001;

    /// <summary>β₁. PyTorch <c>betas[0]</c>, Keras <c>beta_1</c>, Optax <c>b1</c>. In [0, 1).</summary>
    public double Beta1 { get; init => field = Check.UnitInterval(value, nameof(Beta1)); } = 0.9;

    /// <summary>β₂. PyTorch <c>betas[1]</c>, Keras <c>beta_2</c>, Optax <c>b2</c>. In [0, 1).</summary>
    public double Beta2 { get; init => field = Check.UnitInterval(value, nameof(Beta2)); } = 0.999;

    /// <summary>ε. PyTorch and Optax <c>eps</c>, Keras <c>epsilon</c>. Finite, ≥ 0.</summary>
    public double Epsilon { get; init => field = Check.FiniteNonNegative(value, nameof(Epsilon)); } = 1e-8;

    /// <summary>ε on the uncorrected root (Keras); see <see cref="Adam.EpsilonHat"/>.</summary>
    public bool EpsilonHat { get; init; }

    /// <summary>Decoupled weight decay λ: p ← p·(1 − lr·λ). PyTorch, Keras and Optax <c>weight_decay</c>. Finite, ≥ 0.</summary>
    public double WeightDecay { get; init => field = Check.FiniteNonNegative(value, nameof(WeightDecay)); } = 0.01;

    /// <summary>AMSGrad. PyTorch and Keras <c>amsgrad</c>.</summary>
    public bool AmsGrad { get; init; }

    /// <summary>Maximize the objective. PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <inheritdoc/>
    public static string OptimizerName => "AdamW";

    /// <summary>The same update as <see cref="Adam"/> with decoupled weight decay.</summary>
    public Adam ToAdam() => new()
    {
        LearningRate = LearningRate,
        Beta1 = Beta1,
        Beta2 = Beta2,
        Epsilon = Epsilon,
        EpsilonHat = EpsilonHat,
        WeightDecay = WeightDecay,
        DecoupledWeightDecay = true,
        AmsGrad = AmsGrad,
        Maximize = Maximize,
    };

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer) => ToAdam().WriteJson(writer);

    /// <inheritdoc/>
    public static AdamW ReadJson(JsonElement json)
    {
        Adam a = Adam.ReadJson(json);
        return new AdamW
        {
            LearningRate = a.LearningRate,
            Beta1 = a.Beta1,
            Beta2 = a.Beta2,
            Epsilon = a.Epsilon,
            EpsilonHat = a.EpsilonHat,
            WeightDecay = a.WeightDecay,
            AmsGrad = a.AmsGrad,
            Maximize = a.Maximize,
        };
    }
}
