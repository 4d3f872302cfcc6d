using System;
using OptimizerGen;

// One model per construct of the [Loss] subset (LossAttribute's remarks), in double precision, each using mostly that
// construct. ConstructGradientTests checks each generated gradient against central finite differences.
namespace OptimizerGen.Differentiation.Tests.Models;

/// <summary>Locals: values named once and read by later statements.</summary>
[Optimize(typeof(RmsProp))]
public partial class LocalsModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double a = W * x;
        double b = a + B;
        double c = (b * a) - y;
        double d = (c * W) + b;
        return d * c;
    }
}

/// <summary>Assignment and compound assignment (= += -= *= /=) of one local, and ++.</summary>
[Optimize(typeof(RmsProp))]
public partial class AssignmentModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double s = W;
        s = (s * x) + B;
        s += W * B;
        s -= B * x;
        s *= W + 2;
        s /= 2 + (B * B);
        double t;
        t = s - y;
        t += s * W;
        t++;
        t -= B;
        return t * t;
    }
}

/// <summary>+ − * / on parameters, inputs and subexpressions.</summary>
[Optimize(typeof(RmsProp))]
public partial class ArithmeticModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        ((W * x) + B) / (W - (B * x) + 3) - (W * B) + (x / (2 + (W * W))) - (y * B / (W + 2)) + (W - B - x);
}

/// <summary>Unary minus on parameters, locals, products and negated values.</summary>
[Optimize(typeof(RmsProp))]
public partial class UnaryMinusModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double a = -W;
        double b = -(a * x) + -B;
        return (-a * -b) - -(W * B) + -(-y * b) - (-x * -(-W));
    }
}

/// <summary>Deeply parenthesized expressions (precedence must survive the round trip to generated code).</summary>
[Optimize(typeof(RmsProp))]
public partial class ParenthesesModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        ((W + B) * (W - ((B - x) * (x + (W * B))))) - ((W - y) * ((B))) + (W / (B + 2) / (x + 3)) - (W - (B - (x - W)));
}

/// <summary>Literals: double, float, int, exponent and hex forms, and constants.</summary>
[Optimize(typeof(RmsProp))]
public partial class LiteralsModel
{
    private const double Half = 0.5;
    private const int Three = 3;

    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        (2.5 * W) + (1e-3 * B * B) - (0.5f * W * x) + (Three * W * B) + (W / 4) + (7 * (x - W) * (x - W)) + (0x2 * B) - (Half * y * W) + 1.0;
}

/// <summary>
/// float ↔ double conversions in a double loss whose differentiated values stay exact: float inputs widened implicitly
/// and explicitly, int inputs converted, float locals, and (double) casts of double values.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class WideningCastsModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(float x, double y, int n)
    {
        double a = W * x;
        double b = ((double)x * B) + (double)n;
        float half = 0.5f;
        double c = half * a * b;
        float xx = x * x;
        return c - y + (double)(W * B) + (xx * W) + (n * B);
    }
}

/// <summary>
/// A double loss whose parameters go through float and back: (float)(W·x), float locals, (double) of a float. The
/// loss is then only float-accurate, so finite differences need the float tolerances.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class NarrowingCastsModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        float f = (float)(W * x);
        float g = f * (float)B;
        double h = g + (double)(float)B;
        return (h * h) - (y * f);
    }
}

/// <summary>The same computation as <see cref="NarrowingCastsModel"/> without the float round trips.</summary>
[Optimize(typeof(RmsProp))]
public partial class NarrowingCastsTwin
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double f = W * x;
        double g = f * B;
        double h = g + B;
        return (h * h) - (y * f);
    }
}

/// <summary>A float model (float parameters, float loss) that widens to double and narrows back inside.</summary>
[Optimize(typeof(RmsProp))]
public partial class FloatModel
{
    [Param] public float W = 0.5f;
    [Param] public float B = -0.25f;
    [Param] public float[] V = new float[3];

    [Loss]
    public float Loss(ReadOnlySpan<float> x, float y)
    {
        float z = B;
        for (int i = 0; i < x.Length; i++)
        {
            z += V[i] * x[i];
        }

        double wide = (double)z * W;
        float act = (float)Math.Tanh(wide);
        float e = act - y + MathF.Exp(-W * W) + (float)Math.Sqrt(1.0 + (B * B));
        return 0.5f * e * e;
    }
}

