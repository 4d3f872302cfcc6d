using System;
using System.Text.Json;
using static OptimizerGen.SettingsJson;

namespace OptimizerGen;

/// <summary>
/// AdaGrad: every option of PyTorch's <c>torch.optim.Adagrad</c>, Keras' <c>Adagrad</c> and Optax's <c>adagrad</c>.
/// A value type; the defaults are PyTorch's (<see cref="PyTorch"/>).
/// </summary>
/// <remarks>
/// One step, per element, with <c>t</c> the 1-based step count:
/// <code>
/// g ← (maximize ? −1 : 1)·g ;  g ← g + λ·p  (coupled) ;  p ← p·(1 − lr·λ)  (decoupled)
/// clr = lr / (1 + (t − 1)·lr_decay)
/// s ← s + g²                              (s starts at initial_accumulator_value)
/// p ← p − clr·g / (√s + ε)                (ε outside: PyTorch)   or   p ← p − clr·g / √(s + ε)   (ε inside: Keras, Optax)
/// </code>
/// </remarks>
public readonly record struct AdaGrad : IOptimizerSettings<AdaGrad>
{
    /// <summary>PyTorch defaults (the same as <c>new AdaGrad()</c>).</summary>
    public AdaGrad()
    {
    }

    /// <summary><c>torch.optim.Adagrad</c> defaults: lr 0.01, lr_decay 0, initial_accumulator_value 0, eps 1e-10 outside the root.</summary>
    public static AdaGrad PyTorch => new();

    /// <summary>Keras 3 <c>keras.optimizers.Adagrad</c> defaults: learning_rate 0.001, initial_accumulator_value 0.1, epsilon 1e-7 inside the root, decoupled weight decay.</summary>
    public static AdaGrad Keras => new() { LearningRate = 0.001, InitialAccumulatorValue = 0.1, Epsilon = 1e-7, EpsilonInsideSqrt = true, DecoupledWeightDecay = true };

    /// <summary>Optax <c>optax.adagrad</c> defaults: initial_accumulator_value 0.1, eps 1e-7 inside the root. Optax has no default learning rate; this preset uses 0.01.</summary>
    public static AdaGrad Optax => new() { InitialAccumulatorValue = 0.1, Epsilon = 1e-7, EpsilonInsideSqrt = true };

    /// <summary>Step size. PyTorch <c>lr</c>, Keras and Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRate)); } = 0.01;

    /// <summary>Learning-rate decay: step t uses lr / (1 + (t − 1)·lr_decay). PyTorch <c>lr_decay</c>. Finite, ≥ 0.</summary>
    public double LearningRateDecay { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRateDecay)); }

    /// <summary>Starting value of the sum of squares. PyTorch, Keras and Optax <c>initial_accumulator_value</c>. Finite, ≥ 0.</summary>
    public double InitialAccumulatorValue { get; init => field = Check.FiniteNonNegative(value, nameof(InitialAccumulatorValue)); }

    /// <summary>ε. PyTorch <c>eps</c>, Keras <c>epsilon</c>, Optax <c>eps</c>. Finite, ≥ 0.</summary>
    public double Epsilon { get; init => field = Check.FiniteNonNegative(value, nameof(Epsilon)); } = 1e-10;

    /// <summary><c>true</c>: √(s + ε) (Keras, Optax); <c>false</c>: √s + ε (PyTorch).</summary>
    public bool EpsilonInsideSqrt { get; init; }

    /// <summary>Weight decay λ. PyTorch <c>weight_decay</c> (coupled), Keras <c>weight_decay</c> (decoupled). Finite, ≥ 0.</summary>
    public double WeightDecay { get; init => field = Check.FiniteNonNegative(value, nameof(WeightDecay)); }

    /// <summary><c>false</c>: g ← g + λ·p (PyTorch). <c>true</c>: p ← p·(1 − lr·λ) (Keras).</summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>Maximize the objective. PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <inheritdoc/>
    public static string OptimizerName => "AdaGrad";

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(nameof(LearningRate), LearningRate);
        writer.WriteNumber(nameof(LearningRateDecay), LearningRateDecay);
        writer.WriteNumber(nameof(InitialAccumulatorValue), InitialAccumulatorValue);
        writer.WriteNumber(nameof(Epsilon), Epsilon);
        writer.WriteBoolean(nameof(EpsilonInsideSqrt), EpsilonInsideSqrt);
        writer.WriteNumber(nameof(WeightDecay), WeightDecay);
        writer.WriteBoolean(nameof(DecoupledWeightDecay), DecoupledWeightDecay);
        writer.WriteBoolean(nameof(Maximize), Maximize);
    }

    /// <inheritdoc/>
    public static AdaGrad ReadJson(JsonElement json) => Read(() => new AdaGrad
    {
        LearningRate = Number(json, nameof(LearningRate)),
        LearningRateDecay = Number(json, nameof(LearningRateDecay)),
        InitialAccumulatorValue = Number(json, nameof(InitialAccumulatorValue)),
        Epsilon = Number(json, nameof(Epsilon)),
        EpsilonInsideSqrt = Flag(json, nameof(EpsilonInsideSqrt)),
        WeightDecay = Number(json, nameof(WeightDecay)),
        DecoupledWeightDecay = Flag(json, nameof(DecoupledWeightDecay)),
        Maximize = Flag(json, nameof(Maximize)),
    });
}
