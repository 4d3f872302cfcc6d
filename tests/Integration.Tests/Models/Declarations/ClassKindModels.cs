using System;
using System.Numerics;
using OptimizerGen;

namespace OptimizerGen.Integration.Tests.Declarations;

/// <summary>A sealed class.</summary>
[Optimize(typeof(RmsProp))]
public sealed partial class SealedModel
{
    [Param] public float W = 1f;
    [Param] public float[] V = new float[5];
}

/// <summary>A generic class; the type parameter has nothing to do with the parameters.</summary>
[Optimize(typeof(RmsProp))]
public partial class GenericModel<T>
{
    [Param] public float W = 1f;
    [Param] public double[] V = new double[10];
    public T? Tag;
}

/// <summary>A generic class with constraints (the generated part repeats none).</summary>
[Optimize(typeof(RmsProp))]
public partial class ConstrainedGenericModel<TKey, TValue>
    where TKey : notnull, IComparable<TKey>
    where TValue : struct, INumber<TValue>
{
    [Param] public double W = 2;
    public TValue Scale;
}

/// <summary>An abstract class (used through a derived class that is not itself optimized).</summary>
[Optimize(typeof(RmsProp))]
public abstract partial class AbstractModel
{
    [Param] public float W = 0.75f;
    [Param] public float[] V = new float[3];
}

public sealed class DerivedModel : AbstractModel
{
}

/// <summary>Private parameter fields, exposed read-only.</summary>
[Optimize(typeof(RmsProp))]
public partial class PrivateFieldsModel
{
    [Param] private float _w = 0.5f;
    [Param] private double[] _v = [1, 2, 3, 4, 5];

    public float W => _w;

    public double[] V => _v;

    public void Set(float w, double[] v)
    {
        _w = w;
        _v = v;
    }
}

/// <summary>Matrices: the shape declared on the attribute, row-major.</summary>
[Optimize(typeof(RmsProp))]
public partial class MatrixModel
{
    [Param(3, 4)] public float[] M = new float[12];
    [Param(2, 3)] public double[] D = new double[2 * 3];
    [Param(5)] public float[] Row = new float[5];
}

/// <summary>float and double fields, scalars and arrays, interleaved.</summary>
[Optimize(typeof(RmsProp))]
public partial class MixedModel
{
    [Param] public float F = 0.1f;
    [Param] public double D = 0.2;
    [Param] public double[] DA = new double[21];
    [Param] public float[] FA = new float[21];
    [Param] public float F2 = -0.3f;
}

/// <summary>Weight decay on some fields, not on others.</summary>
[Optimize(typeof(RmsProp))]
public partial class ExcludeModel
{
    [Param] public float W = 1f;
    [Param, ExcludeFromWeightDecay] public float B = 1f;
    [Param] public double[] Ws = new double[20];
    [Param, ExcludeFromWeightDecay] public double[] Bs = new double[20];
}

/// <summary>Several fields in one declaration.</summary>
[Optimize(typeof(RmsProp))]
public partial class SeveralPerDeclarationModel
{
    [Param] public float A = 1, B = 2, C = 3;
    [Param] public double[] X = new double[3], Y = new double[17];
}
