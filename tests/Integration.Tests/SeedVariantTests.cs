using System;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// The seed article's RMSprop (η 0.1, β 0.9, ε 1e-9 inside the root, gradients summed over the data) on its sigmoid
/// neuron (w = b = −2, X = [0.5, 2.5], Y = [0.2, 0.9]) against a float64 implementation of the same algorithm.
/// </summary>
public sealed class SeedVariantTests
{
    private static readonly RmsProp Seed = new() { LearningRate = 0.1, Decay = 0.9, Epsilon = 1e-9, EpsilonInsideSqrt = true };

    private static readonly double[] X = [0.5, 2.5];
    private static readonly double[] Y = [0.2, 0.9];

    [Fact]
    public void Float32_model_matches_a_float64_implementation_after_10_epochs()
    {
        var model = new SeedNeuron { Optimizer = Seed };
        var reference = new SeedReference();
        float firstLoss = 0, loss = 0;
        for (int epoch = 1; epoch <= 10; epoch++)
        {
            loss = model.AccumulateGradients([0.5f, 2.5f], [0.2f, 0.9f]);
            model.ApplyGradients();
            reference.Epoch();
            firstLoss = epoch == 1 ? loss : firstLoss;

            Assert.Equal(reference.W, model.W, 1e-5);
            Assert.Equal(reference.B, model.B, 1e-5);
            Assert.Equal(0f, model.Grad.W);
            Assert.Equal(0f, model.Grad.B);
        }

        Assert.Equal(10, model.StepCount);
        Assert.True(loss < firstLoss, $"loss {loss} did not fall from {firstLoss}");

        // The first step of RMSprop from v = 0 moves each parameter by ≈ lr/√(1−β) = 0.316 against its gradient's sign.
        Assert.InRange(reference.FirstStepW, 0.3, 0.33);
        Assert.Equal(reference.VW, model.OptimizerState.W.SquareAvg, 1e-6);
        Assert.Equal(reference.VB, model.OptimizerState.B.SquareAvg, 1e-6);
    }

    [Fact]
    public void Float64_model_matches_a_float64_implementation_after_10_epochs()
    {
        var model = new SeedNeuron64 { Optimizer = Seed };
        var reference = new SeedReference();
        for (int epoch = 1; epoch <= 10; epoch++)
        {
            model.AccumulateGradients(X, Y);
            model.ApplyGradients();
            reference.Epoch();
        }

        Assert.Equal(reference.W, model.W, 1e-12);
        Assert.Equal(reference.B, model.B, 1e-12);
        Assert.Equal(reference.VW, model.OptimizerState.W.SquareAvg, 1e-12);
    }

    /// <summary>
    /// The seed algorithm in float64: for each epoch, g = Σ ∂½(f − y)²/∂θ over the data; v ← 0.9·v + 0.1·g²;
    /// θ ← θ − 0.1·g / √(v + 1e-9).
    /// </summary>
    private sealed class SeedReference
    {
        public double W = -2, B = -2, VW, VB, FirstStepW;

        public void Epoch()
        {
            double gw = 0, gb = 0;
            for (int i = 0; i < X.Length; i++)
            {
                double f = 1 / (1 + Math.Exp(-((W * X[i]) + B)));
                double dz = (f - Y[i]) * f * (1 - f);
                gw += dz * X[i];
                gb += dz;
            }

            VW = (0.9 * VW) + (0.1 * gw * gw);
            VB = (0.9 * VB) + (0.1 * gb * gb);
            double before = W;
            W -= 0.1 * gw / Math.Sqrt(VW + 1e-9);
            B -= 0.1 * gb / Math.Sqrt(VB + 1e-9);
            FirstStepW = FirstStepW == 0 ? W - before : FirstStepW;
        }
    }
}
