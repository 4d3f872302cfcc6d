using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

/// <summary>
/// A model for run-time misuse: the field a test breaks comes after fields that a step would update first (scalar S,
/// array A, scalar D), so "nothing changed" covers fields updated earlier in the same ApplyGradients.
/// </summary>
[Optimize(typeof(RmsProp))]
public partial class MisuseModel
{
    [Param] public float S = 0.5f;
    [Param] public float[] A = [0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f, -0.8f, 0.9f, -1f, 1.1f, -1.2f, 1.3f, -1.4f, 1.5f, -1.6f, 1.7f, -1.8f, 1.9f];
    [Param] public double D = -0.25;
    [Param(3, 4)] public float[] M = new float[12];
    [Param] public double[] B = [1, 2, 3, 4, 5, 6, 7, 8, 9];
}
