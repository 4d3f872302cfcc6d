using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Declarations.FileScoped;

/// <summary>A model in a file-scoped namespace.</summary>
[Optimize(typeof(RmsProp))]
public partial class FileScopedNamespaceModel
{
    [Param] public double W = -0.5;
    [Param] public float[] V = new float[17];
}
