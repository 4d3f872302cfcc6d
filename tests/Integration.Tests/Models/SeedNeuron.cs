using System;
using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

/// <summary>The seed article's model: one sigmoid neuron f(x) = 1 / (1 + e^−(w·x + b)), float32.</summary>
[Optimize(typeof(RmsProp))]
public partial class SeedNeuron
{
    [Param] public float W = -2f, B = -2f;

    /// <summary>Adds ∂L/∂w and ∂L/∂b of L = Σ ½(f − y)² into <see cref="Grad"/> (written by hand); returns L.</summary>
    public float AccumulateGradients(float[] xs, float[] ys)
    {
        float loss = 0f;
        for (int i = 0; i < xs.Length; i++)
        {
            float f = 1f / (1f + MathF.Exp(-((W * xs[i]) + B)));
            float error = f - ys[i];
            loss += 0.5f * error * error;
            float dz = error * f * (1f - f);
            Grad.W += dz * xs[i];
            Grad.B += dz;
        }

        return loss;
    }
}

/// <summary>The same neuron in float64.</summary>
[Optimize(typeof(RmsProp))]
public partial class SeedNeuron64
{
    [Param] public double W = -2, B = -2;

    public double AccumulateGradients(double[] xs, double[] ys)
    {
        double loss = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double f = 1 / (1 + Math.Exp(-((W * xs[i]) + B)));
            double error = f - ys[i];
            loss += 0.5 * error * error;
            double dz = error * f * (1 - f);
            Grad.W += dz * xs[i];
            Grad.B += dz;
        }

        return loss;
    }
}
