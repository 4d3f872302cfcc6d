// The seed example: one sigmoid neuron f(x) = 1 / (1 + e^−(w·x + b)) fitted to two points with RMSprop.
// OptimizerGen generates Neuron's optimizer state, Grad and the fused ApplyGradients(); the gradient of the loss is
// written by hand here (compile-time differentiation of a [Loss] method comes next).
using System;
using OptimizerGen;

float[] xs = [0.5f, 2.5f];
float[] ys = [0.2f, 0.9f];

var model = new Neuron
{
    // The seed's RMSprop: η 0.1, decay 0.9, ε 1e-9 inside the root.
    Optimizer = new RmsProp { LearningRate = 0.1, Decay = 0.9, Epsilon = 1e-9, EpsilonInsideSqrt = true },
};

Console.WriteLine($"start: w = {model.W}, b = {model.B}, loss = {model.Loss(xs, ys):F6}");
for (int epoch = 1; epoch <= 300; epoch++)
{
    float loss = model.AccumulateGradients(xs, ys);
    model.ApplyGradients();
    if (epoch % 30 == 0 || epoch == 1)
    {
        Console.WriteLine($"epoch {epoch,3}: loss = {loss:F6}");
    }
}

Console.WriteLine($"final: w = {model.W:F6}, b = {model.B:F6}, loss = {model.Loss(xs, ys):F6}");

[Optimize(typeof(RmsProp))]
public partial class Neuron
{
    [Param] public float W = -2f;
    [Param] public float B = -2f;

    private float Predict(float x) => 1f / (1f + MathF.Exp(-(W * x + B)));

    /// <summary>½(f − y)² summed over the data.</summary>
    public float Loss(float[] xs, float[] ys)
    {
        float loss = 0f;
        for (int i = 0; i < xs.Length; i++)
        {
            float error = Predict(xs[i]) - ys[i];
            loss += 0.5f * error * error;
        }

        return loss;
    }

    /// <summary>Adds ∂loss/∂w and ∂loss/∂b, summed over the data, into <see cref="Grad"/>; returns the loss.</summary>
    public float AccumulateGradients(float[] xs, float[] ys)
    {
        float loss = 0f;
        for (int i = 0; i < xs.Length; i++)
        {
            float f = Predict(xs[i]);
            float error = f - ys[i];
            loss += 0.5f * error * error;

            // ∂loss/∂z = (f − y)·f·(1 − f) with z = w·x + b
            float dz = error * f * (1f - f);
            Grad.W += dz * xs[i];
            Grad.B += dz;
        }

        return loss;
    }
}
