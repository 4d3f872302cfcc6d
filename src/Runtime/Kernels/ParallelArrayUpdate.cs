using System;

namespace OptimizerGen.Kernels;

/// <summary>
/// One multi-threaded update of an array parameter (allocated once per state), run by <see cref="WorkerPool"/> in blocks
/// whose boundaries are whole multiples of 64 elements, so every element goes through exactly the arithmetic of the
/// single-threaded update.
/// </summary>
/// <typeparam name="TState">The optimizer state that owns the buffers.</typeparam>
/// <typeparam name="TCoefficients">This step's coefficients.</typeparam>
/// <typeparam name="T">The element type.</typeparam>
internal abstract class ParallelArrayUpdate<TState, TCoefficients, T> : ChunkedWork
    where TState : class
    where TCoefficients : struct
{
    private TState? _state;
    private T[]? _parameter;
    private T[]? _gradient;
    private TCoefficients _coefficients;

    public void Set(TState state, T[] parameter, T[] gradient, in TCoefficients coefficients)
    {
        _state = state;
        _parameter = parameter;
        _gradient = gradient;
        _coefficients = coefficients;
    }

    public void Clear()
    {
        _state = null;
        _parameter = null;
        _gradient = null;
    }

    public sealed override int Length => _parameter!.Length;

    public sealed override void Run(int start, int length) =>
        Update(_state!, _parameter.AsSpan(start, length), _gradient.AsSpan(start, length), start, length, _coefficients);

    /// <summary>Updates elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    protected abstract void Update(TState state, Span<T> parameter, Span<T> gradient, int start, int length, in TCoefficients coefficients);

    /// <summary>The slice of a buffer, or an empty span when the buffer is not allocated.</summary>
    protected static Span<T> Slice(T[]? buffer, int start, int length) => buffer is null ? default : buffer.AsSpan(start, length);
}
