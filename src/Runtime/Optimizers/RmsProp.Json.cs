using System;
using System.Text.Json;
using static OptimizerGen.SettingsJson;

namespace OptimizerGen;

/// <summary>RMSprop's hyperparameters in checkpoints.</summary>
public readonly partial record struct RmsProp : IOptimizerSettings<RmsProp>
{
    /// <inheritdoc/>
    public static string OptimizerName => "RmsProp";

    /// <inheritdoc/>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber(nameof(LearningRate), LearningRate);
        writer.WriteNumber(nameof(Decay), Decay);
        writer.WriteNumber(nameof(Epsilon), Epsilon);
        writer.WriteBoolean(nameof(EpsilonInsideSqrt), EpsilonInsideSqrt);
        writer.WriteNumber(nameof(InitialAccumulatorValue), InitialAccumulatorValue);
        writer.WriteBoolean(nameof(Centered), Centered);
        writer.WriteBoolean(nameof(ClampCenteredVariance), ClampCenteredVariance);
        writer.WriteNumber(nameof(Momentum), Momentum);
        writer.WriteString(nameof(MomentumStyle), MomentumStyle.ToString());
        writer.WriteBoolean(nameof(Nesterov), Nesterov);
        writer.WriteNumber(nameof(WeightDecay), WeightDecay);
        writer.WriteBoolean(nameof(DecoupledWeightDecay), DecoupledWeightDecay);
        writer.WriteBoolean(nameof(Maximize), Maximize);
        writer.WriteBoolean(nameof(BiasCorrection), BiasCorrection);
    }

    /// <inheritdoc/>
    public static RmsProp ReadJson(JsonElement json) => Read(() => new RmsProp
    {
        LearningRate = Number(json, nameof(LearningRate)),
        Decay = Number(json, nameof(Decay)),
        Epsilon = Number(json, nameof(Epsilon)),
        EpsilonInsideSqrt = Flag(json, nameof(EpsilonInsideSqrt)),
        InitialAccumulatorValue = Number(json, nameof(InitialAccumulatorValue)),
        Centered = Flag(json, nameof(Centered)),
        ClampCenteredVariance = Flag(json, nameof(ClampCenteredVariance)),
        Momentum = Number(json, nameof(Momentum)),
        MomentumStyle = Style(json, nameof(MomentumStyle)),
        Nesterov = Flag(json, nameof(Nesterov)),
        WeightDecay = Number(json, nameof(WeightDecay)),
        DecoupledWeightDecay = Flag(json, nameof(DecoupledWeightDecay)),
        Maximize = Flag(json, nameof(Maximize)),
        BiasCorrection = Flag(json, nameof(BiasCorrection)),
    });
}
