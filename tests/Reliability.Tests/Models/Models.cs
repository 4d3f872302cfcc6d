using System;
using OptimizerGen;

// Models compiled with the real generator. Array lengths are chosen so the fused kernel runs both its vector body and
// its scalar tail at every vector width (37 = 2·16 + 5 floats on Vector512, 4·8 + 5 on Vector256, …).
namespace OptimizerGen.Reliability.Tests.Models;

/// <summary>Scalar parameters only (the generated straight-line update).</summary>
[Optimize(typeof(RmsProp))]
public partial class ScalarModel : ITrainable
{
    [Param] public float W = -2f;
    [Param] public float B = 0.5f;
    [Param, ExcludeFromWeightDecay] public float C = 1.25f;
}

/// <summary>Array parameters only: an unshaped vector, a declared matrix and a field excluded from weight decay.</summary>
[Optimize(typeof(RmsProp))]
public partial class ArrayModel : ITrainable
{
    [Param] public float[] W = Values.Ramp(37, 1);
    [Param(3, 5)] public float[] M = Values.Ramp(15, 2);
    [Param, ExcludeFromWeightDecay] public float[] B = Values.Ramp(16, 3);
}

/// <summary>float and double, scalars and arrays, interleaved.</summary>
[Optimize(typeof(RmsProp))]
public partial class MixedModel : ITrainable
{
    [Param] public float S = 0.75f;
    [Param] public double T = -1.5;
    [Param] public float[] F = Values.Ramp(19, 4);
    [Param(2, 3)] public double[] D = Values.RampD(6, 5);
    [Param, ExcludeFromWeightDecay] public double[] E = Values.RampD(33, 6);
}

/// <summary>The non-finite guard's model: array lengths set at construction (1 … 4·Vector512&lt;float&gt;.Count + 1).</summary>
[Optimize(typeof(RmsProp))]
public partial class GuardModel : ITrainable
{
    [Param] public float S = 0.5f;
    [Param] public float[] A;
    [Param] public double T = -0.5;
    [Param] public double[] D;

    public GuardModel(int length)
    {
        A = Values.Ramp(length, 7);
        D = Values.RampD(length, 8);
    }
}

/// <summary>Centered RMSprop with and without the variance clamp, scalar and array (the kernel's clamped variants).</summary>
[Optimize(typeof(RmsProp))]
public partial class ClampModel : ITrainable
{
    [Param] public float S;
    [Param] public float[] A = new float[37];
    [Param] public double T;
    [Param] public double[] D = new double[37];
}

/// <summary>
/// Run-time misuse: the fields a test breaks come after fields a step would update first (S, A, T before M and D),
/// so "nothing changed" covers fields earlier in the same ApplyGradients.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class MisuseModel : ITrainable
{
    [Param] public float S = 0.5f;
    [Param] public float[] A = Values.Ramp(19, 9);
    [Param] public double T = -0.25;
    [Param(3, 4)] public float[] M = Values.Ramp(12, 10);
    [Param] public double[] D = Values.RampD(9, 11);
}

/// <summary>A [Loss] model with a scalar, a declared-shape array and an unshaped array, for misuse through Step.</summary>
[Optimize(typeof(RmsProp))]
public partial class LinearLossModel : ITrainable
{
    [Param] public float B = 0.1f;
    [Param(4)] public float[] W = Values.Ramp(4, 12);
    [Param] public float[] V = Values.Ramp(4, 13);

    [Loss(Reduction = LossReduction.Sum)]
    public float Loss(ReadOnlySpan<float> x, float y)
    {
        float s = B;
        for (int i = 0; i < x.Length; i++)
        {
            s += (W[i] + V[i]) * x[i];
        }

        float e = s - y;
        return 0.5f * e * e;
    }
}

/// <summary>A parameter array large enough that a save under a small file-size limit fails mid-write.</summary>
[Optimize(typeof(RmsProp))]
public partial class BigModel : ITrainable
{
    public const int Length = 100_000;

    [Param] public float[] W = Values.Ramp(Length, 14);
}

/// <summary>A model with the same fields as <see cref="ScalarModel"/> but another type name.</summary>
[Optimize(typeof(RmsProp))]
public partial class ScalarModelTwin : ITrainable
{
    [Param] public float W = -2f;
    [Param] public float B = 0.5f;
    [Param, ExcludeFromWeightDecay] public float C = 1.25f;
}

/// <summary>Deterministic, varied initial values.</summary>
public static class Values
{
    public static float[] Ramp(int length, int seed)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)Math.Sin((i + 1) * (seed + 0.37)) * (1 + (i % 3));
        }

        return values;
    }

    public static double[] RampD(int length, int seed)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = Math.Cos((i + 1) * (seed + 0.61)) * (1 + (i % 4));
        }

        return values;
    }
}
