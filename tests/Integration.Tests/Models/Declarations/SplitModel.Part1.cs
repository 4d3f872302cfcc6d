using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Declarations;

/// <summary>A model declared in two files: the attribute and some parameters here, more parameters in Part2.</summary>
[Optimize(typeof(RmsProp))]
public partial class SplitModel
{
    [Param] public float First = 1f;
}
