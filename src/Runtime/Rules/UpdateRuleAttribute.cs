using System;

namespace OptimizerGen;

/// <summary>
/// Marks a <c>partial struct</c> (declared directly in a namespace) as a user-written optimizer that
/// <c>[Optimize(typeof(…))]</c> accepts like a built-in one. Its settable <c>double</c>, <c>float</c>, <c>int</c>,
/// <c>long</c> and <c>bool</c> fields and properties are the hyperparameters (runtime values, saved in checkpoints); its
/// one instance method <c>void Update(ref double parameter, double gradient, ref double state…, long step)</c> (0 to 3
/// state parameters, starting at 0; the step count is optional) is the element-wise update, written in plain C#:
/// <c>double</c> locals, assignments, <c>+ - * /</c>, <c>Math</c>/<c>MathF</c> <c>Sqrt Abs Sign Min Max FusedMultiplyAdd</c>
/// and conditional expressions on element values; any <c>Math</c> function, <c>bool</c>/<c>int</c>/<c>long</c> locals and
/// <c>if</c> on hyperparameters and the step. OptimizerGen translates it into a rule struct <c>Rule&lt;T&gt;</c> nested in
/// the type — per-step coefficients computed once in double and rounded to T, the element code over the runtime's vector
/// vocabulary — which runs through the same SIMD loop as the built-in optimizers. What it cannot translate is an
/// OPTG030–OPTG035 diagnostic.
/// </summary>
/// <example><code>
/// [UpdateRule]
/// public partial struct Lion
/// {
///     public Lion() { }
///     public double LearningRate { get; init; } = 1e-4;
///     public double Beta1 { get; init; } = 0.9;
///     public double Beta2 { get; init; } = 0.99;
///
///     void Update(ref double p, double g, [State("exp_avg")] ref double m)
///     {
///         double c = Beta1 * m + (1 - Beta1) * g;
///         p -= LearningRate * Math.Sign(c);
///         m = Beta2 * m + (1 - Beta2) * g;
///     }
/// }
/// </code></example>
[AttributeUsage(AttributeTargets.Struct, Inherited = false, AllowMultiple = false)]
public sealed class UpdateRuleAttribute : Attribute
{
}

/// <summary>Names a state parameter of an <see cref="UpdateRuleAttribute"/> rule in checkpoints (e.g. PyTorch's <c>exp_avg</c>); by default its parameter name.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class StateAttribute : Attribute
{
    /// <summary>The state buffer's checkpoint key.</summary>
    /// <param name="key">E.g. <c>"exp_avg"</c>.</param>
    public StateAttribute(string key) => Key = key;

    /// <summary>The state buffer's checkpoint key.</summary>
    public string Key { get; }
}
