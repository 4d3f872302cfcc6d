using System;
using System.Linq;
using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// Generated gradients against gradients derived by hand for losses with a closed form (double precision, 1e-12).
/// Each test draws several random points from a fixed seed.
/// </summary>
public sealed class ClosedFormGradientTests
{
    private const double Tolerance = 1e-12;
    private const int Points = 5;

    [Fact]
    public void A_square_with_a_constant_near_the_types_largest_keeps_a_finite_gradient()
    {
        // ∂/∂F (c·F·F·x) = 2·c·F·x and ∂/∂D (c·D·D·y) = 2·c·D·y: about 6.8e8 and 2e8 here, while 2·c alone overflows.
        var m = new ExtremeConstantSquares();
        m.AccumulateGradients(1e-10f, 1e-100);
        double expectedF = 2.0 * float.MaxValue * 1e-20f * 1e-10f, expectedD = 2.0 * 1e308 * 1e-200 * 1e-100;
        Assert.True(Math.Abs(m.Grad.F - expectedF) <= 1e-6 * expectedF, $"∂F = {m.Grad.F:R}, expected ≈ {expectedF:R}");
        Assert.True(Math.Abs(m.Grad.D - expectedD) <= 1e-12 * expectedD, $"∂D = {m.Grad.D:R}, expected ≈ {expectedD:R}");
    }

    [Fact]
    public void Linear_regression_squared_error()
    {
        // loss = ½(w·x + b − y)²  →  ∂w = r·x,  ∂b = r,  r = w·x + b − y
        var random = new Random(1);
        for (int point = 0; point < Points; point++)
        {
            var m = new LinearMean { W = random.Uniform(3, -1, 1), B = random.Uniform(-1, 1) };
            double[] x = random.Uniform(3, -2, 2);
            double y = random.Uniform(-2, 2);
            double r = Dot(m.W, x) + m.B - y;

            double loss = m.AccumulateGradients(x, y);

            Close(0.5 * r * r, loss, "loss");
            for (int i = 0; i < 3; i++)
            {
                Close(r * x[i], m.Grad.W[i], $"∂W[{i}]");
            }

            Close(r, m.Grad.B, "∂B");
        }
    }

    [Fact]
    public void Softmax_cross_entropy_gradient_is_softmax_minus_one_hot()
    {
        // loss = log Σ_k e^{z_k} − z_label,  z = W·x + b  →  ∂z_k = p_k − [k = label],  ∂W_kj = ∂z_k·x_j,  ∂b_k = ∂z_k
        const int K = SoftmaxModel.Classes, F = SoftmaxModel.Features;
        var random = new Random(2);
        for (int point = 0; point < 2 * Points; point++)
        {
            var m = new SoftmaxModel { W = random.Uniform(K * F, -1, 1), B = random.Uniform(K, -1, 1) };
            double[] x = random.Uniform(F, -2, 2);
            int label = point % K;
            double[] z = Enumerable.Range(0, K).Select(k => m.B[k] + Dot(m.W.AsSpan(k * F, F), x)).ToArray();
            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            double[] p = z.Select(v => Math.Exp(v - max) / sum).ToArray();

            double loss = m.AccumulateGradients(x, label);

            Close(-Math.Log(p[label]), loss, "loss");
            for (int k = 0; k < K; k++)
            {
                double dz = p[k] - (k == label ? 1 : 0);
                Close(dz, m.Grad.B[k], $"∂B[{k}] (label {label})");
                for (int j = 0; j < F; j++)
                {
                    Close(dz * x[j], m.Grad.W[(k * F) + j], $"∂W[{k},{j}] (label {label})");
                }
            }
        }
    }

    [Fact]
    public void Seed_neuron_sigmoid_squared_error()
    {
        // f = σ(w·x + b), loss = ½(f − y)²  →  ∂w = (f − y)·f·(1 − f)·x,  ∂b = (f − y)·f·(1 − f)
        var random = new Random(3);
        for (int point = 0; point < Points; point++)
        {
            var m = new SeedNeuron64 { W = random.Uniform(-3, 3), B = random.Uniform(-3, 3) };
            double x = random.Uniform(-3, 3), y = random.Uniform(0, 1);
            double f = 1 / (1 + Math.Exp(-((m.W * x) + m.B)));
            double dz = (f - y) * f * (1 - f);

            double loss = m.AccumulateGradients(x, y);

            Close(0.5 * (f - y) * (f - y), loss, "loss");
            Close(dz * x, m.Grad.W, "∂W");
            Close(dz, m.Grad.B, "∂B");
        }
    }

