// The models the libtorch conformance cases run on. Each holds a case's elements in a different split into fields, so
// the SIMD array kernel and the generated straight-line scalar code are both checked against libtorch.
using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

/// <summary>One float32 array: the length-37 cases run through the SIMD kernel (2 × Vector512 + a 5-element tail).</summary>
[Optimize(typeof(RmsProp))]
public partial class FloatArrayModel
{
    [Param] public float[] P = [];
}

/// <summary>One float64 array.</summary>
[Optimize(typeof(RmsProp))]
public partial class DoubleArrayModel
{
    [Param] public double[] P = [];
}

/// <summary>The two-tensor case's layout: a scalar (libtorch's length-1 tensor) and an array of 70.</summary>
[Optimize(typeof(RmsProp))]
public partial class FloatScalarAndArrayModel
{
    [Param] public float S;
    [Param] public float[] A = new float[70];
}

/// <summary>The two-tensor case's layout in float64.</summary>
[Optimize(typeof(RmsProp))]
public partial class DoubleScalarAndArrayModel
{
    [Param] public double S;
    [Param] public double[] A = new double[70];
}

/// <summary>Twelve float32 scalars in one declaration: the straight-line code, fed the first 12 elements of a case.</summary>
[Optimize(typeof(RmsProp))]
public partial class FloatScalarsModel
{
    public const int Count = 12;

    [Param] public float P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11;
}

/// <summary>Twelve float64 scalars.</summary>
[Optimize(typeof(RmsProp))]
public partial class DoubleScalarsModel
{
    public const int Count = 12;

    [Param] public double P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11;
}
