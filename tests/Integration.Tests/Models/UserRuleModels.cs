using System;
using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

// Users' own update rules ([UpdateRule]) and models optimized with them, compiled by the real generator; see
// UserRules/UserRuleChecks.cs for what they are checked against.

/// <summary>
/// RMSprop as a user would write it from PyTorch's documentation (defaults lr 0.01, α 0.99, ε 1e-8 outside the root),
/// with the second moment written as one fused multiply-add, as the built-in kernel computes it.
/// </summary>
[UpdateRule]
public partial struct UserRmsProp
{
    public UserRmsProp() { }

    public double LearningRate { get; init; } = 0.01;

    public double Alpha { get; init; } = 0.99;

    public double Eps { get; init; } = 1e-8;

    void Update(ref double p, double g, [State("square_avg")] ref double v)
    {
        v = Math.FusedMultiplyAdd((1 - Alpha) * g, g, Alpha * v);
        p -= LearningRate * g / (Math.Sqrt(v) + Eps);
    }
}

/// <summary>The same RMSprop written as the textbook formula, v ← αv + (1 − α)g²: two roundings where the kernel has one.</summary>
[UpdateRule]
public partial struct TextbookRmsProp
{
    public TextbookRmsProp() { }

    public double LearningRate { get; init; } = 0.01;

    public double Alpha { get; init; } = 0.99;

    public double Eps { get; init; } = 1e-8;

    void Update(ref double p, double g, [State("square_avg")] ref double v)
    {
        v = Alpha * v + (1 - Alpha) * g * g;
        p -= LearningRate * g / (Math.Sqrt(v) + Eps);
    }
}

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2; lion-pytorch's order of
/// operations): p ← p·(1 − lr·λ) ; c = β₁·m + (1 − β₁)·g ; p ← p − lr·sign(c) ; m ← β₂·m + (1 − β₂)·g.
/// </summary>
[UpdateRule]
public partial struct Lion
{
    public Lion() { }

    public double LearningRate { get; init; } = 1e-4;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.99;

    public double WeightDecay { get; init; }

    void Update(ref double p, double g, [State("exp_avg")] ref double m)
    {
        p *= 1 - LearningRate * WeightDecay;
        double c = Beta1 * m + (1 - Beta1) * g;
        p -= LearningRate * Math.Sign(c);
        m = Beta2 * m + (1 - Beta2) * g;
    }
}

[Optimize(typeof(UserRmsProp))]
public partial class UserRmsModel
{
    [Param] public float S32;
    [Param] public double S64;
    [Param] public float[] A32 = [];
    [Param] public double[] A64 = [];
}

[Optimize(typeof(TextbookRmsProp))]
public partial class TextbookRmsModel
{
    [Param] public float S32;
    [Param] public double S64;
    [Param] public float[] A32 = [];
    [Param] public double[] A64 = [];
}

[Optimize(typeof(RmsProp))]
public partial class BuiltInRmsModel
{
    [Param] public float S32;
    [Param] public double S64;
    [Param] public float[] A32 = [];
    [Param] public double[] A64 = [];
}

[Optimize(typeof(Lion))]
public partial class LionModel
{
    [Param] public float S32;
    [Param] public double S64;
    [Param] public float[] A32 = [];
    [Param] public double[] A64 = [];
}

/// <summary>The four fields every model of UserRuleModels.cs has, for the checks in UserRules/UserRuleChecks.cs.</summary>
internal interface IFourFields
{
    GradientClipping GradientClipping { get; set; }

    bool ApplyGradients();

    /// <summary>Sets the parameters (copies of the arrays; before the first step, to choose the lengths).</summary>
    void SetParameters(float s32, double s64, float[] a32, double[] a64);

    /// <summary>Copies the gradients into Grad.</summary>
    void SetGradients(float s32, double s64, float[] a32, double[] a64);

    (float S32, double S64, float[] A32, double[] A64) Parameters { get; }

    /// <summary>The first state buffer of each field (square_avg, exp_avg).</summary>
    (float S32, double S64, float[]? A32, double[]? A64) State { get; }
}

public partial class UserRmsModel : IFourFields
{
    void IFourFields.SetParameters(float s32, double s64, float[] a32, double[] a64) => (S32, S64, A32, A64) = (s32, s64, (float[])a32.Clone(), (double[])a64.Clone());

    void IFourFields.SetGradients(float s32, double s64, float[] a32, double[] a64)
    {
        (Grad.S32, Grad.S64) = (s32, s64);
        a32.CopyTo(Grad.A32, 0);
        a64.CopyTo(Grad.A64, 0);
    }

