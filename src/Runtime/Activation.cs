using System;

namespace OptimizerGen;

/// <summary>Activation functions a <see cref="LossAttribute"/> method may call; OptimizerGen knows their derivatives.</summary>
public static class Activation
{
    /// <summary>σ(x) = 1 / (1 + e^−x); σ′ = σ·(1 − σ).</summary>
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>σ(x) = 1 / (1 + e^−x); σ′ = σ·(1 − σ).</summary>
    public static double Sigmoid(double x) => 1d / (1d + Math.Exp(-x));

    /// <summary>softplus(x) = log(1 + e^x), computed without overflow; softplus′ = σ.</summary>
    public static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    /// <summary>softplus(x) = log(1 + e^x), computed without overflow; softplus′ = σ.</summary>
    public static double Softplus(double x) => Math.Max(x, 0d) + Math.Log(1d + Math.Exp(-Math.Abs(x)));

    /// <summary>relu(x) = max(x, 0); relu′ = 1 for x &gt; 0, else 0.</summary>
    public static float Relu(float x) => x > 0f ? x : 0f;

    /// <summary>relu(x) = max(x, 0); relu′ = 1 for x &gt; 0, else 0.</summary>
    public static double Relu(double x) => x > 0d ? x : 0d;
}
