// The seed example: one sigmoid neuron f(x) = 1 / (1 + e^−(w·x + b)) fitted to two points with RMSprop.
// OptimizerGen differentiates Neuron.Loss at compile time and generates Step(): the gradient summed over the batch,
// fused with the RMSprop update — 0 bytes allocated per step.
using System;
using OptimizerGen;

float[] xs = [0.5f, 2.5f];
float[] ys = [0.2f, 0.9f];

var model = new Neuron
{
    // The seed's RMSprop: η 0.1, decay 0.9, ε 1e-9 inside the root.
    Optimizer = new RmsProp { LearningRate = 0.1, Decay = 0.9, Epsilon = 1e-9, EpsilonInsideSqrt = true },
};

Console.WriteLine($"start:     w = {model.W}, b = {model.B}");
float loss = 0f;
for (int epoch = 1; epoch <= 300; epoch++)
{
    loss = model.Step(xs, ys);
    if (epoch == 1 || epoch % 30 == 0)
    {
        Console.WriteLine($"epoch {epoch,3}: loss = {loss:F6}");
    }
}

Console.WriteLine($"final:     w = {model.W:F6}, b = {model.B:F6}, loss = {loss:F6}");

/// <summary>The seed's neuron: f(x) = σ(w·x + b), loss ½(f − y)² summed over the data.</summary>
[Optimize(typeof(RmsProp))]
public partial class Neuron
{
    [Param] public float W = -2f;
    [Param] public float B = -2f;

    /// <summary>The loss of one sample; OptimizerGen generates its gradient.</summary>
    [Loss(Reduction = LossReduction.Sum)]
    public float Loss(float x, float y)
    {
        float f = 1f / (1f + MathF.Exp(-(W * x + B)));
        return 0.5f * (f - y) * (f - y);
    }
}
