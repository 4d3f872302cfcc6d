using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

/// <summary>
/// The model the preset tests train: float and double, scalars and arrays (SIMD body and tail), and fields excluded from
/// weight decay (Keras' <c>exclude_from_weight_decay</c>, Optax's <c>add_decayed_weights(mask=…)</c>).
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class PresetModel
{
    [Param] public float[] W32 = new float[37];
    [Param] public float S32;
    [Param] public double[] W64 = new double[19];
    [Param] public double S64;
    [Param, ExcludeFromWeightDecay] public float[] B32 = new float[5];
    [Param, ExcludeFromWeightDecay] public double B64;
}
