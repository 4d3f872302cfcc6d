using System;
using OptimizerGen;

// Models trained with the generated Step (seed neuron, reductions, allocations, argument validation) and the closed
// forms whose gradients are derived by hand in ClosedFormGradientTests.
namespace OptimizerGen.Differentiation.Tests.Models;

/// <summary>The seed article's neuron: f = σ(w·x + b), loss ½(f − y)² summed over the data, float32.</summary>
[Optimize(typeof(RmsProp))]
public partial class SeedNeuron
{
    [Param] public float W = -2f;
    [Param] public float B = -2f;

    [Loss(Reduction = LossReduction.Sum)]
    public float Loss(float x, float y)
    {
        float f = 1f / (1f + MathF.Exp(-((W * x) + B)));
        return 0.5f * (f - y) * (f - y);
    }
}

/// <summary>The seed neuron in float64 (for hand-derived gradients).</summary>
[Optimize(typeof(RmsProp))]
public partial class SeedNeuron64
{
    [Param] public double W = -2;
    [Param] public double B = -2;

    [Loss(Reduction = LossReduction.Sum)]
    public double Loss(double x, double y)
    {
        double f = 1 / (1 + Math.Exp(-((W * x) + B)));
        return 0.5 * (f - y) * (f - y);
    }
}

/// <summary>Linear regression over a feature vector, float32: ½(w·x + b − y)².</summary>
[Optimize(typeof(RmsProp))]
public partial class LinearFeatures
{
    public const int Features = 6;

    [Param] public float[] W = new float[Features];
    [Param] public float B = 0f;

    [Loss]
    public float Loss(ReadOnlySpan<float> features, float y)
    {
        float s = B;
        for (int i = 0; i < features.Length; i++)
        {
            s += W[i] * features[i];
        }

        float e = s - y;
        return 0.5f * e * e;
    }
}

/// <summary>Softmax regression, float32: cross-entropy of softmax(W·x + b) against an int label.</summary>
[Optimize(typeof(RmsProp))]
public partial class SoftmaxRegression
{
    public const int Classes = 4;
    public const int Features = 5;

    [Param(Classes, Features)] public float[] W = new float[Classes * Features];
    [Param] public float[] B = new float[Classes];

    [Loss]
    public float Loss(ReadOnlySpan<float> x, int label)
    {
        float sumExp = 0f;
        float target = 0f;
        for (int k = 0; k < Classes; k++)
        {
            float z = B[k];
            for (int j = 0; j < Features; j++)
            {
                z += W[(k * Features) + j] * x[j];
            }

            sumExp += MathF.Exp(z);
            target += k == label ? z : 0f;
        }

        return MathF.Log(sumExp) - target;
    }
}

/// <summary>A 2-layer tanh MLP, float32, with only vector inputs (Step takes a leading batch size).</summary>
[Optimize(typeof(RmsProp))]
public partial class TanhMlp
{
    public const int Inputs = 8;
    public const int Hidden = 16;

    [Param(Hidden, Inputs)] public float[] W1 = new float[Hidden * Inputs];
    [Param] public float[] B1 = new float[Hidden];
    [Param] public float[] W2 = new float[Hidden];
    [Param] public float B2 = 0f;

    [Loss]
    public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> target)
    {
        float output = B2;
        for (int j = 0; j < Hidden; j++)
        {
            float a = B1[j];
            for (int i = 0; i < Inputs; i++)
            {
                a += W1[(j * Inputs) + i] * x[i];
            }

            float h = MathF.Tanh(a);
            output += W2[j] * h;
        }

        float e = output - target[0];
        return 0.5f * e * e;
    }
}

/// <summary>Linear regression in float64, default (Mean) reduction.</summary>
[Optimize(typeof(RmsProp))]
public partial class LinearMean
{
    [Param] public double[] W = new double[3];
    [Param] public double B = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double s = B;
        for (int i = 0; i < x.Length; i++)
        {
            s += W[i] * x[i];
        }

        double e = s - y;
        return 0.5 * e * e;
    }
}

/// <summary><see cref="LinearMean"/> with Sum reduction.</summary>
[Optimize(typeof(RmsProp))]
public partial class LinearSum
{
    [Param] public double[] W = new double[3];
    [Param] public double B = 0;

    [Loss(Reduction = LossReduction.Sum)]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double s = B;
        for (int i = 0; i < x.Length; i++)
        {
            s += W[i] * x[i];
        }

        double e = s - y;
        return 0.5 * e * e;
    }
}

/// <summary>Closed form: logistic regression's loss softplus(z) − y·z, z = w·x + b; ∂z = σ(z) − y.</summary>
[Optimize(typeof(RmsProp))]
public partial class LogisticRegression
{
    [Param] public double[] W = new double[3];
    [Param] public double B = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double z = B;
        for (int i = 0; i < x.Length; i++)
        {
            z += W[i] * x[i];
        }

        return Activation.Softplus(z) - (y * z);
    }
}

/// <summary>Closed form: Huber loss of a linear model; ∂e = clamp(e, −δ, δ).</summary>
[Optimize(typeof(RmsProp))]
public partial class HuberRegression
{
    public const double Delta = 1.0;

    [Param] public double[] W = new double[3];
    [Param] public double B = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double e = B - y;
        for (int i = 0; i < x.Length; i++)
        {
            e += W[i] * x[i];
        }

        double a = Math.Abs(e);
        return a <= Delta ? 0.5 * e * e : Delta * (a - (0.5 * Delta));
    }
}
