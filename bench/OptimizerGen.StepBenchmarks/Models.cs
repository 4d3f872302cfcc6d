// The two models whose generated Step is measured. OptimizerGen differentiates each [Loss] at compile time and
// generates Step(batch): the gradient accumulated over the batch, then the fused RMSprop update.
using System;
using OptimizerGen;

namespace OptimizerGen.StepBenchmarks;

/// <summary>The seed neuron (as in samples/Quickstart): f(x) = σ(w·x + b), loss ½(f − y)² summed over the data.</summary>
[Optimize(typeof(RmsProp))]
public partial class Neuron
{
    [Param] public float W = -2f;
    [Param] public float B = -2f;

    /// <summary>The loss of one sample.</summary>
    [Loss(Reduction = LossReduction.Sum)]
    public float Loss(float x, float y)
    {
        float f = 1f / (1f + MathF.Exp(-(W * x + B)));
        return 0.5f * (f - y) * (f - y);
    }
}

/// <summary>Linear regression on 16 features: p = B + W·x, loss ½(p − y)², mean over the batch.</summary>
[Optimize(typeof(RmsProp))]
public partial class LinearRegression
{
    public const int Features = 16;

    [Param] public float[] W = new float[Features];
    [Param] public float B;

    /// <summary>The loss of one sample.</summary>
    [Loss]
    public float Loss(ReadOnlySpan<float> x, float y)
    {
        float p = B;
        for (int i = 0; i < x.Length; i++) p += W[i] * x[i];
        float e = p - y;
        return 0.5f * e * e;
    }
}
