using System;
using System.Text.Json;
using static OptimizerGen.SettingsJson;

namespace OptimizerGen;

/// <summary>
/// Stochastic gradient descent with momentum: every option of PyTorch's <c>torch.optim.SGD</c>, Keras'
/// <c>SGD</c> and Optax's <c>sgd</c>. A value type; the defaults are PyTorch's (<see cref="PyTorch"/>).
/// </summary>
/// <remarks>
/// One step, per element (PyTorch: lr outside the buffer; Keras: lr inside):
/// <code>
/// g ← (maximize ? −1 : 1)·g ;  g ← g + λ·p                     (coupled weight decay)
/// p ← p·(1 − lr·λ)                                             (decoupled weight decay)
/// no momentum:  p ← p − lr·g
/// lr outside:   b ← μ·b + (1 − τ)·g   (b ← g on the first step) ;  p ← p − lr·(nesterov ? g + μ·b : b)
/// lr inside:    b ← μ·b + lr·(1 − τ)·g                          ;  p ← p − (nesterov ? lr·g + μ·b : b)
/// </code>
/// </remarks>
public readonly record struct Sgd : IOptimizerSettings<Sgd>
{
    /// <summary>PyTorch defaults (the same as <c>new Sgd()</c>).</summary>
    public Sgd()
    {
    }

    /// <summary><c>torch.optim.SGD</c> defaults: lr 0.001, no momentum, coupled weight decay.</summary>
    public static Sgd PyTorch => new();

    /// <summary>
    /// Keras 3 <c>keras.optimizers.SGD</c> defaults: learning_rate 0.01, learning rate inside the momentum buffer
    /// (<c>v ← μ·v − lr·g ; p ← p + v</c>), decoupled <c>weight_decay</c>.
    /// </summary>
    public static Sgd Keras => new() { LearningRate = 0.01, MomentumStyle = MomentumStyle.LearningRateInsideBuffer, DecoupledWeightDecay = true };

    /// <summary>Step size. PyTorch <c>lr</c>, Keras and Optax <c>learning_rate</c>. Finite, ≥ 0.</summary>
    public double LearningRate { get; init => field = Check.FiniteNonNegative(value, nameof(LearningRate)); } = 0.001;

    /// <summary>Momentum factor μ; 0 disables the buffer. PyTorch and Keras <c>momentum</c>, Optax <c>momentum</c> (None = 0). Finite, ≥ 0.</summary>
    public double Momentum { get; init => field = Check.FiniteNonNegative(value, nameof(Momentum)); }

    /// <summary>Dampening τ of the gradient entering the buffer. PyTorch <c>dampening</c>; 0 in Keras and Optax. In [0, 1).</summary>
    public double Dampening { get; init => field = Check.UnitInterval(value, nameof(Dampening)); }

    /// <summary>Nesterov momentum. PyTorch, Keras and Optax <c>nesterov</c>. PyTorch rejects it without momentum or with dampening; here Nesterov without momentum is plain SGD.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Where the learning rate multiplies: outside the buffer (PyTorch, Optax) or inside it (Keras).</summary>
    public MomentumStyle MomentumStyle
    {
        get;
        init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(MomentumStyle), value, "MomentumStyle must be LearningRateOutsideBuffer or LearningRateInsideBuffer.");
    }

    /// <summary>Weight decay λ. PyTorch <c>weight_decay</c> (coupled), Keras <c>weight_decay</c> (decoupled). Finite, ≥ 0.</summary>
    public double WeightDecay { get; init => field = Check.FiniteNonNegative(value, nameof(WeightDecay)); }

    /// <summary><c>false</c>: g ← g + λ·p (PyTorch). <c>true</c>: p ← p·(1 − lr·λ) (Keras).</summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>Maximize the objective (the gradient's sign is flipped first). PyTorch <c>maximize</c>.</summary>
    public bool Maximize { get; init; }

    /// <inheritdoc/>
    public static string OptimizerName => "Sgd";

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(nameof(LearningRate), LearningRate);
        writer.WriteNumber(nameof(Momentum), Momentum);
        writer.WriteNumber(nameof(Dampening), Dampening);
        writer.WriteBoolean(nameof(Nesterov), Nesterov);
        writer.WriteString(nameof(MomentumStyle), MomentumStyle.ToString());
        writer.WriteNumber(nameof(WeightDecay), WeightDecay);
        writer.WriteBoolean(nameof(DecoupledWeightDecay), DecoupledWeightDecay);
        writer.WriteBoolean(nameof(Maximize), Maximize);
    }

    /// <inheritdoc/>
    public static Sgd ReadJson(JsonElement json) => Read(() => new Sgd
    {
        LearningRate = Number(json, nameof(LearningRate)),
        Momentum = Number(json, nameof(Momentum)),
        Dampening = Number(json, nameof(Dampening)),
        Nesterov = Flag(json, nameof(Nesterov)),
        MomentumStyle = Style(json, nameof(MomentumStyle)),
        WeightDecay = Number(json, nameof(WeightDecay)),
        DecoupledWeightDecay = Flag(json, nameof(DecoupledWeightDecay)),
        Maximize = Flag(json, nameof(Maximize)),
    });
}
