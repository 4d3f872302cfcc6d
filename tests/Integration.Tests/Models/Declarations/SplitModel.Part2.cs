using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Declarations;

public partial class SplitModel
{
    [Param] public double[] Second = new double[4];
}