/// <summary><see cref="FloatModel"/> in double precision.</summary>
[Optimize(typeof(RmsProp))]
public partial class FloatModelTwin
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;
    [Param] public double[] V = new double[3];

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double z = B;
        for (int i = 0; i < x.Length; i++)
        {
            z += V[i] * x[i];
        }

        double wide = z * W;
        double act = Math.Tanh(wide);
        double e = act - y + Math.Exp(-W * W) + Math.Sqrt(1.0 + (B * B));
        return 0.5 * e * e;
    }
}

/// <summary>Math.Exp.</summary>
[Optimize(typeof(RmsProp))]
public partial class ExpModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double e = Math.Exp((W * x) + B);
        return (e * y) + Math.Exp(-W * W) - Math.Exp(Math.Exp(B) * x);
    }
}

/// <summary>Math.Log (arguments kept positive).</summary>
[Optimize(typeof(RmsProp))]
public partial class LogModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        (Math.Log((W * W) + (B * x) + 2) * y) + Math.Log(Math.Exp(B) + 1) - Math.Log(3 + (W * x));
}

/// <summary>Math.Sqrt (arguments kept positive).</summary>
[Optimize(typeof(RmsProp))]
public partial class SqrtModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double r = Math.Sqrt((W * W) + (B * B * x * x) + 0.5);
        return (r * r * r) - (y * Math.Sqrt(2 + B)) + Math.Sqrt(r);
    }
}

/// <summary>Math.Pow with base and exponent both parameters (A is drawn from [0.5, 2]).</summary>
[Optimize(typeof(RmsProp))]
public partial class PowParametersModel
{
    [Param] public double A = 1.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        (Math.Pow(A, B) * x) + Math.Pow((A * x * x) + 1, B) - (y * Math.Pow(A + B + 2, A * B));
}

/// <summary>Math.Pow with constant exponents (integer, fractional, negative) and a constant base.</summary>
[Optimize(typeof(RmsProp))]
public partial class PowConstantExponentModel
{
    [Param] public double A = 1.5;
    [Param] public double W = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        Math.Pow((W * x) + 3, 3) + Math.Pow(A, 0.5) + Math.Pow(A, -2.0) + Math.Pow(W, 2) - (y * Math.Pow(2.0, W)) + Math.Pow(W, 3);
}

/// <summary>Math.Tanh.</summary>
[Optimize(typeof(RmsProp))]
public partial class TanhModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double e = Math.Tanh((W * x) + B) - y;
        return (e * e) + Math.Tanh(W * B);
    }
}

/// <summary>Math.Sin.</summary>
[Optimize(typeof(RmsProp))]
public partial class SinModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) => (Math.Sin((W * x) + B) * Math.Sin(W)) - (y * Math.Sin(B * B));
}

/// <summary>Math.Cos.</summary>
[Optimize(typeof(RmsProp))]
public partial class CosModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) => (Math.Cos(W * x) * B) + Math.Cos(B * B) - (y * Math.Cos(W + B));
}

/// <summary>Math.Abs (away from 0).</summary>
[Optimize(typeof(RmsProp))]
public partial class AbsModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) => Math.Abs((W * x) - B) + (Math.Abs(W) * B) - Math.Abs(y - B) + Math.Abs(-W * W * x);
}

/// <summary>Math.Max (away from ties).</summary>
[Optimize(typeof(RmsProp))]
public partial class MaxModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) => Math.Max(W * x, B) + (Math.Max(W, 0.1) * B) + Math.Max(y, W) + Math.Max(W * B, B - W);
}

/// <summary>Math.Min (away from ties).</summary>
[Optimize(typeof(RmsProp))]
public partial class MinModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) => Math.Min(W * x, B) + (Math.Min(W, 0.1) * B) + Math.Min(y, W) + Math.Min(W * B, B - W);
}

/// <summary>Activation.Sigmoid.</summary>
[Optimize(typeof(RmsProp))]
public partial class SigmoidModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double f = Activation.Sigmoid((W * x) + B);
        return (0.5 * (f - y) * (f - y)) + Activation.Sigmoid(W * B);
    }
}

/// <summary>Activation.Softplus: logistic regression's loss softplus(z) − y·z.</summary>
[Optimize(typeof(RmsProp))]
public partial class SoftplusModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double z = (W * x * 3) + B;
        return Activation.Softplus(z) - (y * z) + Activation.Softplus(-W * B);
    }
}

/// <summary>Activation.Relu (away from 0).</summary>
[Optimize(typeof(RmsProp))]
public partial class ReluModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y) =>
        (Activation.Relu((W * x) + B) * Activation.Relu(B - (W * x) + 0.5)) + Activation.Relu(W - y) + Activation.Relu(B * x);
}

