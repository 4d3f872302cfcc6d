using System;
using System.Collections.Generic;
using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// <c>Step</c> rejects a bad batch with an <see cref="ArgumentException"/> naming the argument — an empty batch,
/// inputs of different lengths, a vector input whose length is not a whole number of samples — before anything
/// changes: parameters, Grad (here holding a gradient accumulated beforehand) and StepCount stay as they were.
/// </summary>
public sealed class StepValidationTests
{
    [Fact]
    public void Scalar_inputs_empty_batch()
    {
        SeedNeuron m = TrainedNeuron();
        AssertRejected(m, () => m.Step(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty), "x");
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(2, 0)]
    public void Scalar_inputs_of_different_lengths(int xLength, int yLength)
    {
        SeedNeuron m = TrainedNeuron();
        AssertRejected(m, () => m.Step(new float[xLength], new float[yLength]), "y");
    }

    [Fact]
    public void Feature_vector_model_empty_batch()
    {
        LinearFeatures m = Trained(new LinearFeatures(), m => m.Step(new float[2 * LinearFeatures.Features], new float[2]));
        AssertRejected(m, () => m.Step(new float[LinearFeatures.Features], ReadOnlySpan<float>.Empty), "y");
    }

    [Fact]
    public void Feature_vector_not_a_multiple_of_the_batch_size()
    {
        LinearFeatures m = Trained(new LinearFeatures(), m => m.Step(new float[2 * LinearFeatures.Features], new float[2]));
        AssertRejected(m, () => m.Step(new float[(3 * LinearFeatures.Features) + 1], new float[3]), "features");
        AssertRejected(m, () => m.Step(new float[(3 * LinearFeatures.Features) - 1], new float[3]), "features");
    }

    [Fact]
    public void Label_model_empty_batch_and_vector_not_a_multiple()
    {
        SoftmaxRegression m = Trained(new SoftmaxRegression(), m => m.Step(new float[2 * SoftmaxRegression.Features], new int[2]));
        AssertRejected(m, () => m.Step(new float[SoftmaxRegression.Features], ReadOnlySpan<int>.Empty), "label");
        AssertRejected(m, () => m.Step(new float[(2 * SoftmaxRegression.Features) + 3], new int[2]), "x");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Vector_only_model_batch_size_not_positive(int batchSize)
    {
        TanhMlp m = Trained(new TanhMlp(), m => m.Step(2, new float[2 * TanhMlp.Inputs], new float[2]));
        AssertRejected(m, () => m.Step(batchSize, new float[2 * TanhMlp.Inputs], new float[2]), "batchSize");
    }

    [Fact]
    public void Vector_only_model_vector_not_a_multiple_of_the_batch_size()
    {
        TanhMlp m = Trained(new TanhMlp(), m => m.Step(2, new float[2 * TanhMlp.Inputs], new float[2]));
        AssertRejected(m, () => m.Step(3, new float[(3 * TanhMlp.Inputs) + 2], new float[3]), "x");
        AssertRejected(m, () => m.Step(3, new float[3 * TanhMlp.Inputs], new float[4]), "target");
        AssertRejected(m, () => m.Step(2, new float[2 * TanhMlp.Inputs], new float[3]), "target");
    }

    /// <summary>A neuron after two Steps (so it has optimizer state and a step count).</summary>
    private static SeedNeuron TrainedNeuron()
    {
        var m = new SeedNeuron();
        m.Step([0.5f, 2.5f], [0.2f, 0.9f]);
        return m;
    }

    private static T Trained<T>(T m, Action<T> step)
        where T : class
    {
        ModelParameters.Randomize(m, new Random(3), _ => (-0.5, 0.5));
        step(m);
        step(m);
        return m;
    }

    private static void AssertRejected(object model, Action step, string argument)
    {
        // A gradient waits in Grad (accumulated by the user before the bad call): it must survive.
        IReadOnlyList<ParamElement> elements = ModelParameters.Elements(model);
        for (int i = 0; i < elements.Count; i++)
        {
            ModelParameters.SetGradient(model, elements[i], 0.125 * (i + 1));
        }

        double[] parameters = ModelParameters.Values(model);
        double[] gradients = ModelParameters.Gradients(model);
        long steps = StepCount(model);

        ArgumentException e = Assert.ThrowsAny<ArgumentException>(step);

        Assert.Equal(argument, e.ParamName);
        Assert.Equal(parameters, ModelParameters.Values(model));
        Assert.Equal(gradients, ModelParameters.Gradients(model));
        Assert.Equal(steps, StepCount(model));
    }

    private static long StepCount(object model) => (long)model.GetType().GetProperty("StepCount")!.GetValue(model)!;
}