    [Fact]
    public void Logistic_regression_softplus_gradient_is_sigmoid_minus_label()
    {
        // loss = softplus(z) − y·z  →  ∂z = σ(z) − y
        var random = new Random(4);
        for (int point = 0; point < Points; point++)
        {
            var m = new LogisticRegression { W = random.Uniform(3, -2, 2), B = random.Uniform(-2, 2) };
            double[] x = random.Uniform(3, -2, 2);
            double y = point % 2;
            double z = Dot(m.W, x) + m.B;
            double dz = (1 / (1 + Math.Exp(-z))) - y;

            double loss = m.AccumulateGradients(x, y);

            Close(Math.Log(1 + Math.Exp(z)) - (y * z), loss, "loss");
            for (int i = 0; i < 3; i++)
            {
                Close(dz * x[i], m.Grad.W[i], $"∂W[{i}]");
            }

            Close(dz, m.Grad.B, "∂B");
        }
    }

    [Fact]
    public void Huber_gradient_is_the_clipped_error()
    {
        // loss = ½e² (|e| ≤ δ) or δ(|e| − ½δ)  →  ∂e = clamp(e, −δ, δ)
        var random = new Random(5);
        int clipped = 0;
        for (int point = 0; point < 3 * Points; point++)
        {
            var m = new HuberRegression { W = random.Uniform(3, -1, 1), B = random.Uniform(-1, 1) };
            double[] x = random.Uniform(3, -2, 2);
            double y = random.Uniform(-3, 3);
            double e = Dot(m.W, x) + m.B - y;
            double de = Math.Clamp(e, -HuberRegression.Delta, HuberRegression.Delta);
            clipped += Math.Abs(e) > HuberRegression.Delta ? 1 : 0;

            m.AccumulateGradients(x, y);

            for (int i = 0; i < 3; i++)
            {
                Close(de * x[i], m.Grad.W[i], $"∂W[{i}] (e = {e})");
            }

            Close(de, m.Grad.B, $"∂B (e = {e})");
        }

        Assert.InRange(clipped, 1, (3 * Points) - 1);
    }

    [Fact]
    public void Two_layer_tanh_mlp_backpropagation()
    {
        // a_j = b1_j + Σ_i W1_ji x_i,  h_j = tanh a_j,  o = b2 + Σ_j W2_j h_j,  loss = ½(o − y)²
        // δ = o − y:  ∂W2_j = δ·h_j,  ∂b2 = δ,  ∂a_j = δ·W2_j·(1 − h_j²),  ∂W1_ji = ∂a_j·x_i,  ∂b1_j = ∂a_j
        const int I = MlpModel.Inputs, H = MlpModel.Hidden;
        var random = new Random(6);
        for (int point = 0; point < Points; point++)
        {
            var m = new MlpModel { W1 = random.Uniform(H * I, -1, 1), B1 = random.Uniform(H, -1, 1), W2 = random.Uniform(H, -1, 1), B2 = random.Uniform(-1, 1) };
            double[] x = random.Uniform(I, -1, 1);
            double y = random.Uniform(-1, 1);
            double[] h = Enumerable.Range(0, H).Select(j => Math.Tanh(m.B1[j] + Dot(m.W1.AsSpan(j * I, I), x))).ToArray();
            double delta = m.B2 + Dot(m.W2, h) - y;

            double loss = m.AccumulateGradients(x, y);

            Close(0.5 * delta * delta, loss, "loss");
            Close(delta, m.Grad.B2, "∂B2");
            for (int j = 0; j < H; j++)
            {
                double da = delta * m.W2[j] * (1 - (h[j] * h[j]));
                Close(delta * h[j], m.Grad.W2[j], $"∂W2[{j}]");
                Close(da, m.Grad.B1[j], $"∂B1[{j}]");
                for (int i = 0; i < I; i++)
                {
                    Close(da * x[i], m.Grad.W1[(j * I) + i], $"∂W1[{j},{i}]");
                }
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static void Close(double expected, double actual, string what) =>
        GradientCheck.AssertClose(expected, actual, Tolerance, Tolerance, what);
}