/// <summary>Conditional expressions on undifferentiated conditions: a leaky ReLU and a branch on the parameters.</summary>
[Optimize(typeof(RmsProp))]
public partial class ConditionalModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double z = (W * x) + B;
        double r = z > 0 ? z : 0.1 * z;
        double e = r - y;
        double pick = W > B ? W * x : B * B;
        return (0.5 * e * e) + pick + (x >= 0 && y < 0.5 ? W * W * B : -B);
    }
}

/// <summary>if/else on an undifferentiated condition: the Huber loss, plus an if without else.</summary>
[Optimize(typeof(RmsProp))]
public partial class HuberModel
{
    public const double Delta = 0.5;

    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double e = (W * x) + B - y;
        double loss;
        if (Math.Abs(e) <= Delta)
        {
            loss = 0.5 * e * e;
        }
        else
        {
            loss = Delta * (Math.Abs(e) - (0.5 * Delta));
        }

        if (W < 0)
        {
            loss += W * W;
        }

        return loss;
    }
}

/// <summary>A for loop over an input span's length: a dot product.</summary>
[Optimize(typeof(RmsProp))]
public partial class DotProductModel
{
    [Param] public double[] W = new double[5];
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

/// <summary>
/// A matrix–vector product with a [Param(rows, cols)] matrix indexed M[r * Cols + c]: nested loops with constant
/// bounds (one inclusive), and one over the input's length.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class MatrixVectorModel
{
    public const int Rows = 3;
    public const int Cols = 4;

    [Param(Rows, Cols)] public double[] M = new double[Rows * Cols];
    [Param] public double[] C = new double[Rows];

    [Loss]
    public double Loss(ReadOnlySpan<double> x, ReadOnlySpan<double> t)
    {
        double s = 0;
        for (int r = 0; r <= Rows - 1; r++)
        {
            double h = C[r];
            for (int c = 0; c < x.Length; c++)
            {
                h += M[(r * Cols) + c] * x[c];
            }

            double e = h - t[r];
            s += e * e;
        }

        return s;
    }
}

/// <summary>Nested loops whose inner start is the outer counter (the quadratic form Σ_{i≤j} x_i Q_ij x_j), a [Param] array's Length as a bound, and an int local.</summary>
[Optimize(typeof(RmsProp))]
public partial class TriangularLoopsModel
{
    public const int N = 4;

    [Param(N, N)] public double[] Q = new double[N * N];
    [Param] public double[] D = new double[N];

    [Loss]
    public double Loss(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < N; i++)
        {
            for (int j = i; j < N; j++)
            {
                s += x[i] * Q[(i * N) + j] * x[j];
            }
        }

        int last = x.Length - 1;
        for (int k = 1; k < D.Length; k++)
        {
            double step = D[k] - D[k - 1];
            s += k * step * step;
        }

        return s + (D[0] * x[last]);
    }
}

/// <summary>An int class label input: softmax cross-entropy of a linear classifier.</summary>
[Optimize(typeof(RmsProp))]
public partial class SoftmaxModel
{
    public const int Classes = 3;
    public const int Features = 4;

    [Param(Classes, Features)] public double[] W = new double[Classes * Features];
    [Param] public double[] B = new double[Classes];

    [Loss]
    public double Loss(ReadOnlySpan<double> x, int label)
    {
        double sumExp = 0;
        double target = 0;
        for (int k = 0; k < Classes; k++)
        {
            double z = B[k];
            for (int j = 0; j < Features; j++)
            {
                z += W[(k * Features) + j] * x[j];
            }

            sumExp += Math.Exp(z);
            target += k == label ? z : 0;
        }

        return Math.Log(sumExp) - target;
    }
}

/// <summary>The same loss reading the label's row directly by index, B[label] and W[label * Features + j].</summary>
[Optimize(typeof(RmsProp))]
public partial class LabelIndexModel
{
    public const int Classes = 3;
    public const int Features = 4;

    [Param(Classes, Features)] public double[] W = new double[Classes * Features];
    [Param] public double[] B = new double[Classes];

    [Loss]
    public double Loss(ReadOnlySpan<double> x, int label)
    {
        double sumExp = 0;
        for (int k = 0; k < Classes; k++)
        {
            double z = B[k];
            for (int j = 0; j < Features; j++)
            {
                z += W[(k * Features) + j] * x[j];
            }

            sumExp += Math.Exp(z);
        }

        double zy = B[label];
        for (int j = 0; j < Features; j++)
        {
            zy += W[(label * Features) + j] * x[j];
        }

        return Math.Log(sumExp) - zy;
    }
}

