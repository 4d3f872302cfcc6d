using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Models;

// Models for the libtorch conformance of the optimizer family (see Family/FamilyConformance.cs): per optimizer and element
// type, one array field holding every element, and a scalar field followed by an array (the scalar path and the array path).

[Optimize(typeof(Sgd))]
public partial class SgdArray32
{
    [Param] public float[] W = [];
}

[Optimize(typeof(Sgd))]
public partial class SgdMixed32
{
    [Param] public float S;

    [Param] public float[] W = [];
}

[Optimize(typeof(Sgd))]
public partial class SgdArray64
{
    [Param] public double[] W = [];
}

[Optimize(typeof(Sgd))]
public partial class SgdMixed64
{
    [Param] public double S;

    [Param] public double[] W = [];
}

[Optimize(typeof(AdaGrad))]
public partial class AdaGradArray32
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdaGrad))]
public partial class AdaGradMixed32
{
    [Param] public float S;

    [Param] public float[] W = [];
}

[Optimize(typeof(AdaGrad))]
public partial class AdaGradArray64
{
    [Param] public double[] W = [];
}

[Optimize(typeof(AdaGrad))]
public partial class AdaGradMixed64
{
    [Param] public double S;

    [Param] public double[] W = [];
}

[Optimize(typeof(AdaDelta))]
public partial class AdaDeltaArray32
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdaDelta))]
public partial class AdaDeltaMixed32
{
    [Param] public float S;

    [Param] public float[] W = [];
}

[Optimize(typeof(AdaDelta))]
public partial class AdaDeltaArray64
{
    [Param] public double[] W = [];
}

[Optimize(typeof(AdaDelta))]
public partial class AdaDeltaMixed64
{
    [Param] public double S;

    [Param] public double[] W = [];
}

[Optimize(typeof(Adam))]
public partial class AdamArray32
{
    [Param] public float[] W = [];
}

[Optimize(typeof(Adam))]
public partial class AdamMixed32
{
    [Param] public float S;

    [Param] public float[] W = [];
}

[Optimize(typeof(Adam))]
public partial class AdamArray64
{
    [Param] public double[] W = [];
}

[Optimize(typeof(Adam))]
public partial class AdamMixed64
{
    [Param] public double S;

    [Param] public double[] W = [];
}

[Optimize(typeof(AdamW))]
public partial class AdamWArray32
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdamW))]
public partial class AdamWMixed32
{
    [Param] public float S;

    [Param] public float[] W = [];
}

[Optimize(typeof(AdamW))]
public partial class AdamWArray64
{
    [Param] public double[] W = [];
}

[Optimize(typeof(AdamW))]
public partial class AdamWMixed64
{
    [Param] public double S;

    [Param] public double[] W = [];
}
