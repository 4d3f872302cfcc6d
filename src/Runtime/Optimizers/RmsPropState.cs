using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
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
    /// <summary>Arrays shorter than this are always updated on one thread (the hand-off would cost more than it saves).</summary>
    public const int MinParallelLength = 1 << 17;

    private T[]? _squareAvg;
    private ParallelUpdate? _parallel;
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
        // Inline and cheap (every step calls it); the message is built out of line.
        if ((_squareAvg is not null && _squareAvg.Length != parameterLength) ||
            (_gradAvg is not null && _gradAvg.Length != parameterLength) ||
            (_momentumBuffer is not null && _momentumBuffer.Length != parameterLength))
        {
            ThrowLength(parameterLength, fieldName);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ThrowLength(int parameterLength, string fieldName)
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
        Prepare(parameter.Length, gradient.Length, c);
        RmsPropKernel.Update(parameter, gradient, _squareAvg, _gradAvg, _momentumBuffer, c);
    }

    /// <summary>
    /// Checks the lengths, then creates the buffers this step needs (v filled with the initial accumulator value, the
    /// others with zeros). A bad call throws here and leaves the state as it was.
    /// </summary>
    private void Prepare(int n, int gradientLength, in RmsPropCoefficients<T> c)
    {
        // The common step (every buffer in use exists and has the parameter's length) costs a few compares, no call.
        if (gradientLength != n || _squareAvg is null || _squareAvg.Length != n ||
            (_gradAvg is not null ? _gradAvg.Length != n : c.Centered) ||
            (_momentumBuffer is not null ? _momentumBuffer.Length != n : c.HasMomentum))
        {
            PrepareSlow(n, gradientLength, c);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void PrepareSlow(int n, int gradientLength, in RmsPropCoefficients<T> c)
    {
        if (gradientLength != n)
        {
            throw new ArgumentException($"RMSprop: 'gradient' has length {gradientLength}, but the parameter has length {n}.", "gradient");
        }

        foreach (T[]? buffer in (ReadOnlySpan<T[]?>)[_squareAvg, _gradAvg, _momentumBuffer])
        {
            if (buffer is not null && buffer.Length != n)
            {
                throw new ArgumentException($"RMSprop: the state has length {buffer.Length}, but the parameter has length {n}.", "parameter");
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
    }

    /// <summary>
    /// The same update as <see cref="Update(Span{T}, Span{T}, in RmsPropCoefficients{T})"/>, split over up to
    /// <paramref name="threads"/> threads when the array has at least <see cref="MinParallelLength"/> elements, in blocks that
    /// the threads take in turn (<see cref="WorkerPool"/>). The blocks are whole multiples of 64 elements, so every element goes through exactly the arithmetic of the single-threaded update:
    /// the results are bit for bit the same. Never inlined into the generated update: its locals would join the
    /// generated method's frame, which the user's assembly zeroes on every call (this assembly skips that).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public void Update(T[] parameter, T[] gradient, in RmsPropCoefficients<T> c, int threads)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int n = parameter.Length;
        if (threads == 1 || n < MinParallelLength)
        {
            Update(parameter, gradient, c);
            return;
        }

        Prepare(n, gradient.Length, c);
        _parallel ??= new ParallelUpdate();
        _parallel.Set(this, parameter, gradient, c);
        try
        {
            WorkerPool.Run(_parallel, threads);
        }
        finally
        {
            _parallel.Clear();   // no reference to the arrays kept, even after a failure
        }
    }

    /// <summary>
    /// Whether <see cref="PlainStep"/> may update <paramref name="parameter"/> now: both arrays are there and have one
    /// length, the state was built for that length (v exists and has it; m and b, where an earlier option left them,
    /// always have v's length: every buffer is built for one length and <see cref="Restore"/> checks the same), and the
    /// update runs on one thread (<paramref name="threads"/> is 1, or the array is shorter than
    /// <see cref="MinParallelLength"/>). When it is false the generated code takes the general update, which throws for
    /// what is wrong or allocates what is missing. A few compares, inlined. (A declared shape needs no test here: the
    /// state was built, or loaded from a checkpoint, for a parameter that passed it, and the three lengths are that one.)
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool IsReadyForPlainStep([NotNullWhen(true)] T[]? parameter, [NotNullWhen(true)] T[]? gradient, int threads) =>
        parameter is not null && gradient is not null && _squareAvg is not null &&
        gradient.Length == parameter.Length && _squareAvg.Length == parameter.Length &&
        (threads == 1 || parameter.Length < MinParallelLength);

    /// <summary>
    /// The plain update (see <see cref="PlainStep"/>) when it applies, as one inlined call: when both arrays are there with
    /// one length, the state was built for that length, the update runs on one thread (all as
    /// <see cref="IsReadyForPlainStep"/>) and <paramref name="c"/> was made from plain coefficients, it updates <paramref name="parameter"/> and v
    /// and zeroes <paramref name="gradient"/> in one pass and returns true. Otherwise it changes nothing and returns false:
    /// the generated code then takes the general update, which throws for what is wrong or allocates what is missing. Used
    /// by a model with one array, whose plain step then checks everything once. The loop is inlined into the generated plain
    /// step, which for that reason is a method of its own (the JIT's inlining budget grows with the method inlined into).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryPlainStep([NotNullWhen(true)] T[]? parameter, [NotNullWhen(true)] T[]? gradient, in RmsPropPlainCoefficients<T> c, int threads)
    {
        if (!c.IsPlain || !IsReadyForPlainStep(parameter, gradient, threads))
        {
            return false;
        }

        RmsPropPlainKernel.Update(
            ref MemoryMarshal.GetArrayDataReference(parameter), ref MemoryMarshal.GetArrayDataReference(gradient),
            ref MemoryMarshal.GetArrayDataReference(_squareAvg!), (nuint)parameter.Length, c);
        return true;
    }

    /// <summary>
    /// The plain update of a step with no option on (<see cref="RmsPropPlainCoefficients{T}"/>, no norm-clipping factor):
    /// v ← ρ·v + (1−ρ)·g² ;  p ← p − lr·g / (√(v + ε_in) + ε_out) ;  g ← 0, in one pass, without the term selection and
    /// buffer checks of <see cref="Update(T[], T[], in RmsPropCoefficients{T}, int)"/>: the caller has checked
    /// <see cref="IsReadyForPlainStep"/>. Adding the ε that is 0 is exact, so the bits are those of the general update. A
    /// call that is not ready gets the general update instead: never a wrong one. Never inlined into the generated update
    /// (see <see cref="TryPlainStep"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="c"/> is the default value, not made from plain coefficients.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public void PlainStep(T[] parameter, T[] gradient, in RmsPropPlainCoefficients<T> c)
    {
        c.CheckPlain();
        if (!TryPlainStep(parameter, gradient, c, threads: 1))
        {
            // Only a caller that skipped those tests gets here: the general update checks, allocates or throws.
            Update(parameter, gradient, c.Coefficients);
        }
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

    /// <summary>One multi-threaded update (allocated once per state).</summary>
    private sealed class ParallelUpdate : ParallelArrayUpdate<RmsPropState<T>, RmsPropCoefficients<T>, T>
    {
        protected override void Update(RmsPropState<T> s, Span<T> parameter, Span<T> gradient, int start, int length, in RmsPropCoefficients<T> coefficients) =>
            RmsPropKernel.Update(
                parameter,
                gradient,
                s._squareAvg.AsSpan(start, length),
                Slice(s._gradAvg, start, length),
                Slice(s._momentumBuffer, start, length),
                coefficients);
    }

    /// <summary>Forgets every buffer: the next update starts afresh, as a new optimizer would.</summary>
    public void Reset()
    {
        _squareAvg = null;
        _gradAvg = null;
        _momentumBuffer = null;
    }
}