/// <summary>
/// A 2-layer tanh MLP: locals reassigned in a loop (the pre-activation and hidden activation of each unit) whose values
/// the backward pass needs.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class MlpModel
{
    public const int Inputs = 3;
    public const int Hidden = 4;

    [Param(Hidden, Inputs)] public double[] W1 = new double[Hidden * Inputs];
    [Param] public double[] B1 = new double[Hidden];
    [Param] public double[] W2 = new double[Hidden];
    [Param] public double B2 = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double output = B2;
        for (int j = 0; j < Hidden; j++)
        {
            double a = B1[j];
            for (int i = 0; i < x.Length; i++)
            {
                a += W1[(j * Inputs) + i] * x[i];
            }

            double h = Math.Tanh(a);
            output += W2[j] * h;
        }

        double e = output - y;
        return 0.5 * e * e;
    }
}

/// <summary>[Differentiable] helpers, one calling another, with a compound argument read twice by the helper.</summary>
[Optimize(typeof(RmsProp))]
public partial class HelperModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Differentiable]
    public static double Square(double v) => v * v;

    [Differentiable]
    public double Predict(double x) => Activation.Sigmoid((W * x) + B);

    [Differentiable]
    public double Blend(double a, double b)
    {
        return (a * W) + (b * (1 - W)) + Square(a - b);
    }

    [Loss]
    public double Loss(double x, double y) => Square(Predict(x) - y) + Blend(W * x, B - y);
}

/// <summary>One local reassigned several times (x = x·x; x = x + 1 …): each old value is needed backwards.</summary>
[Optimize(typeof(RmsProp))]
public partial class ReassignedLocalModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double t = W * x;
        t = t * t;
        t = t + B;
        t = Math.Sin(t) * t;
        t = t * W;
        t = (t - y) * (t + B);
        t = Math.Exp(t * 0.1) + t;
        return t;
    }
}

/// <summary>An if/else inside a loop: the branch taken differs per element.</summary>
[Optimize(typeof(RmsProp))]
public partial class IfInLoopModel
{
    [Param] public double[] W = new double[6];
    [Param] public double B = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double s = B;
        for (int i = 0; i < x.Length; i++)
        {
            double term = W[i] * x[i];
            if (x[i] > 0)
            {
                s += term * term;
            }
            else
            {
                s -= 0.5 * W[i] * B;
            }

            if (term > 0.2)
            {
                s *= 1 + (0.1 * term);
            }
        }

        return s - y;
    }
}

/// <summary>
/// An else-if chain (a three-piece loss): the inner if is nested in the outer one's else branch, so the branch taken
/// by the outer if must be recovered under the inner one's.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class ElseIfChainModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double e = (W * x) + B - y;
        double loss;
        if (e < -0.5)
        {
            loss = -e * W;
        }
        else if (e > 0.5)
        {
            loss = e * B;
        }
        else
        {
            loss = e * e;
        }

        return loss;
    }
}

/// <summary>An if nested in an if, inside a loop.</summary>
[Optimize(typeof(RmsProp))]
public partial class NestedIfInLoopModel
{
    [Param] public double[] W = new double[4];
    [Param] public double B = 0;

    [Loss]
    public double Loss(ReadOnlySpan<double> x, double y)
    {
        double s = B;
        for (int i = 0; i < x.Length; i++)
        {
            double term = W[i] * x[i];
            if (term > 0)
            {
                if (x[i] > 0)
                {
                    s += term * term;
                }
                else
                {
                    s += term * B;
                }
            }
            else
            {
                s -= term * W[i];
            }
        }

        return s - y;
    }
}

/// <summary>
/// Mixed precision and the smaller corners of the subset: float parameters in a double loss, a Span input, an int input
/// as a loop bound, i += 1, var, several declarators, a local declared without initializer, ++, unary +, !, ||, nested
/// ?:, Math.PI, non-parameter instance and static fields, and [Differentiable] helpers taking an int and an input element.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class MixedPrecisionModel
{
    public static readonly double Offset = 0.25;

    [Param] public float F = 0.5f;
    [Param] public double D = -0.25;
    [Param] public float[] FA = new float[2];

    public double Scale = 1.5;

    [Loss]
    public double Loss(Span<double> x, int n)
    {
        var s = F * x[0];
        double a = D, b = FA[0] * D;
        for (int i = 0; i < n; i += 1)
        {
            double t;
            t = (FA[i] * x[i]) + +D;
            s += t > 0 || !(a < 0) ? t * a : (i == 0 ? t : 2) * b;
            s++;
            s += Scaled(x[i], i);
        }

        return (s * Math.PI) + (Scale * D) + (Offset * F) + Row(1);
    }

    [Differentiable]
    private double Row(int r) => (double)FA[r] * FA[r] * D;

    [Differentiable]
    private double Scaled(double v, int r) => v * FA[r] * F;
}

