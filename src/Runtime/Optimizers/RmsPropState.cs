using System;
using System.Numerics;
using OptimizerGen.Kernels;

namespace OptimizerGen;

/// <summary>
/// The RMSprop state of one array parameter: the buffers the options in force need, allocated on first use (the
/// first step, or the first step after an option that needs a new buffer is switched on) and never per step.
/// Tensor names follow PyTorch's state: <c>square_avg</c>, <c>grad_avg</c>, <c>momentum_buffer</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RmsPropState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _squareAvg;
    private T[]? _gradAvg;
    private T[]? _momentumBuffer;

    /// <summary>v, the running average of g² (PyTorch <c>square_avg</c>, Keras <c>velocity</c>); null before the first step.</summary>
    public T[]? SquareAvg => _squareAvg;

    /// <summary>m, the running average of g when centered (PyTorch <c>grad_avg</c>); null when never centered.</summary>
    public T[]? GradAvg => _gradAvg;

    /// <summary>b, the momentum buffer (PyTorch <c>momentum_buffer</c>); null when momentum was never on.</summary>
    public T[]? MomentumBuffer => _momentumBuffer;

    /// <summary>
    /// Throws if this state was built for a parameter of another length (the array was replaced or resized).
    /// Call before any update of a step, so a bad step changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The lengths differ.</exception>
    public void CheckLength(int parameterLength, string fieldName)
    {
        foreach (T[]? buffer in (ReadOnlySpan<T[]?>)[_squareAvg, _gradAvg, _momentumBuffer])
        {
            if (buffer is not null && buffer.Length != parameterLength)
            {
                throw new InvalidOperationException(
                    $"Parameter '{fieldName}' has length {parameterLength}, but its RMSprop state was built for length {buffer.Length}. " +
                    "Replace parameter arrays only with arrays of the same length, or call ResetOptimizerState() first.");
            }
        }
    }

    /// <summary>
    /// Creates the buffers this step needs (v filled with the initial accumulator value, the others with zeros), then
    /// runs the fused update over <paramref name="parameter"/> and zeroes <paramref name="gradient"/>.
    /// </summary>
    public void Update(Span<T> parameter, Span<T> gradient, in RmsPropCoefficients<T> c)
    {
        int n = parameter.Length;

        // Check before creating any buffer, so a bad call leaves the state as it was.
        if (gradient.Length != n)
        {
            throw new ArgumentException($"RMSprop: 'gradient' has length {gradient.Length}, but the parameter has length {n}.", nameof(gradient));
        }

        foreach (T[]? buffer in (ReadOnlySpan<T[]?>)[_squareAvg, _gradAvg, _momentumBuffer])
        {
            if (buffer is not null && buffer.Length != n)
            {
                throw new ArgumentException($"RMSprop: the state has length {buffer.Length}, but the parameter has length {n}.", nameof(parameter));
            }
        }

        if (_squareAvg is null)
        {
            _squareAvg = new T[n];
            _squareAvg.AsSpan().Fill(c.InitialAccumulatorValue);
        }

        if (c.Centered)
        {
            _gradAvg ??= new T[n];
        }

        if (c.HasMomentum)
        {
            _momentumBuffer ??= new T[n];
        }

        RmsPropKernel.Update(parameter, gradient, _squareAvg, _gradAvg, _momentumBuffer, c);
    }

    /// <summary>
    /// Replaces the buffers with <paramref name="squareAvg"/>, <paramref name="gradAvg"/> and <paramref name="momentumBuffer"/>
    /// (each null when absent), as read from a checkpoint; their lengths must agree.
    /// </summary>
    /// <exception cref="ArgumentException">The buffers' lengths differ.</exception>
    public void Restore(T[]? squareAvg, T[]? gradAvg, T[]? momentumBuffer)
    {
        int? length = squareAvg?.Length ?? gradAvg?.Length ?? momentumBuffer?.Length;
        if ((gradAvg is not null && gradAvg.Length != length) || (momentumBuffer is not null && momentumBuffer.Length != length) || (squareAvg is not null && squareAvg.Length != length))
        {
            throw new ArgumentException("The restored RMSprop buffers must have one length.");
        }

        _squareAvg = squareAvg;
        _gradAvg = gradAvg;
        _momentumBuffer = momentumBuffer;
    }

    /// <summary>Forgets every buffer: the next update starts afresh, as a new optimizer would.</summary>
    public void Reset()
    {
        _squareAvg = null;
        _gradAvg = null;
        _momentumBuffer = null;
    }
}
