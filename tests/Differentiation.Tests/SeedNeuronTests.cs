using System;
using OptimizerGen.Differentiation.Tests.Models;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// The seed article's experiment trained with the generated <c>Step</c>: one sigmoid neuron, X = [0.5, 2.5],
/// Y = [0.2, 0.9], w = b = −2, loss ½(f − y)² summed over the data, RMSprop with η 0.1, β 0.9, ε 1e-9 inside the root —
/// against an independent float64 implementation of the seed's algorithm written here.
/// </summary>
public sealed class SeedNeuronTests
{
    private static readonly float[] X = [0.5f, 2.5f];
    private static readonly float[] Y = [0.2f, 0.9f];

    private static readonly RmsProp SeedOptimizer = new() { LearningRate = 0.1, Decay = 0.9, Epsilon = 1e-9, EpsilonInsideSqrt = true };

    [Fact]
    public void Ten_epochs_of_Step_match_the_seed_algorithm_in_float64()
    {
        var model = new SeedNeuron { Optimizer = SeedOptimizer };
        var reference = new SeedReference();

        for (int epoch = 1; epoch <= 10; epoch++)
        {
            double expectedLoss = reference.Epoch();
            float loss = model.Step(X, Y);

            Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5, $"epoch {epoch}: Step returned loss {loss}, the reference {expectedLoss}");
            Assert.True(Math.Abs(model.W - reference.W) <= 1e-5, $"epoch {epoch}: w = {model.W}, the reference {reference.W}");
            Assert.True(Math.Abs(model.B - reference.B) <= 1e-5, $"epoch {epoch}: b = {model.B}, the reference {reference.B}");
        }

        Assert.Equal(10, model.StepCount);

        // The run is not trivial: the parameters moved far from −2 and the loss fell.
        Assert.True(reference.W > -2 + 0.5 && reference.B > -2 + 0.5, $"w = {reference.W}, b = {reference.B}");
        Assert.True(model.Loss(X[0], Y[0]) + model.Loss(X[1], Y[1]) < new SeedReference().Epoch());
    }

    [Fact]
    public void Step_equals_AccumulateGradients_over_the_data_then_ApplyGradients()
    {
        var stepped = new SeedNeuron { Optimizer = SeedOptimizer };
        var manual = new SeedNeuron { Optimizer = SeedOptimizer };
        for (int epoch = 0; epoch < 10; epoch++)
        {
            float stepLoss = stepped.Step(X, Y);
            float manualLoss = manual.AccumulateGradients(X[0], Y[0]) + manual.AccumulateGradients(X[1], Y[1]);
            manual.ApplyGradients();

            Assert.Equal(manualLoss, stepLoss, 6);
            Assert.Equal(manual.W, stepped.W, 6);
            Assert.Equal(manual.B, stepped.B, 6);
        }
    }

    /// <summary>The seed's algorithm in float64: the gradient summed over the data, v = 0.9·v + 0.1·g², p −= 0.1·g/√(v + 1e-9).</summary>
    private sealed class SeedReference
    {
        private double _vw;
        private double _vb;

        public double W { get; private set; } = -2;

        public double B { get; private set; } = -2;

        /// <summary>One epoch: returns the loss before the update.</summary>
        public double Epoch()
        {
            double gw = 0, gb = 0, loss = 0;
            for (int i = 0; i < X.Length; i++)
            {
                double x = X[i], y = Y[i];
                double f = 1 / (1 + Math.Exp(-((W * x) + B)));
                loss += 0.5 * (f - y) * (f - y);
                double dz = (f - y) * f * (1 - f);
                gw += dz * x;
                gb += dz;
            }

            _vw = (0.9 * _vw) + (0.1 * gw * gw);
            _vb = (0.9 * _vb) + (0.1 * gb * gb);
            W -= 0.1 * gw / Math.Sqrt(_vw + 1e-9);
            B -= 0.1 * gb / Math.Sqrt(_vb + 1e-9);
            return loss;
        }
    }
}
