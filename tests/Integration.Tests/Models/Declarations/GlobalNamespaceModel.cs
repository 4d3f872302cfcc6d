// A model in the global namespace (no namespace declaration at all).
using OptimizerGen;

[Optimize(typeof(RmsProp))]
public partial class GlobalNamespaceModel
{
    [Param] public float W = 0.5f;
    [Param] public double[] V = new double[11];
}
