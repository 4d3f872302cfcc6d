using System;
using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// <c>[Loss]</c> (Mean, the default) and <c>[Loss(Reduction = LossReduction.Sum)]</c>: the loss <c>Step</c> returns and
/// the update it makes agree with AccumulateGradients over the batch — the mean is the sum / n and the gradient is
/// scaled by 1/n. The optimizer has a large ε outside the root, so the update depends on the gradient's scale (with
/// plain RMSprop it would hardly: g/√(ρ'g²) is scale-free).
/// </summary>
public sealed class ReductionTests
{
    private const int Batch = 5;
    private const int Width = 3;
    private const double Decay = 0.9;

    private static readonly RmsProp ScaleSensitive = new() { LearningRate = 0.05, Decay = Decay, Epsilon = 1.0, EpsilonInsideSqrt = false };

    [Fact]
    public void Mean_returns_the_mean_loss_and_steps_with_the_mean_gradient()
    {
        var random = new Random(11);
        var stepped = new LinearMean { Optimizer = ScaleSensitive, W = random.Uniform(Width, -1, 1), B = random.Uniform(-1, 1) };
        var reference = new LinearMean { Optimizer = ScaleSensitive, W = (double[])stepped.W.Clone(), B = stepped.B };
        var unscaled = new LinearMean { Optimizer = ScaleSensitive, W = (double[])stepped.W.Clone(), B = stepped.B };

        for (int step = 1; step <= 3; step++)
        {
            double[] x = random.Uniform(Batch * Width, -2, 2);
            double[] y = random.Uniform(Batch, -2, 2);

            double sum = 0;
            for (int k = 0; k < Batch; k++)
            {
                sum += reference.AccumulateGradients(x.AsSpan(k * Width, Width), y[k]);
                unscaled.AccumulateGradients(x.AsSpan(k * Width, Width), y[k]);
            }

            double[] meanGradient = ModelParameters.Gradients(reference);
            for (int i = 0; i < meanGradient.Length; i++)
            {
                meanGradient[i] /= Batch;
            }

            double[] squareAvgBefore = SquareAverages(stepped);
            ModelParameters.ScaleGradients(reference, 1.0 / Batch);
            reference.ApplyGradients();
            unscaled.ApplyGradients();

            double loss = stepped.Step(x, y);

            GradientCheck.AssertClose(sum / Batch, loss, 1e-12, 0, $"step {step}: Step returned {loss}, the mean of the losses is {sum / Batch}");
            AssertSameParameters(reference, stepped, $"step {step}");
            AssertGradientSeenByOptimizer(squareAvgBefore, SquareAverages(stepped), meanGradient, $"step {step}");
            Assert.All(ModelParameters.Gradients(stepped), g => Assert.Equal(0, g));
        }

        // The test can tell the reductions apart: stepping with the summed gradient goes elsewhere.
        Assert.True(MaxDifference(ModelParameters.Values(unscaled), ModelParameters.Values(stepped)) > 1e-3);
    }

    [Fact]
    public void Sum_returns_the_summed_loss_and_steps_with_the_summed_gradient()
    {
        var random = new Random(12);
        var stepped = new LinearSum { Optimizer = ScaleSensitive, W = random.Uniform(Width, -1, 1), B = random.Uniform(-1, 1) };
        var reference = new LinearSum { Optimizer = ScaleSensitive, W = (double[])stepped.W.Clone(), B = stepped.B };
        var averaged = new LinearSum { Optimizer = ScaleSensitive, W = (double[])stepped.W.Clone(), B = stepped.B };

        for (int step = 1; step <= 3; step++)
        {
            double[] x = random.Uniform(Batch * Width, -2, 2);
            double[] y = random.Uniform(Batch, -2, 2);

            double sum = 0;
            for (int k = 0; k < Batch; k++)
            {
                sum += reference.AccumulateGradients(x.AsSpan(k * Width, Width), y[k]);
                averaged.AccumulateGradients(x.AsSpan(k * Width, Width), y[k]);
            }

            double[] summedGradient = ModelParameters.Gradients(reference);
            double[] squareAvgBefore = SquareAverages(stepped);
            reference.ApplyGradients();
            ModelParameters.ScaleGradients(averaged, 1.0 / Batch);
            averaged.ApplyGradients();

            double loss = stepped.Step(x, y);

            GradientCheck.AssertClose(sum, loss, 1e-12, 0, $"step {step}: Step returned {loss}, the sum of the losses is {sum}");
            AssertSameParameters(reference, stepped, $"step {step}");
            AssertGradientSeenByOptimizer(squareAvgBefore, SquareAverages(stepped), summedGradient, $"step {step}");
        }

        Assert.True(MaxDifference(ModelParameters.Values(averaged), ModelParameters.Values(stepped)) > 1e-3);
    }

    [Fact]
    public void Mean_and_sum_models_differ_exactly_by_the_batch_size_in_loss()
    {
        var random = new Random(13);
        double[] w = random.Uniform(Width, -1, 1);
        double b = random.Uniform(-1, 1);
        double[] x = random.Uniform(Batch * Width, -2, 2);
        double[] y = random.Uniform(Batch, -2, 2);
        var mean = new LinearMean { W = (double[])w.Clone(), B = b };
        var sum = new LinearSum { W = (double[])w.Clone(), B = b };

        GradientCheck.AssertClose(sum.Step(x, y) / Batch, mean.Step(x, y), 1e-12, 0, "mean = sum / n");
    }

    /// <summary>RMSprop's v before and after one step reveals |g|: v′ = ρ·v + (1 − ρ)·g².</summary>
    private static void AssertGradientSeenByOptimizer(double[] before, double[] after, double[] gradient, string what)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            double expected = (Decay * before[i]) + ((1 - Decay) * gradient[i] * gradient[i]);
            GradientCheck.AssertClose(expected, after[i], 1e-10, 1e-15, $"{what}: element {i}: the optimizer's square average is {after[i]}, expected {expected} from the gradient {gradient[i]}");
        }
    }

    private static double[] SquareAverages(LinearMean m) => [.. m.OptimizerState.W.SquareAvg ?? new double[Width], m.OptimizerState.B.SquareAvg];

    private static double[] SquareAverages(LinearSum m) => [.. m.OptimizerState.W.SquareAvg ?? new double[Width], m.OptimizerState.B.SquareAvg];

    private static void AssertSameParameters(object expected, object actual, string what)
    {
        double[] e = ModelParameters.Values(expected), a = ModelParameters.Values(actual);
        for (int i = 0; i < e.Length; i++)
        {
            GradientCheck.AssertClose(e[i], a[i], 1e-12, 1e-14, $"{what}: parameter element {i} is {a[i]}, AccumulateGradients + ApplyGradients gave {e[i]}");
        }
    }

    private static double MaxDifference(double[] a, double[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
