using System;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary><see cref="GeneratedCodeGuard"/>: the checks the generated code runs before a step changes anything.</summary>
public class GeneratedCodeGuardTests
{
    [Fact]
    public void ParameterLength_ReturnsTheLength()
    {
        Assert.Equal(3, GeneratedCodeGuard.ParameterLength(new float[3], "W"));
        Assert.Equal(0, GeneratedCodeGuard.ParameterLength(Array.Empty<double>(), "W"));
    }

    [Fact]
    public void ParameterLength_NullParameter_Throws_NamingField()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GeneratedCodeGuard.ParameterLength<float>(null, "Weights"));
        Assert.Equal("Parameter 'Weights' is null: assign its array before using Grad or ApplyGradients().", e.Message);
    }

    [Fact]
    public void CheckArrays_MatchingArrays_Pass()
    {
        GeneratedCodeGuard.CheckArrays(new float[4], new float[4], "W");
        GeneratedCodeGuard.CheckArrays(Array.Empty<double>(), Array.Empty<double>(), "W");
    }

    [Fact]
    public void CheckArrays_NullParameter_Throws_NamingField()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GeneratedCodeGuard.CheckArrays(null, new float[2], "Bias"));
        Assert.Equal("Parameter 'Bias' is null: assign its array before using Grad or ApplyGradients().", e.Message);

        // Both null: the parameter is reported first.
        e = Assert.Throws<InvalidOperationException>(() => GeneratedCodeGuard.CheckArrays<double>(null, null, "Bias"));
        Assert.StartsWith("Parameter 'Bias' is null", e.Message);
    }

    [Fact]
    public void CheckArrays_NullGradient_Throws_NamingField()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GeneratedCodeGuard.CheckArrays(new double[5], null, "Weights"));
        Assert.Equal("Grad.Weights is null: it must be an array as long as 'Weights' (5).", e.Message);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(4, 5)]
    [InlineData(0, 1)]
    public void CheckArrays_GradientLengthMismatch_Throws_NamingFieldAndLengths(int parameterLength, int gradientLength)
    {
        var e = Assert.Throws<InvalidOperationException>(
            () => GeneratedCodeGuard.CheckArrays(new float[parameterLength], new float[gradientLength], "Weights"));
        Assert.Equal(
            $"Grad.Weights has length {gradientLength}, but parameter 'Weights' has length {parameterLength}. " +
            $"If 'Weights' was replaced by an array of another length, assign Grad.Weights a new array of length {parameterLength} and call ResetOptimizerState().",
            e.Message);
    }

    [Fact]
    public void CheckShape_MatchingLength_Passes()
    {
        GeneratedCodeGuard.CheckShape(new float[12], 12, "W", "[3, 4]");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(0)]
    public void CheckShape_WrongLength_Throws_NamingFieldAndShape(int length)
    {
        var e = Assert.Throws<InvalidOperationException>(() => GeneratedCodeGuard.CheckShape(new double[length], 12, "Kernel", "[3, 4]"));
        Assert.Equal($"Parameter 'Kernel' has length {length}, but its declared shape [3, 4] has 12 elements.", e.Message);
    }
}
