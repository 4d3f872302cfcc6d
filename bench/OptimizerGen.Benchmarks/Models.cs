// The models whose generated ApplyGradients() is measured. OptimizerGen generates each one's Grad, Optimizer,
// ApplyGradients(), StepCount and ResetOptimizerState(); Optimizer stays at PyTorch's RMSprop defaults
// (lr 0.01, α 0.99, ε 1e-8 outside the root, no momentum, not centered, no weight decay).
using OptimizerGen;

namespace OptimizerGen.Benchmarks;

/// <summary>(a) Two scalar parameters: the generated update is straight-line code.</summary>
[Optimize(typeof(RmsProp))]
public partial class TwoScalars
{
    [Param] public float W;
    [Param] public float B;
}

/// <summary>(b) One array of 4 096 elements (16 KiB per stream: p, g and v fit in L1 together).</summary>
[Optimize(typeof(RmsProp))]
public partial class SmallArray
{
    public const int Length = 4_096;

    [Param] public float[] W = new float[Length];
}

/// <summary>(c) One array of 16 777 216 elements (64 MiB per stream: far beyond the caches).</summary>
[Optimize(typeof(RmsProp))]
public partial class LargeArray
{
    public const int Length = 16_777_216;

    [Param] public float[] W = new float[Length];
}
