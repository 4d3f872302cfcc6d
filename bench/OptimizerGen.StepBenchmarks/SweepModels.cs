// The models whose generated ApplyGradients() the update sweep measures (UpdateSweep.cs). The optimizer options
// (plain, momentum, centered) are set at run time through the generated Optimizer property.
using OptimizerGen;

namespace OptimizerGen.StepBenchmarks;

/// <summary>N = 2 in float: two scalar fields, updated by generated straight-line code.</summary>
[Optimize(typeof(RmsProp))]
public partial class ScalarsF
{
    [Param] public float W;
    [Param] public float B;
}

/// <summary>N = 2 in double: two scalar fields.</summary>
[Optimize(typeof(RmsProp))]
public partial class ScalarsD
{
    [Param] public double W;
    [Param] public double B;
}

/// <summary>One float array of any length, updated by the runtime SIMD kernel.</summary>
[Optimize(typeof(RmsProp))]
public partial class ArrayF
{
    [Param] public float[] W = [];
}

/// <summary>One double array of any length.</summary>
[Optimize(typeof(RmsProp))]
public partial class ArrayD
{
    [Param] public double[] W = [];
}

/// <summary><see cref="ScalarsF"/> without the concurrent-use guard (GuardSweep).</summary>
[Optimize(typeof(RmsProp), DetectConcurrentUse = false)]
public partial class ScalarsFUnguarded
{
    [Param] public float W;
    [Param] public float B;
}

/// <summary><see cref="ArrayF"/> without the concurrent-use guard (GuardSweep).</summary>
[Optimize(typeof(RmsProp), DetectConcurrentUse = false)]
public partial class ArrayFUnguarded
{
    [Param] public float[] W = [];
}
