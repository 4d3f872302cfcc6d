using System;
using System.Numerics;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// The element-wise update of one parameter element from its gradient, for every width (Vector512, Vector256, Vector128,
/// and the scalar width that finishes the remainder and updates scalar fields). An implementation is a struct that holds
/// this step's coefficients, already rounded to <typeparamref name="T"/>. For each width <see cref="ElementwiseLoop"/>
/// asks it for <see cref="Vectors"/>: the implementation broadcasts its coefficients once into its
/// <see cref="IVectorUpdate{TVector}"/> kernel for that width and hands the kernel to
/// <see cref="ElementwiseLoop{T, TSimd, TVector}.Run"/>, which loads the streams, applies the kernel and stores them. The
/// built-in optimizers and the rules the generator translates from a user's <c>[UpdateRule]</c> type both implement it,
/// so they run through the same loop.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IElementwiseUpdate<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many per-element state streams (0 to 3) the update reads and writes: <c>s0</c>, <c>s1</c>, <c>s2</c> in order.</summary>
    static abstract int StateCount { get; }

    /// <summary>
    /// Updates whole vectors of <typeparamref name="TSimd"/>'s width from element <paramref name="start"/>, by
    /// <c>ElementwiseLoop&lt;T, TSimd, TVector&gt;.Run(kernel, StateCount, streams, start, length)</c> with this update's
    /// kernel for that width; returns the first element not updated.
    /// </summary>
    nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct;
}

/// <summary>
/// An element-wise update at one vector width with its coefficients already broadcast (built once per loop, so the
/// loop body reads them from registers).
/// </summary>
/// <typeparam name="TVector">The width's register type.</typeparam>
public interface IVectorUpdate<TVector>
    where TVector : struct
{
    /// <summary>
    /// Updates <paramref name="p"/> and the state <paramref name="s0"/>…<paramref name="s2"/> in place from the
    /// gradient <paramref name="g"/>. State streams beyond the rule's state count are scratch: neither loaded nor stored.
    /// </summary>
    void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2);
}

/// <summary>
/// A step's rule for one parameter: the per-step coefficients (computed once per step in <see cref="double"/>, then
/// rounded to <typeparamref name="T"/>) and which state buffers the options in force need. The generated
/// <c>ApplyGradients</c> creates one per element type per step and hands it to <see cref="UpdateState{T}"/> (arrays) or
/// <see cref="ScalarState{T}"/> (scalar fields).
/// </summary>
/// <typeparam name="TSelf">The rule type.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IUpdateRule<TSelf, T>
    where TSelf : struct, IUpdateRule<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The optimizer's name in messages, e.g. "Adam".</summary>
    static abstract string Name { get; }

    /// <summary>Whether this step uses state buffer <paramref name="index"/> (0 to 2); an unused buffer is never allocated.</summary>
    bool UsesBuffer(int index);

    /// <summary>The value buffer <paramref name="index"/> starts with (e.g. AdaGrad's <c>initial_accumulator_value</c>).</summary>
    T InitialValue(int index);

    /// <summary>The same rule with weight decay switched off, for fields marked <see cref="ExcludeFromWeightDecayAttribute"/>.</summary>
    TSelf WithoutWeightDecay();

    /// <summary>The same rule with the gradient also multiplied by <paramref name="factor"/> (a gradient-clipping factor).</summary>
    TSelf WithGradientFactor(double factor);

    /// <summary>
    /// One fused pass over the spans: <paramref name="parameter"/> updated in place, the buffers in use updated, the
    /// gradient zeroed. Unused buffers may be empty. The lengths are checked by the caller.
    /// </summary>
    void Update(Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2);
}
