using System.Numerics;

namespace OptimizerGen;

/// <summary>The RMSprop state of one scalar parameter; the generated straight-line update reads and writes it in place.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public struct RmsPropScalarState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>State as a new optimizer creates it: v = <paramref name="initialAccumulatorValue"/>, m = b = 0.</summary>
    public RmsPropScalarState(T initialAccumulatorValue) => SquareAvg = initialAccumulatorValue;

    /// <summary>v, the running average of g² (PyTorch <c>square_avg</c>).</summary>
    public T SquareAvg;

    /// <summary>m, the running average of g, used when centered (PyTorch <c>grad_avg</c>).</summary>
    public T GradAvg;

    /// <summary>b, the momentum buffer (PyTorch <c>momentum_buffer</c>).</summary>
    public T MomentumBuffer;
}
