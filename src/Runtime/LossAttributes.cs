using System;

namespace OptimizerGen;

/// <summary>How <c>Step</c> combines the losses (and gradients) of a batch.</summary>
public enum LossReduction
{
    /// <summary>The mean over the batch, as PyTorch's default <c>reduction='mean'</c>.</summary>
    Mean,

    /// <summary>The sum over the batch (as in the seed article).</summary>
    Sum,
}

/// <summary>
/// Marks the method that computes the loss of ONE sample from the model's <see cref="ParamAttribute"/> fields. OptimizerGen
/// differentiates it at compile time (reverse mode) and generates <c>AccumulateGradients(…)</c>, with the same
/// parameters, and <c>Step(…)</c>, which takes a batch (one <c>ReadOnlySpan</c> per parameter) and applies the update.
/// </summary>
/// <remarks>
/// The method returns <c>float</c> or <c>double</c>. Its parameters are the sample: <c>float</c>, <c>double</c> or
/// <c>int</c> values, and <c>ReadOnlySpan&lt;float&gt;</c> / <c>ReadOnlySpan&lt;double&gt;</c> / arrays for vectors.
/// The body may use locals, assignments (also <c>+=</c> …), <c>+ − * /</c>, casts, <c>Math</c>/<c>MathF</c> functions
/// (Exp, Log, Sqrt, Pow, Tanh, Sin, Cos, Abs, Max, Min), <see cref="Activation"/> functions, conditional expressions
/// and <c>if</c>/<c>else</c>, <c>for</c> loops with an <c>int</c> counter, reads of parameters and inputs by index,
/// and calls of <see cref="DifferentiableAttribute"/> methods; it ends with one <c>return</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>How <c>Step</c> combines a batch: <see cref="LossReduction.Mean"/> (default) or <see cref="LossReduction.Sum"/>.</summary>
    public LossReduction Reduction { get; set; } = LossReduction.Mean;
}

/// <summary>
/// Marks a helper method of the model that a <see cref="LossAttribute"/> method may call; OptimizerGen inlines it and
/// differentiates it with the loss. Its body must be a single expression (<c>=&gt; …</c> or one <c>return</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
