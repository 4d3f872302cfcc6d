using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// What one optimizer contributes to the generated class: its settings type, its state types, the per-step
/// coefficients, and the update of a scalar field (straight-line code) and of an array field (a kernel call).
/// <see cref="ClassEmitter"/> writes everything else, the same for every optimizer.
/// </summary>
internal abstract class OptimizerEmitter
{
    /// <summary>The display name in comments and docs, e.g. "RMSprop".</summary>
    public abstract string DisplayName { get; }

    /// <summary>The settings type, e.g. <c>global::OptimizerGen.RmsProp</c>.</summary>
    public abstract string SettingsTypeRef { get; }

    /// <summary>The state type of a scalar field of <paramref name="element"/>.</summary>
    public abstract string ScalarStateTypeRef(string element);

    /// <summary>The state type of an array field of <paramref name="element"/>.</summary>
    public abstract string ArrayStateTypeRef(string element);

    /// <summary>The state buffers of one parameter: checkpoint tensor suffix (PyTorch's state key) and state property.</summary>
    public abstract System.Collections.Generic.IReadOnlyList<(string Key, string Property)> StateBuffers { get; }

    /// <summary>The state buffer that must be in a checkpoint once a step was taken (the others depend on options).</summary>
    public abstract string? PrimaryStateBuffer { get; }

    /// <summary>
    /// The expression that computes this step's coefficients in <paramref name="element"/>, gradient value clamp included
    /// (<c>options</c>, <c>step</c> and <see cref="ClippingEmitter.Local"/> are in scope).
    /// </summary>
    public abstract string CreateCoefficients(string element);

    /// <summary>
    /// Declares the locals named by <see cref="CoefficientsLocal"/> for this step: one per element type in use, and its
    /// copy without weight decay when a field of that type is excluded from it.
    /// </summary>
    public void EmitCoefficients(IndentedWriter writer, OptimizedClass model)
    {
        foreach (ElementType element in new[] { ElementType.Float, ElementType.Double })
        {
            var fields = model.Fields.Where(f => f.Element == element).ToList();
            if (fields.Count == 0)
            {
                continue;
            }

            string local = Local(element, excluded: false);
            writer.Line($"var {local} = {CreateCoefficients(Names.Keyword(element))};");
            if (fields.Any(f => f.ExcludeFromWeightDecay))
            {
                writer.Line($"var {Local(element, excluded: true)} = {local}.WithoutWeightDecay();");
            }
        }
    }

    /// <summary>The local that holds this step's coefficients for <paramref name="field"/>.</summary>
    public string CoefficientsLocal(ParamField field) => Local(field.Element, field.ExcludeFromWeightDecay);

    /// <summary>
    /// The coefficients for <paramref name="field"/> with its gradient-clipping factor folded in while a norm limit is set
    /// (<see cref="ClippingEmitter"/>); the value clamp is already in the coefficients.
    /// </summary>
    public string ClippedCoefficients(ParamField field)
    {
        string c = CoefficientsLocal(field);
        return $"{ClippingEmitter.Local}.ClipsNorm ? {c}.WithGradientFactor({ClippingEmitter.Factor(field)}) : {c}";
    }

    private static string Local(ElementType element, bool excluded) =>
        (element == ElementType.Float ? "f32" : "f64") + (excluded ? "NoDecay" : string.Empty);

    /// <summary>The straight-line update of a scalar field: <c>grad</c>, <c>state</c> and <c>step</c> are in scope.</summary>
    public abstract void EmitScalarUpdate(IndentedWriter writer, ParamField field);

    /// <summary>The fused kernel call of an array field: <c>grad</c>, <c>state</c> and <c>step</c> are in scope.</summary>
    public abstract void EmitArrayUpdate(IndentedWriter writer, ParamField field);

    public static OptimizerEmitter For(OptimizedClass model) =>
        model.Optimizer == OptimizerKind.UserRule && model.Rule is not null ? RuleEmitter.ForUserRule(model.Rule) : For(model.Optimizer);

    public static OptimizerEmitter For(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => RuleEmitter.Sgd,
        OptimizerKind.AdaGrad => RuleEmitter.AdaGrad,
        OptimizerKind.AdaDelta => RuleEmitter.AdaDelta,
        OptimizerKind.Adam => RuleEmitter.Adam,
        OptimizerKind.AdamW => RuleEmitter.AdamW,
        _ => RmsPropEmitter.Instance,
    };
}
