using System;
using System.Text.Json;
using static OptimizerGen.SettingsJson;

namespace OptimizerGen;

/// <summary>
/// AdaDelta: every option of PyTorch's <c>torch.optim.Adadelta</c>, Keras' <c>Adadelta</c> and Optax's
/// <c>adadelta</c>. A value type; the defaults are PyTorch's (<see cref="PyTorch"/>).
/// </summary>
/// <remarks>
/// One step, per element:
/// <code>
/// g ← (maximize ? −1 : 1)·g ;  g ← g + λ·p  (coupled) ;  p ← p·(1 − lr·λ)  (decoupled)
/// v ← ρ·v + (1 − ρ)·g²                      (square_avg)
/// δ = √(a + ε) / √(v + ε) · g
/// a ← ρ·a + (1 − ρ)·δ²                      (acc_delta)
/// p ← p − lr·δ
/// </code>
/// </remarks>
public readonly record struct AdaDelta : IOptimizerSettings<AdaDelta>
{
    /// <summary>PyTorch defaults (the same as <c>new AdaDelta()</c>).</summary>
    public AdaDelta()
    {
    }

    /// <summary><c>torch.optim.Adadelta</c> defaults: lr 1, ρ 0.9, ε 1e-6 (also Optax's <c>adadelta</c> defaults, with its learning rate 1).</summary>
    public static AdaDelta PyTorch => new();

    /// <summary>Keras 3 <c>keras.optimizers.Adadelta</c> defaults: learning_rate 0.001, rho 0.95, epsilon 1e-7, decoupled weight decay.</summary>
    public static AdaDelta Keras => new() { LearningRate = 0.001, Rho = 0.95, Epsilon = 1e-7, DecoupledWeightDecay = true };

    /// <summary>Step size applied to δ. PyTorch <c>lr</c>, Keras and Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRate)); } = 1.0;

    /// <summary>Decay ρ of both running averages. PyTorch, Keras and Optax <c>rho</c>. In [0, 1).</summary>
    public double Rho { get; init => field = Check.UnitInterval(value, nameof(Rho)); } = 0.9;

    /// <summary>ε inside both roots. PyTorch and Optax <c>eps</c>, Keras <c>epsilon</c>. Finite, ≥ 0.</summary>
    public double Epsilon { get; init => field = Check.FiniteNonNegative(value, nameof(Epsilon)); } = 1e-6;

    /// <summary>Weight decay λ. PyTorch <c>weight_decay</c> (coupled), Keras <c>weight_decay</c> (decoupled), Optax <c>weight_decay</c>. Finite, ≥ 0.</summary>
    public double WeightDecay { get; init => field = Check.FiniteNonNegative(value, nameof(WeightDecay)); }

    /// <summary><c>false</c>: g ← g + λ·p (PyTorch). <c>true</c>: p ← p·(1 − lr·λ) (Keras).</summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>Maximize the objective. PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <inheritdoc/>
    public static string OptimizerName => "AdaDelta";

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(nameof(LearningRate), LearningRate);
        writer.WriteNumber(nameof(Rho), Rho);
        writer.WriteNumber(nameof(Epsilon), Epsilon);
        writer.WriteNumber(nameof(WeightDecay), WeightDecay);
        writer.WriteBoolean(nameof(DecoupledWeightDecay), DecoupledWeightDecay);
        writer.WriteBoolean(nameof(Maximize), Maximize);
    }

    /// <inheritdoc/>
    public static AdaDelta ReadJson(JsonElement json) => Read(() => new AdaDelta
    {
        LearningRate = Number(json, nameof(LearningRate)),
        Rho = Number(json, nameof(Rho)),
        Epsilon = Number(json, nameof(Epsilon)),
        WeightDecay = Number(json, nameof(WeightDecay)),
        DecoupledWeightDecay = Flag(json, nameof(DecoupledWeightDecay)),
        Maximize = Flag(json, nameof(Maximize)),
    });
}
