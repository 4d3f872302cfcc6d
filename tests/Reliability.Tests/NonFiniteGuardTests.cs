using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// SkipNonFiniteGradients: a NaN or ±∞ anywhere in the gradient skips the whole step — ApplyGradients returns false,
/// parameters, optimizer state and StepCount stay, Grad is cleared, SkippedSteps counts it — on every SIMD path; finite
/// gradients (extremes included) are applied. Off by default, and then a NaN propagates.
/// </summary>
public class NonFiniteGuardTests(ITestOutputHelper output)
{
    [Fact]
    public void ArrayGradients_EveryLengthAndPosition_InProcess()
    {
        List<string> failures = NonFiniteGuardCheck.RunArrays(out int cases);
        output.WriteLine(Program.HardwareLine() + $"; {cases} cases");
        Assert.True(cases > 6 * 2000, $"only {cases} cases ran");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ArrayGradients_EveryLengthAndPosition_Avx512Disabled()
    {
        string stdout = RunChild("DOTNET_EnableAVX512");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        if (Vector256.IsHardwareAccelerated)
        {
            Assert.Contains("Vector256.IsHardwareAccelerated=True", stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>Vector&lt;T&gt; is 256 bits by default even with AVX-512; this child makes it 512 (DOTNET_MaxVectorTBitWidth).</summary>
    [Fact]
    public void ArrayGradients_EveryLengthAndPosition_VectorT512()
    {
        string stdout = RunChild("DOTNET_MaxVectorTBitWidth", "512");
        if (Vector512.IsHardwareAccelerated)
        {
            Assert.Contains("Vector512.IsHardwareAccelerated=True", stdout, StringComparison.Ordinal);
            Assert.Contains("Vector<float>.Count=16", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ArrayGradients_EveryLengthAndPosition_Avx2Disabled()
    {
        string stdout = RunChild("DOTNET_EnableAVX2");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector128.IsHardwareAccelerated=True", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector<float>.Count=4", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayGradients_EveryLengthAndPosition_HardwareIntrinsicsDisabled()
    {
        string stdout = RunChild("DOTNET_EnableHWIntrinsic");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector128.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
        Assert.Contains("Vector.IsHardwareAccelerated=False", stdout, StringComparison.Ordinal);
    }

    private string RunChild(string variable, string value = "0")
    {
        var (exitCode, stdout, stderr) = ChildProcess.Run([Program.FiniteGuardCommand], new Dictionary<string, string> { [variable] = value });
        output.WriteLine($"{variable}={value}: exit {exitCode}\n{stdout}\n{stderr}");
        Assert.True(exitCode == 0, $"child with {variable}={value} exited with {exitCode}:\n{stdout}\n{stderr}");
        Assert.Contains(Program.PassMarker, stdout, StringComparison.Ordinal);
        return stdout;
    }

    public static TheoryData<string, string> ScalarCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string field in new[] { "S", "T" })
        {
            foreach (var (name, _) in NonFiniteGuardCheck.NonFinite)
            {
                data.Add(field, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ScalarCases))]
    public void ScalarGradient_NonFinite_SkipsTheStep(string field, string valueName)
    {
        double value = Array.Find(NonFiniteGuardCheck.NonFinite, v => v.Name == valueName).Value;
        var model = new GuardModel(21) { Optimizer = RmsProp.PyTorch with { Centered = true, Momentum = 0.9 }, SkipNonFiniteGradients = true };
        Gradients.Train(model, 3);
        var rng = new Rng(5);
        NonFiniteGuardCheck.FillFinite(model, ref rng);
        if (field == "S")
        {
            model.Grad.S = (float)value;
        }
        else
        {
            model.Grad.T = value;
        }

        var failures = new List<string>();
        NonFiniteGuardCheck.Expect(model, failures, $"{valueName} in Grad.{field}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(3, model.StepCount);
        Assert.Equal(1, model.SkippedSteps);
    }

    [Fact]
    public void SkippedStep_ThenFiniteSteps_EqualTrainingWithoutTheBadStep()
    {
        var options = RmsProp.PyTorch with { Centered = true, Momentum = 0.9, BiasCorrection = true };
        var guarded = new MixedModel { Optimizer = options, SkipNonFiniteGradients = true };
        var clean = new MixedModel { Optimizer = options };
        Gradients.Train(guarded, 4);
        Gradients.Train(clean, 4);

        Gradients.Set(guarded, 99);
        guarded.Grad.E[17] = double.NaN;
        Assert.False(guarded.ApplyGradients());

        Gradients.Train(guarded, 4);
        Gradients.Train(clean, 4);
        var expected = ModelSnapshot.Take(clean);
        var actual = ModelSnapshot.Take(guarded);
        expected.Remove("SkippedSteps");
        actual.Remove("SkippedSteps");
        expected.Remove("SkipNonFiniteGradients");
        actual.Remove("SkipNonFiniteGradients");
        ModelSnapshot.AssertEqual(expected, actual, "guarded run with one skipped step vs clean run");
        Assert.Equal(1, guarded.SkippedSteps);
    }

    [Fact]
    public void FiniteExtremes_AreApplied_NotMistakenForNonFinite()
    {
        foreach (int n in new[] { 1, 15, 16, 17, 33, 65 })
        {
            var model = new GuardModel(n) { SkipNonFiniteGradients = true };
            Gradients.Train(model, 1);
            for (int i = 0; i < n; i++)
            {
                model.Grad.A[i] = (i % 4) switch { 0 => float.MaxValue, 1 => -float.MaxValue, 2 => float.Epsilon, _ => -0f };
                model.Grad.D[i] = (i % 4) switch { 0 => double.MaxValue, 1 => -double.MaxValue, 2 => double.Epsilon, _ => -0d };
            }

            model.Grad.S = float.MaxValue;
            model.Grad.T = -double.MaxValue;
            Assert.True(model.ApplyGradients(), $"length {n}: a step of finite extremes was skipped");
            Assert.Equal(2, model.StepCount);
            Assert.Equal(0, model.SkippedSteps);
        }
    }

    [Fact]
    public void GuardOff_ByDefault_NaNPropagatesIntoParametersAndState()
    {
        var model = new GuardModel(37);
        Assert.False(model.SkipNonFiniteGradients);
        Gradients.Train(model, 2);
        Gradients.Set(model, 2);
        model.Grad.A[20] = float.NaN;
        model.Grad.T = double.PositiveInfinity;
        Assert.True(model.ApplyGradients());
        Assert.Equal(3, model.StepCount);
        Assert.Equal(0, model.SkippedSteps);
        Assert.True(float.IsNaN(model.A[20]));
        Assert.True(float.IsNaN(model.OptimizerState.A.SquareAvg![20]));
        Assert.True(float.IsFinite(model.A[19]) && float.IsFinite(model.A[21]), "NaN spread to neighbouring elements");
        Assert.True(double.IsNaN(model.T), $"T = {model.T}");   // ∞/√∞ = NaN
        Assert.True(double.IsPositiveInfinity(model.OptimizerState.T.SquareAvg));
    }
}
