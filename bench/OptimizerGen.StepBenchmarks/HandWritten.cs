using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// The seed neuron's step written by hand: the same formulas and roundings as the generated code (so the results are
/// the same bits), with e^−z computed once per sample, the gradient summed in locals, then the RMSprop update with ε
/// inside the root: <c>v ← ρ·v + (1−ρ)·g² ;  p ← p − lr·g / √(v + ε)</c>.
/// </summary>
public sealed class HandWrittenNeuron
{
    public float W = -2f;
    public float B = -2f;
    public float SquareAvgW;
    public float SquareAvgB;

    // The hyperparameters as fields, as a hand-written optimizer keeps them (constants would be folded).
    public float LearningRate = 0.1f;
    public float Decay = 0.9f;
    public float OneMinusDecay = (float)(1 - 0.9);   // computed in double, then rounded (as the generated code does)
    public float Epsilon = 1e-9f;

    /// <summary>Back to the start: w = b = −2, no RMSprop state.</summary>
    public void Reset()
    {
        W = -2f;
        B = -2f;
        SquareAvgW = 0f;
        SquareAvgB = 0f;
    }

    /// <summary>One step over the batch; returns the summed loss.</summary>
    public float Step(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys)
    {
        if (xs.Length == 0 || ys.Length != xs.Length)
        {
            throw new ArgumentException("xs and ys must have the same, non-zero length.");
        }

        float w = W, b = B;
        float dW = 0f, dB = 0f, total = 0f;
        for (int k = 0; k < xs.Length; k++)
        {
            float x = xs[k];
            float e = MathF.Exp(-(w * x + b));
            float d = 1f + e;
            float f = 1f / d;
            float r = f - ys[k];
            total += 0.5f * r * r;

            // ∂loss/∂z = (f − y)·f·e/(1 + e), in the generated reverse pass's order of roundings
            float g = -(-r * f / d * e);
            dW += g * x;
            dB += g;
        }

        SquareAvgW = float.FusedMultiplyAdd(OneMinusDecay * dW, dW, Decay * SquareAvgW);
        W = w + -LearningRate * dW / MathF.Sqrt(SquareAvgW + Epsilon);
        SquareAvgB = float.FusedMultiplyAdd(OneMinusDecay * dB, dB, Decay * SquareAvgB);
        B = b + -LearningRate * dB / MathF.Sqrt(SquareAvgB + Epsilon);
        return total;
    }
}

/// <summary>
/// Linear regression's step written by hand as one fused loop over the samples (dot product, error, gradient
/// accumulated into a 16-float array and a scalar), then the RMSprop update (PyTorch's form, ε outside the root:
/// <c>v ← α·v + (1−α)·g² ;  p ← p − lr·g / (√v + ε)</c>). Plain safe scalar C#, the same formulas and roundings as the
/// generated code (so the results are the same bits).
/// </summary>
public sealed class HandWrittenLinearRegression
{
    public const int Features = LinearRegression.Features;

    public readonly float[] W = new float[Features];
    public float B;
    public readonly float[] SquareAvgW = new float[Features];
    public float SquareAvgB;
    private readonly float[] _gradW = new float[Features];

    /// <summary>The gradient array (for the benchmark's placement report only).</summary>
    public float[] GradientForPlacement => _gradW;

    public float LearningRate = 0.01f;
    public float Decay = 0.99f;
    public float OneMinusDecay = (float)(1 - 0.99);
    public float Epsilon = 1e-8f;

    /// <summary>One step over the batch (<paramref name="x"/>: the samples' 16 features, row-major); returns the mean loss.</summary>
    public float Step(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = y.Length;
        if (n == 0 || x.Length != n * Features)
        {
            throw new ArgumentException("x must hold 16 features for each of the (at least one) targets in y.");
        }

        float[] w = W;
        float[] gw = _gradW;
        float b = B;
        float scale = 1f / n;
        float gb = 0f, total = 0f;
        for (int k = 0; k < n; k++)
        {
            ReadOnlySpan<float> xk = x.Slice(k * Features, Features);
            float p = b;
            for (int i = 0; i < xk.Length; i++)
            {
                p += w[i] * xk[i];
            }

            float e = p - y[k];
            total += 0.5f * e * e;
            float g = scale * e;
            for (int i = 0; i < xk.Length; i++)
            {
                gw[i] += g * xk[i];
            }

            gb += g;
        }

        for (int i = 0; i < w.Length; i++)
        {
            float gi = gw[i];
            gw[i] = 0f;
            float v = float.FusedMultiplyAdd(OneMinusDecay * gi, gi, Decay * SquareAvgW[i]);
            SquareAvgW[i] = v;
            w[i] += -LearningRate * gi / (MathF.Sqrt(v) + Epsilon);
        }

        SquareAvgB = float.FusedMultiplyAdd(OneMinusDecay * gb, gb, Decay * SquareAvgB);
        B = b + -LearningRate * gb / (MathF.Sqrt(SquareAvgB) + Epsilon);
        return total / n;
    }

    /// <summary>
    /// Not the same bits: the same step with one Vector512 per sample (16 features = 16 floats), a horizontal sum for
    /// the dot product and the gradient accumulated in a register. Shows what vectorizing the loss's loops would give.
    /// </summary>
    public float StepVector512(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = y.Length;
        if (n == 0 || x.Length != n * Features || Vector512<float>.Count != Features)
        {
            throw new ArgumentException("x must hold 16 features for each of the (at least one) targets in y.");
        }

        ref float x0 = ref MemoryMarshal.GetReference(x);
        Vector512<float> w = Vector512.Create(W);
        Vector512<float> gw = Vector512<float>.Zero;
        float b = B;
        float scale = 1f / n;
        float gb = 0f, total = 0f;
        for (int k = 0; k < n; k++)
        {
            Vector512<float> xk = Vector512.LoadUnsafe(ref x0, (nuint)k * Features);
            float e = b + Vector512.Sum(w * xk) - y[k];
            total += 0.5f * e * e;
            float g = scale * e;
            gw = Vector512.FusedMultiplyAdd(Vector512.Create(g), xk, gw);
            gb += g;
        }

        Vector512<float> v = Vector512.FusedMultiplyAdd(Vector512.Create(OneMinusDecay) * gw, gw, Vector512.Create(Decay) * Vector512.Create(SquareAvgW));
        v.CopyTo(SquareAvgW);
        (w + Vector512.Create(-LearningRate) * gw / (Vector512.Sqrt(v) + Vector512.Create(Epsilon))).CopyTo(W);
        SquareAvgB = float.FusedMultiplyAdd(OneMinusDecay * gb, gb, Decay * SquareAvgB);
        B = b + -LearningRate * gb / (MathF.Sqrt(SquareAvgB) + Epsilon);
        return total / n;
    }
}
