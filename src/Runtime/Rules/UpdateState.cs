using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Kernels;

namespace OptimizerGen.Rules;

/// <summary>
/// The optimizer state of one array parameter under an element-wise rule (every built-in but RMSprop, and users'
/// rules): up to three buffers, each allocated on the first step that uses it and never per step. What each buffer
/// is depends on the optimizer (its PyTorch state key, e.g. Adam's <c>exp_avg</c>, <c>exp_avg_sq</c>,
/// <c>max_exp_avg_sq</c>); checkpoints name them so.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class UpdateState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Arrays shorter than this are always updated on one thread (the hand-off would cost more than it saves).</summary>
    public const int MinParallelLength = 1 << 17;

    private T[]? _buffer0;
    private T[]? _buffer1;
    private T[]? _buffer2;
    private ChunkedWork? _parallel;

    /// <summary>State buffer 0 (e.g. SGD <c>momentum_buffer</c>, AdaGrad <c>sum</c>, AdaDelta <c>square_avg</c>, Adam <c>exp_avg</c>); null until used.</summary>
    public T[]? Buffer0 => _buffer0;

    /// <summary>State buffer 1 (AdaDelta <c>acc_delta</c>, Adam <c>exp_avg_sq</c>); null until used.</summary>
    public T[]? Buffer1 => _buffer1;

    /// <summary>State buffer 2 (Adam <c>max_exp_avg_sq</c> with AMSGrad); null until used.</summary>
    public T[]? Buffer2 => _buffer2;

    /// <summary>Throws if a buffer was built for a parameter of another length. Call before any update of a step.</summary>
    /// <exception cref="InvalidOperationException">The lengths differ.</exception>
    public void CheckLength(int parameterLength, string fieldName)
    {
        // Inline compares, the message out of line: this runs on every step.
        if ((_buffer0 is not null && _buffer0.Length != parameterLength) ||
            (_buffer1 is not null && _buffer1.Length != parameterLength) ||
            (_buffer2 is not null && _buffer2.Length != parameterLength))
        {
            ThrowLength(parameterLength, fieldName, (_buffer0 ?? _buffer1 ?? _buffer2)!.Length);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int parameterLength, string fieldName, int stateLength) =>
        throw new InvalidOperationException(
            $"Parameter '{fieldName}' has length {parameterLength}, but its optimizer state was built for length {stateLength}. " +
            "Replace parameter arrays only with arrays of the same length, or call ResetOptimizerState() first.");

    /// <summary>
    /// Creates the buffers <paramref name="rule"/> uses (filled with their initial values), then runs its fused update
    /// over the parameter on up to <paramref name="threads"/> threads (arrays of at least <see cref="MinParallelLength"/>
    /// elements, in blocks of whole multiples of 64 elements that the threads take in turn: bit-identical to one thread) and zeroes the gradient.
    /// </summary>
    /// <remarks>
    /// Never inlined into the generated update: its locals would join the generated method's frame, which the user's
    /// assembly zeroes on every call (this assembly skips that).
    /// </remarks>
    /// <exception cref="ArgumentException">The gradient's length differs from the parameter's; nothing was changed.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Update<TRule>(T[] parameter, T[] gradient, in TRule rule, int threads = 1)
        where TRule : struct, IUpdateRule<TRule, T>
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int n = parameter.Length;
        if (gradient.Length != n)
        {
            throw new ArgumentException($"{TRule.Name}: 'gradient' has length {gradient.Length}, but the parameter has length {n}.", nameof(gradient));
        }

        CheckLength(n, "parameter");
        Allocate(ref _buffer0, 0, n, rule);
        Allocate(ref _buffer1, 1, n, rule);
        Allocate(ref _buffer2, 2, n, rule);
        if (threads == 1 || n < MinParallelLength)
        {
            rule.Update(parameter, gradient, _buffer0, _buffer1, _buffer2);
            return;
        }

        var work = _parallel as ParallelUpdate<TRule> ?? new ParallelUpdate<TRule>();
        _parallel = work;
        work.Set(this, parameter, gradient, rule);
        try
        {
            WorkerPool.Run(work, threads);
        }
        finally
        {
            work.Clear();   // no reference to the arrays kept, even after a failure
        }
    }

    private static void Allocate<TRule>(ref T[]? buffer, int index, int n, in TRule rule)
        where TRule : struct, IUpdateRule<TRule, T>
    {
        if (buffer is null && rule.UsesBuffer(index))
        {
            buffer = new T[n];
            T initial = rule.InitialValue(index);
            if (initial != T.Zero)
            {
                buffer.AsSpan().Fill(initial);
            }
        }
    }

    /// <summary>Replaces the buffers (each null when absent), as read from a checkpoint; their lengths must agree.</summary>
    /// <exception cref="ArgumentException">The buffers' lengths differ.</exception>
    public void Restore(T[]? buffer0, T[]? buffer1 = null, T[]? buffer2 = null)
    {
        int? length = buffer0?.Length ?? buffer1?.Length ?? buffer2?.Length;
        if ((buffer0 is not null && buffer0.Length != length) || (buffer1 is not null && buffer1.Length != length) || (buffer2 is not null && buffer2.Length != length))
        {
            throw new ArgumentException("The restored optimizer buffers must have one length.");
        }

        _buffer0 = buffer0;
        _buffer1 = buffer1;
        _buffer2 = buffer2;
    }

    /// <summary>Forgets every buffer: the next update starts afresh, as a new optimizer would.</summary>
    public void Reset()
    {
        _buffer0 = null;
        _buffer1 = null;
        _buffer2 = null;
    }

    /// <summary>One multi-threaded update (allocated once per state and rule type).</summary>
    private sealed class ParallelUpdate<TRule> : ParallelArrayUpdate<UpdateState<T>, TRule, T>
        where TRule : struct, IUpdateRule<TRule, T>
    {
        protected override void Update(UpdateState<T> s, Span<T> parameter, Span<T> gradient, int start, int length, in TRule rule) =>
            rule.Update(parameter, gradient, Slice(s._buffer0, start, length), Slice(s._buffer1, start, length), Slice(s._buffer2, start, length));
    }
}

/// <summary>
/// The optimizer state of one scalar parameter under an element-wise rule: three slots, named by the optimizer (see
/// <see cref="UpdateState{T}"/>); the generated update reads and writes them in place.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public struct ScalarState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>State slot 0 (see <see cref="UpdateState{T}.Buffer0"/>).</summary>
    public T Buffer0;

    /// <summary>State slot 1.</summary>
    public T Buffer1;

    /// <summary>State slot 2.</summary>
    public T Buffer2;

    /// <summary>
    /// One update of <paramref name="parameter"/> from <paramref name="gradient"/> (zeroed): on step 1 the slots start
    /// at the rule's initial values, as a new optimizer's state does.
    /// </summary>
    public void Update<TRule>(ref T parameter, ref T gradient, in TRule rule, long step)
        where TRule : struct, IUpdateRule<TRule, T>
    {
        if (step == 1)
        {
            Buffer0 = rule.InitialValue(0);
            Buffer1 = rule.InitialValue(1);
            Buffer2 = rule.InitialValue(2);
        }

        // The same loop as an array's, over one element: it runs the scalar width of the rule's code.
        rule.Update(new Span<T>(ref parameter), new Span<T>(ref gradient), new Span<T>(ref Buffer0), new Span<T>(ref Buffer1), new Span<T>(ref Buffer2));
    }
}