/// <summary>
/// A float loss of double parameters (Sum reduction, vector inputs only), with locals named like the generator's own
/// temporaries (seed, grad, count, k, scale, total, branches, floats, doubles, g0, v0), float and double locals both
/// reassigned in the loop (so both tapes are used).
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class FloatLossDoubleParamsModel
{
    [Param] public double W = 0.5;
    [Param] public double[] V = new double[2];

    [Loss(Reduction = LossReduction.Sum)]
    public float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> t)
    {
        float seed = 0.1f, grad = 1f, count = 2f, k = 0.5f, scale = 3f, total = 0f, branches = 1f, floats = 2f, g0 = 1f, v0 = 1f;
        double doubles = W;
        for (int i = 0; i < x.Length; i++)
        {
            doubles = (doubles * doubles * 0.5) + V[i];
            float e = (float)((W * x[i]) + V[i] + (0.1 * doubles)) - t[i];
            if (e > 0)
            {
                total += e * e * k;
            }
            else
            {
                total -= e * count * grad;
            }
        }

        return (total * scale) + seed + branches + floats + g0 + v0;
    }
}

/// <summary>Math.Pow with an input base and a parameter exponent: ∂(x^P)/∂P = x^P·ln x, which is 0 at x = 0 (P &gt; 0).</summary>
[Optimize(typeof(RmsProp))]
public partial class PowInputBaseModel
{
    [Param] public double P = 1.5;
    [Param] public double W = 0.5;

    [Loss]
    public double Loss(double x) => (W * Math.Pow(x, P)) + (W * W);
}

/// <summary>
/// Products with a repeated factor, which the reverse pass differentiates as a whole (∂/∂f of c·fᵏ·r = k·c·fᵏ⁻¹·r):
/// a square with a constant, a cube with a constant between its factors, a repeated call, an array element squared,
/// a repeated factor the gradient does not reach, and two repeated factors in one product.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class RepeatedFactorsModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;
    [Param] public double[] V = [0.3, -0.7, 1.1];

    [Loss]
    public double Loss(double x, double y)
    {
        double e = (W * x) + B - y;
        double square = 0.5 * e * e;
        double cube = (W - x) * 3.0 * (W - x) * (W - x);
        double exps = Math.Exp(B) * x * Math.Exp(B);
        double norm = 0;
        for (int i = 0; i < 3; i++)
        {
            norm += V[i] * V[i] * 0.25;
        }

        double inactive = x * x * W;
        return square + cube + exps + norm + inactive + (e * W * e * W * B);
    }
}

/// <summary>
/// Adjoints that get several contributions: across a branch (an if, a conditional expression) taken one way or the other, across loop iterations, and
/// from a local assigned again in every iteration. The reverse pass writes a first contribution with = only where the
/// adjoint is known to be 0 on every way there; a wrong "known 0" drops a contribution and fails the check.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class AdjointFlowModel
{
    [Param] public double W = 0.5;
    [Param] public double B = -0.25;

    [Loss]
    public double Loss(double x, double y)
    {
        double a = W * 1.5;   // read by c and in one branch: its adjoint's first term comes from the branch, if taken
        double k = W * 0.5;   // read only in the loop: its adjoint gets a term per iteration
        double c = a * 5.0;
        double r = 0;
        if (x > 0)
        {
            r = a * 2.0;
        }
        else
        {
            r = y;
        }

        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            s += (k * x) + (B * B);
        }

        double t = B;
        for (int i = 0; i < 2; i++)
        {
            double u = t * W;
            t = u + x;
        }

        double h = B * 0.75;   // the same through a conditional expression
        double hh = h * 3.0;
        double q = x > 0 ? h * h : y;
        return (r * c) + (s * s) + (t * W) + q + hh;
    }
}

/// <summary>
/// Squares whose constant is at the edge of the type's range: 2 · float.MaxValue (or 2 · 1e308) is not a number of the
/// type, so the reverse pass must not fold the multiplicity into the constant.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class ExtremeConstantSquares
{
    [Param] public float F = 1e-20f;
    [Param] public double D = 1e-200;

    [Loss]
    public double Loss(float x, double y) => (float.MaxValue * F * F * x) + (1e308 * D * D * y);
}
