using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// Run-time misuse — a parameter or gradient array replaced by one of the wrong length, or by null — throws an
/// <see cref="InvalidOperationException"/> naming the field BEFORE anything changes: every parameter, every gradient,
/// every state buffer and StepCount stay as they were, including fields that come before the bad one. Replacing an
/// array by one of the same length keeps working.
/// </summary>
public class MisuseTests
{
    public sealed record Misuse(Action<MisuseModel> Break, params string[] Fragments);

    public static readonly IReadOnlyDictionary<string, Misuse> Cases = new Dictionary<string, Misuse>
    {
        ["A replaced by a longer array"] = new(m => m.A = new float[20], "'A'"),
        ["A replaced by a shorter array"] = new(m => m.A = new float[18], "'A'"),
        ["A and Grad.A replaced by longer arrays (state is for 19)"] = new(m => { m.A = new float[20]; m.Grad.A = new float[20]; }, "'A'"),
        ["A null"] = new(m => m.A = null!, "'A'"),
        ["Grad.A shorter"] = new(m => m.Grad.A = new float[18], "Grad.A"),
        ["Grad.A null"] = new(m => m.Grad.A = null!, "Grad.A"),
        ["M and Grad.M with 13 elements (declared 3×4)"] = new(m => { m.M = new float[13]; m.Grad.M = new float[13]; }, "'M'", "shape"),
        ["M and Grad.M with 11 elements (declared 3×4)"] = new(m => { m.M = new float[11]; m.Grad.M = new float[11]; }, "'M'", "shape"),
        ["D (last field) replaced by a shorter array"] = new(m => m.D = new double[8], "'D'"),
        ["D null"] = new(m => m.D = null!, "'D'"),
        ["Grad.D longer"] = new(m => m.Grad.D = new double[10], "Grad.D"),
        ["Grad.D null"] = new(m => m.Grad.D = null!, "Grad.D"),
        ["D and Grad.D replaced by longer arrays (state is for 9)"] = new(m => { m.D = new double[10]; m.Grad.D = new double[10]; }, "'D'"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    private static MisuseModel Trained()
    {
        var model = new MisuseModel { Optimizer = RmsProp.PyTorch with { Centered = true, Momentum = 0.9 } };
        Gradients.Train(model, 3);
        Gradients.Set(model, 100);   // gradients pending: they must survive the rejected step too
        return model;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ApplyGradients_Misuse_ThrowsNamingTheField_AndChangesNothing(string caseName)
    {
        Misuse misuse = Cases[caseName];
        MisuseModel model = Trained();
        misuse.Break(model);
        var before = ModelSnapshot.Take(model);
        var error = Assert.Throws<InvalidOperationException>(() => model.ApplyGradients());
        foreach (string fragment in misuse.Fragments)
        {
            Assert.True(error.Message.Contains(fragment, StringComparison.Ordinal), $"the message does not mention {fragment}: {error.Message}");
        }

        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(model), caseName);
    }

    [Fact]
    public void BeforeTheFirstStep_ADeclaredShapeIsStillEnforced()
    {
        var model = new MisuseModel();
        model.M = new float[13];
        model.Grad.M = new float[13];
        var before = ModelSnapshot.Take(model);
        var error = Assert.Throws<InvalidOperationException>(() => model.ApplyGradients());
        Assert.Contains("'M'", error.Message, StringComparison.Ordinal);
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(model), "first step");
    }

    [Fact]
    public void ReplacingArraysWithArraysOfTheSameLength_KeepsWorking_Exactly()
    {
        var replaced = Trained();
        var inPlace = Trained();

        float[] newA = replaced.A.Select(x => x + 0.5f).ToArray();
        float[] newM = replaced.M.Select(x => x * -2f).ToArray();
        double[] newGradD = (double[])replaced.Grad.D.Clone();
        replaced.A = newA;
        replaced.M = newM;
        replaced.Grad.D = newGradD;
        for (int i = 0; i < inPlace.A.Length; i++)
        {
            inPlace.A[i] += 0.5f;
        }

        for (int i = 0; i < inPlace.M.Length; i++)
        {
            inPlace.M[i] *= -2f;
        }

        Assert.True(replaced.ApplyGradients());
        Assert.True(inPlace.ApplyGradients());
        Gradients.Train(replaced, 3, seed: 8);
        Gradients.Train(inPlace, 3, seed: 8);
        Assert.Same(newA, replaced.A);
        Assert.Same(newGradD, replaced.Grad.D);
        Assert.Equal(7, replaced.StepCount);
        ModelSnapshot.AssertEqual(ModelSnapshot.Take(inPlace), ModelSnapshot.Take(replaced), "same-length replacement vs in-place edit");
    }

    [Fact]
    public void AnotherLength_AfterResetOptimizerState_Works()
    {
        MisuseModel model = Trained();
        model.A = Values.Ramp(25, 3);
        model.Grad.A = Values.Ramp(25, 4);
        model.ResetOptimizerState();
        Assert.True(model.ApplyGradients());
        Assert.Equal(1, model.StepCount);
        Assert.Equal(25, model.OptimizerState.A.SquareAvg!.Length);
        Assert.All(model.Grad.A, g => Assert.Equal(0f, g));
    }

    // ----- the same misuse through the generated Step of a [Loss] model -----

    public static readonly IReadOnlyDictionary<string, (Action<LinearLossModel> Break, string Fragment)> StepCases =
        new Dictionary<string, (Action<LinearLossModel>, string)>
        {
            ["V replaced by a longer array"] = (m => m.V = new float[5], "'V'"),
            ["V null"] = (m => m.V = null!, "'V'"),
            ["Grad.W null"] = (m => m.Grad.W = null!, "Grad.W"),
            ["W and Grad.W with 5 elements (declared [4])"] = (m => { m.W = new float[5]; m.Grad.W = new float[5]; }, "'W'"),
            ["V and Grad.V replaced by longer arrays (state is for 4)"] = (m => { m.V = new float[5]; m.Grad.V = new float[5]; }, "'V'"),
        };

    public static TheoryData<string> StepCaseNames() => new(StepCases.Keys);

    [Theory]
    [MemberData(nameof(StepCaseNames))]
    public void Step_Misuse_ThrowsNamingTheField_AndChangesNothing(string caseName)
    {
        var (breakIt, fragment) = StepCases[caseName];
        float[] x = [0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 0f];
        float[] y = [1f, -2f];
        var model = new LinearLossModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.9 } };
        model.Step(x, y);
        model.Step(x, y);
        Gradients.Set(model, 50);
        breakIt(model);
        var before = ModelSnapshot.Take(model);
        var error = Assert.Throws<InvalidOperationException>(() => model.Step(x, y));
        Assert.True(error.Message.Contains(fragment, StringComparison.Ordinal), $"the message does not mention {fragment}: {error.Message}");
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(model), $"Step: {caseName}");
    }
}