    (float S32, double S64, float[] A32, double[] A64) IFourFields.Parameters => (S32, S64, A32, A64);

    (float S32, double S64, float[]? A32, double[]? A64) IFourFields.State =>
        (OptimizerState.S32.Buffer0, OptimizerState.S64.Buffer0, OptimizerState.A32.Buffer0, OptimizerState.A64.Buffer0);
}

public partial class TextbookRmsModel : IFourFields
{
    void IFourFields.SetParameters(float s32, double s64, float[] a32, double[] a64) => (S32, S64, A32, A64) = (s32, s64, (float[])a32.Clone(), (double[])a64.Clone());

    void IFourFields.SetGradients(float s32, double s64, float[] a32, double[] a64)
    {
        (Grad.S32, Grad.S64) = (s32, s64);
        a32.CopyTo(Grad.A32, 0);
        a64.CopyTo(Grad.A64, 0);
    }

    (float S32, double S64, float[] A32, double[] A64) IFourFields.Parameters => (S32, S64, A32, A64);

    (float S32, double S64, float[]? A32, double[]? A64) IFourFields.State =>
        (OptimizerState.S32.Buffer0, OptimizerState.S64.Buffer0, OptimizerState.A32.Buffer0, OptimizerState.A64.Buffer0);
}

public partial class BuiltInRmsModel : IFourFields
{
    void IFourFields.SetParameters(float s32, double s64, float[] a32, double[] a64) => (S32, S64, A32, A64) = (s32, s64, (float[])a32.Clone(), (double[])a64.Clone());

    void IFourFields.SetGradients(float s32, double s64, float[] a32, double[] a64)
    {
        (Grad.S32, Grad.S64) = (s32, s64);
        a32.CopyTo(Grad.A32, 0);
        a64.CopyTo(Grad.A64, 0);
    }

    (float S32, double S64, float[] A32, double[] A64) IFourFields.Parameters => (S32, S64, A32, A64);

    (float S32, double S64, float[]? A32, double[]? A64) IFourFields.State =>
        (OptimizerState.S32.SquareAvg, OptimizerState.S64.SquareAvg, OptimizerState.A32.SquareAvg, OptimizerState.A64.SquareAvg);
}

public partial class LionModel : IFourFields
{
    void IFourFields.SetParameters(float s32, double s64, float[] a32, double[] a64) => (S32, S64, A32, A64) = (s32, s64, (float[])a32.Clone(), (double[])a64.Clone());

    void IFourFields.SetGradients(float s32, double s64, float[] a32, double[] a64)
    {
        (Grad.S32, Grad.S64) = (s32, s64);
        a32.CopyTo(Grad.A32, 0);
        a64.CopyTo(Grad.A64, 0);
    }

    (float S32, double S64, float[] A32, double[] A64) IFourFields.Parameters => (S32, S64, A32, A64);

    (float S32, double S64, float[]? A32, double[]? A64) IFourFields.State =>
        (OptimizerState.S32.Buffer0, OptimizerState.S64.Buffer0, OptimizerState.A32.Buffer0, OptimizerState.A64.Buffer0);
}

/// <summary>signSGD (Bernstein et al. 2018): a rule without state.</summary>
[UpdateRule]
public partial struct SignSgd
{
    public SignSgd() { }

    public double LearningRate { get; init; } = 0.01;

    void Update(ref double p, double g) => p -= LearningRate * Math.Sign(g);
}

[Optimize(typeof(SignSgd))]
public partial class SignSgdModel
{
    [Param] public float S;
    [Param] public double[] A = [];
}

/// <summary>Adam as a user writes it, with PyTorch's bias correction: its coefficients read the step.</summary>
[UpdateRule]
public partial struct UserAdam
{
    public UserAdam() { }

    public double LearningRate { get; init; } = 1e-3;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Eps { get; init; } = 1e-8;

    void Update(ref double p, double g, [State("exp_avg")] ref double m, [State("exp_avg_sq")] ref double v, long t)
    {
        m = Math.FusedMultiplyAdd(g, 1 - Beta1, Beta1 * m);
        v = Math.FusedMultiplyAdd((1 - Beta2) * g, g, Beta2 * v);
        double denominator = Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(Beta2, t)) + Eps;
        p += -LearningRate / (1 - Math.Pow(Beta1, t)) * m / denominator;
    }
}

[Optimize(typeof(UserAdam))]
public partial class UserAdamModel
{
    [Param] public float S;
    [Param] public float[] A = new float[37];
}
