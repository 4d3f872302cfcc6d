// Models nested in other types, in a block-scoped namespace.
using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Declarations.Block
{
    public partial class Outer
    {
        public partial class Middle
        {
            /// <summary>Two levels deep in partial classes.</summary>
            [Optimize(typeof(RmsProp))]
            public partial class NestedModel
            {
                [Param] public float W = 0.25f;
                [Param] public float[] V = new float[33];
            }
        }
    }

    /// <summary>Nested in a static class (the generated part omits <c>static</c>, which partial allows).</summary>
    public static partial class StaticHolder
    {
        [Optimize(typeof(RmsProp))]
        internal sealed partial class InStaticClass
        {
            [Param] public double W = 1.5;
        }
    }

    /// <summary>Nested in a generic class.</summary>
    public partial class GenericOuter<TOuter>
        where TOuter : class
    {
        [Optimize(typeof(RmsProp))]
        public partial class Inner
        {
            [Param] public double[] V = new double[9];
            public TOuter? Tag;
        }
    }
}
