using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// The parts of the generated class for an optimizer that is an element-wise rule (SGD, AdaGrad, AdaDelta, Adam,
/// AdamW): a rule struct of the runtime built once per step (<c>XRule&lt;T&gt;.Create(options, step)</c>), the generic
/// <c>UpdateState&lt;T&gt;</c> / <c>ScalarState&lt;T&gt;</c>, and one call per field into the runtime's single loop
/// driver (<c>OptimizerGen.Rules.ElementwiseLoop</c>) — scalar fields run its scalar width over one element.
/// </summary>
internal sealed class RuleEmitter : OptimizerEmitter
{
    // Declared before the instances below: static fields initialize in textual order.
    private const string Coupled = "g ← clip(±g) + λ·{0} ;  ";
    private static readonly string[] BufferProperties = { "Buffer0", "Buffer1", "Buffer2" };

    public static readonly RuleEmitter Sgd = new(
        "SGD", KnownTypes.Sgd, "SgdRule", new[] { "momentum_buffer" }, primary: null,
        Coupled, "b ← μ·b + (1−τ)·g ;  {0} ← {0} − lr·(nesterov ? g + μ·b : b)   (no momentum: {0} ← {0} − lr·g)",
        (options, step, built) => $"{step} == 1 || {built} == 1");   // the first step starts the buffer as a copy of g

    public static readonly RuleEmitter AdaGrad = new(
        "AdaGrad", KnownTypes.AdaGrad, "AdaGradRule", new[] { "sum" }, "sum",
        Coupled, "s ← s + g² ;  {0} ← {0} − (lr / (1 + (t−1)·lr_decay))·g / (√s + ε)",
        (options, step, built) => $"{options}.LearningRateDecay != 0");

    public static readonly RuleEmitter AdaDelta = new(
        "AdaDelta", KnownTypes.AdaDelta, "AdaDeltaRule", new[] { "square_avg", "acc_delta" }, "square_avg",
        Coupled, "v ← ρ·v + (1−ρ)·g² ;  δ = √(a + ε)/√(v + ε)·g ;  a ← ρ·a + (1−ρ)·δ² ;  {0} ← {0} − lr·δ",
        (options, step, built) => "false");

    public static readonly RuleEmitter Adam = new(
        "Adam", KnownTypes.Adam, "AdamRule", new[] { "exp_avg", "exp_avg_sq", "max_exp_avg_sq" }, "exp_avg",
        Coupled, "m ← β₁·m + (1−β₁)·g ;  v ← β₂·v + (1−β₂)·g² ;  {0} ← {0} − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)",
        (options, step, built) => "true");   // bias correction

    public static readonly RuleEmitter AdamW = new(
        "AdamW", KnownTypes.AdamW, "AdamRule", new[] { "exp_avg", "exp_avg_sq", "max_exp_avg_sq" }, "exp_avg",
        "g ← clip(±g) ;  {0} ← (1 − lr·λ)·{0} ;  ", "m ← β₁·m + (1−β₁)·g ;  v ← β₂·v + (1−β₂)·g² ;  {0} ← {0} − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)",
        (options, step, built) => "true");   // bias correction

    private readonly string _rule;
    private readonly System.Func<string, string, string, string> _dependsOnStep;
    private readonly string _decay;
    private readonly string _formula;

    private RuleEmitter(string displayName, string settings, string rule, string[] keys, string? primary, string decay, string formula, System.Func<string, string, string, string> dependsOnStep)
        : this(displayName, "global::" + settings, KnownTypes.RulesNamespaceRef + "." + rule, keys, primary, decay, formula, dependsOnStep, fullNames: true)
    {
    }

    private RuleEmitter(string displayName, string settingsRef, string ruleRef, string[] keys, string? primary, string decay, string formula, System.Func<string, string, string, string> dependsOnStep, bool fullNames)
    {
        _ = fullNames;
        _dependsOnStep = dependsOnStep;
        _decay = decay;
        DisplayName = displayName;
        SettingsTypeRef = settingsRef;
        _rule = ruleRef;
        StateBuffers = keys.Select((key, i) => (key, BufferProperties[i])).ToArray();
        PrimaryStateBuffer = primary;
        _formula = formula;
    }

    /// <summary>
    /// The emitter for a user's <c>[UpdateRule]</c> type: the same state types and loop as the built-ins, with the rule
    /// the generator wrote into that type (<c>Lion.Rule&lt;T&gt;</c>).
    /// </summary>
    public static RuleEmitter ForUserRule(UserRule rule)
    {
        string states = string.Concat(rule.StateKeys.Select(k => ", ref " + k));
        return new RuleEmitter(
            rule.Name, rule.TypeRef, rule.TypeRef + ".Rule", rule.StateKeys.ToArray(), rule.StateKeys.FirstOrDefault(),
            "g ← clip(±g) ;  ", rule.Name + ".Update(ref {0}, g" + states.Replace("{", "{{").Replace("}", "}}") + ")",
            (options, step, built) => rule.ReadsStep ? "true" : "false",   // rebuilt every step when they read it
            fullNames: true);
    }

    public override string DisplayName { get; }

    public override string SettingsTypeRef { get; }

    public override IReadOnlyList<(string Key, string Property)> StateBuffers { get; }

    public override string? PrimaryStateBuffer { get; }

    public override string ScalarStateTypeRef(string element) => $"{KnownTypes.ScalarStateRef}<{element}>";

    public override string ArrayStateTypeRef(string element) => $"{KnownTypes.UpdateStateRef}<{element}>";

    public override string CreateCoefficients(string element) => $"{_rule}<{element}>.Create(options, step, {ClippingEmitter.Local})";

    public override string CoefficientsTypeRef(string element) => $"{_rule}<{element}>";

    public override string CoefficientsDependOnStep(string options, string step, string builtStep) => _dependsOnStep(options, step, builtStep);

    /// <summary>The update's math for a comment, without the weight-decay term when the field is excluded from it.</summary>
    private string Formula(ParamField field) =>
        string.Format((field.ExcludeFromWeightDecay ? "g ← clip(±g) ;  " : _decay) + _formula, field.Name);

    public override void EmitScalarUpdate(IndentedWriter writer, ParamField field)
    {
        writer.Line($"// {field.Name}{(field.ExcludeFromWeightDecay ? " (no weight decay)" : string.Empty)}:  {Formula(field)}");
        EmitWithCoefficients(writer, field, $"state.{field.Id}.Update(ref this.{field.Id}, ref grad.{field.Id}, {{0}}, step);");
    }

    public override void EmitArrayUpdate(IndentedWriter writer, ParamField field)
    {
        string shape = field.Shape.Count == 0 ? "[]" : "[" + string.Join("×", field.Shape) + "]";
        writer.Line($"// {field.Name} ({Names.Keyword(field.Element)}{shape}{(field.ExcludeFromWeightDecay ? ", no weight decay" : string.Empty)}):  one fused pass of {Formula(field)} ;  grad.{field.Id} ← 0");
        EmitWithCoefficients(writer, field, $"state.{field.Id}.Update(this.{field.Id}, grad.{field.Id}, {{0}}, __updateThreads);");
    }
}
