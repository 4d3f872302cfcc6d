using System;

namespace OptimizerGen;

/// <summary>
/// Asks OptimizerGen to generate, into this <c>partial</c> class, the optimizer state, the per-field gradients
/// (<c>Grad</c>) and a fused, allocation-free <c>ApplyGradients()</c> update for every field marked
/// <see cref="ParamAttribute"/>.
/// </summary>
/// <example><code>
/// [Optimize(typeof(RmsProp))]
/// public partial class Neuron
/// {
///     [Param] public float W = -2f;
///     [Param] public float B = -2f;
/// }
/// </code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class OptimizeAttribute : Attribute
{
    /// <summary>Selects the optimizer, e.g. <c>typeof(RmsProp)</c>.</summary>
    /// <param name="optimizer">The optimizer's settings type.</param>
    public OptimizeAttribute(Type optimizer) => Optimizer = optimizer;

    /// <summary>The optimizer's settings type, e.g. <see cref="RmsProp"/>.</summary>
    public Type Optimizer { get; }

    /// <summary>
    /// Whether the generated members that change the model detect a second call running at the same time and throw
    /// <see cref="InvalidOperationException"/> before changing anything (true, the default). Calls from the thread that
    /// used the model last cost no atomic instruction; a call from another thread takes the model over at the price of a
    /// process-wide memory barrier (microseconds), once per hand-over (see <c>OptimizerGen.Runtime.ConcurrentUse</c>).
    /// <c>false</c> generates the members without it, for models whose single-threaded use is guaranteed by
    /// construction and that change threads at every step. Two threads that then use one instance at once corrupt it
    /// silently, as they would a <c>List&lt;T&gt;</c>. Everything else — argument checks, the non-finite guard, zeroing
    /// <c>Grad</c> when the loss throws — stays the same.
    /// </summary>
    public bool DetectConcurrentUse { get; set; } = true;
}

/// <summary>
/// Marks a field of an <see cref="OptimizeAttribute"/> class as a trainable parameter. Supported field types are
/// <c>float</c>, <c>double</c>, <c>float[]</c> and <c>double[]</c>. A matrix is an array with its shape declared
/// here: <c>[Param(16, 784)] public float[] W = new float[16 * 784];</c> (row-major).
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false, AllowMultiple = false)]
public sealed class ParamAttribute : Attribute
{
    /// <summary>A scalar parameter, or an array parameter of any length.</summary>
    public ParamAttribute() => Shape = [];

    /// <summary>An array parameter with a fixed shape; its length must be the product of the dimensions.</summary>
    /// <param name="shape">The dimensions, outermost first (row-major).</param>
    public ParamAttribute(params int[] shape) => Shape = shape;

    /// <summary>The declared shape; empty when none was declared.</summary>
    public int[] Shape { get; }
}

/// <summary>
/// Excludes a <see cref="ParamAttribute"/> field from weight decay (coupled or decoupled), as Keras'
/// <c>exclude_from_weight_decay</c> or a PyTorch parameter group with <c>weight_decay=0</c> does — typically
/// for biases and normalization scales.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false, AllowMultiple = false)]
public sealed class ExcludeFromWeightDecayAttribute : Attribute
{
}
