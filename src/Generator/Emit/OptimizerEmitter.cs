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
    /// A C# condition, true when coefficients built for step <paramref name="builtStep"/> under <paramref name="options"/>
    /// (and the same gradient clipping) may differ from those of step <paramref name="step"/>: the generated update then
    /// rebuilds them. Always true unless an optimizer knows better (a rule with bias correction depends on every step).
    /// It may read only its arguments; hyperparameters stay runtime values.
    /// </summary>
    public virtual string CoefficientsDependOnStep(string options, string step, string builtStep) => "true";

    /// <summary>The field caching the coefficients of <paramref name="element"/> (<paramref name="excluded"/>: without weight decay).</summary>
    internal static string CacheField(ElementType element, bool excluded) => "__" + Local(element, excluded);

    /// <summary>The field behind the generated <c>Optimizer</c> property.</summary>
    public const string OptionsField = "__optimizer";

    /// <summary>The field holding the step the cached coefficients were built for; 0 when they must be rebuilt.</summary>
    public const string CoefficientsStepField = "__coefficientsStep";

    /// <summary>
    /// The statements that make the next update rebuild the cached coefficients (and leave any plain step for the general
    /// update, which rebuilds them): what <c>Optimizer</c>'s, <c>GradientClipping</c>'s and <c>SkipNonFiniteGradients</c>'
    /// setters and <c>ResetOptimizerState</c> run.
    /// </summary>
    public virtual string InvalidateCoefficients(OptimizedClass model) => $"{CoefficientsStepField} = 0;";

    /// <summary>
    /// Declares the fields that cache the coefficients between steps (one per element type in use, and its copy without
    /// weight decay when a field of that type is excluded from it) and the step they were built for.
    /// </summary>
    public void EmitCoefficientFields(IndentedWriter writer, OptimizedClass model)
    {
        writer.Line($"private long {CoefficientsStepField};   // the step the cached coefficients were built for; 0: rebuild them");
        if (!CachesCoefficients)
        {
            return;
        }

        foreach ((ElementType element, bool excluded) in CachedCoefficients(model))
        {
            writer.Line($"private {CoefficientsTypeRef(Names.Keyword(element))} {CacheField(element, excluded)};");
        }

        foreach ((string type, string field, _) in DerivedCoefficients(model))
        {
            writer.Line($"private {type} {field};");
        }
    }

    /// <summary>
    /// The type of this optimizer's coefficients in <paramref name="element"/> (what <see cref="CreateCoefficients"/>
    /// returns), or null: then they are not cached, but built every step.
    /// </summary>
    public virtual string? CoefficientsTypeRef(string element) => null;

    private bool CachesCoefficients => CoefficientsTypeRef("float") is not null;

    /// <summary>
    /// Declares the locals named by <see cref="CoefficientsLocal"/> for this step: one per element type in use, and its
    /// copy without weight decay when a field of that type is excluded from it. They come from fields that cache them
    /// between steps, rebuilt (with <see cref="CreateCoefficients"/>) only when <c>Optimizer</c> or <c>GradientClipping</c>
    /// was replaced (their setters clear <see cref="CoefficientsStepField"/>) or when they depend on the step
    /// (<see cref="CoefficientsDependOnStep"/>): the same values as building them every step, without the cost.
    /// <c>step</c> and <see cref="ClippingEmitter.Local"/> are in scope.
    /// </summary>
    public void EmitCoefficients(IndentedWriter writer, OptimizedClass model)
    {
        var cached = CachedCoefficients(model);
        if (!CachesCoefficients)
        {
            writer.Line($"{SettingsTypeRef} options = {OptionsField};");
            foreach ((ElementType element, bool excluded) in cached)
            {
                writer.Line(excluded
                    ? $"var {Local(element, true)} = {Local(element, false)}.WithoutWeightDecay();"
                    : $"var {Local(element, false)} = {CreateCoefficients(Names.Keyword(element))};");
            }

            foreach ((string type, string field, string value) in DerivedCoefficients(model))
            {
                writer.Line($"{type} {field} = {value};");
            }

            return;
        }

        writer.Line("// The coefficients: rebuilt only when Optimizer or GradientClipping was replaced or when they depend on the step.");
        writer.Line($"if ({RebuildCondition}) {BuilderName}(step);");
        EmitCachedCoefficientLocals(writer, model);
    }

    /// <summary>The locals named by <see cref="CoefficientsLocal"/>, as references to the cached coefficients (no rebuild test).</summary>
    protected void EmitCachedCoefficientLocals(IndentedWriter writer, OptimizedClass model)
    {
        foreach ((ElementType element, bool excluded) in CachedCoefficients(model))
        {
            writer.Line($"ref readonly var {Local(element, excluded)} = ref {CacheField(element, excluded)};");
        }
    }

    /// <summary>
    /// Whether the update of <paramref name="model"/> has a plain step: a short path, taken while only the plain update is
    /// on, that the update method tests for first (<see cref="PlainStepCondition"/>, <see cref="EmitPlainStep"/>) before
    /// the general update, which then goes out of line.
    /// </summary>
    public virtual bool HasPlainStep(OptimizedClass model) => false;

    /// <summary>
    /// Whether the plain step inlines an array's whole loop (then <c>ApplyGradients</c> calls the plain step as a method of
    /// its own, not inlined into it, so that the loop fits the JIT's inlining budget: see <c>ClassEmitter</c>).
    /// </summary>
    public virtual bool PlainStepInlinesLoop(OptimizedClass model) => false;

    /// <summary>The test, on cached fields only, that the plain step is this step's whole update.</summary>
    public virtual string PlainStepCondition => "false";

    /// <summary>The plain step's body: updates every field and returns true.</summary>
    public virtual void EmitPlainStep(IndentedWriter writer, OptimizedClass model)
    {
    }

    private string RebuildCondition
    {
        get
        {
            string dependsOnStep = CoefficientsDependOnStep(OptionsField, "step", CoefficientsStepField);
            return dependsOnStep switch
            {
                "false" => $"{CoefficientsStepField} == 0",
                "true" => $"{CoefficientsStepField} != step",   // step ≥ 1: also when they were never built
                _ => $"{CoefficientsStepField} == 0 || ({CoefficientsStepField} != step && ({dependsOnStep}))",
            };
        }
    }

    /// <summary>The private method that rebuilds the cached coefficients.</summary>
    public const string BuilderName = "__BuildCoefficients";

    /// <summary>
    /// The method that rebuilds the cached coefficients for a step (out of line: the update's own frame stays small).
    /// Nothing when this optimizer does not cache them.
    /// </summary>
    public void EmitCoefficientBuilder(IndentedWriter writer, OptimizedClass model)
    {
        if (!CachesCoefficients)
        {
            return;
        }

        writer.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        using (writer.Block($"private void {BuilderName}(long step)"))
        {
            writer.Line($"ref readonly {KnownTypes.GradientClippingRef} {ClippingEmitter.Local} = ref __gradientClipping;");
            writer.Line($"{SettingsTypeRef} options = {OptionsField};");
            foreach ((ElementType element, bool excluded) in CachedCoefficients(model))
            {
                writer.Line(excluded
                    ? $"{CacheField(element, true)} = {CacheField(element, false)}.WithoutWeightDecay();"
                    : $"{CacheField(element, false)} = {CreateCoefficients(Names.Keyword(element))};");
            }

            foreach ((_, string field, string value) in DerivedCoefficients(model))
            {
                writer.Line($"{field} = {value};");
            }

            writer.Line($"{CoefficientsStepField} = step;");
        }
    }

    /// <summary>
    /// Values cached beside the coefficients and set with them: derived from the coefficients and
    /// <see cref="ClippingEmitter.Local"/>, or read by the plain step. Field type, field name and the expression, which may
    /// read the freshly built coefficient fields.
    /// </summary>
    public virtual System.Collections.Generic.IEnumerable<(string Type, string Field, string Value)> DerivedCoefficients(OptimizedClass model) =>
        System.Array.Empty<(string, string, string)>();

    private static System.Collections.Generic.List<(ElementType Element, bool Excluded)> CachedCoefficients(OptimizedClass model)
    {
        var cached = new System.Collections.Generic.List<(ElementType, bool)>();
        foreach (ElementType element in new[] { ElementType.Float, ElementType.Double })
        {
            var fields = model.Fields.Where(f => f.Element == element).ToList();
            if (fields.Count == 0)
            {
                continue;
            }

            cached.Add((element, false));
            if (fields.Any(f => f.ExcludeFromWeightDecay))
            {
                cached.Add((element, true));
            }
        }

        return cached;
    }

    /// <summary>The local that holds this step's coefficients for <paramref name="field"/>.</summary>
    public string CoefficientsLocal(ParamField field) => Local(field.Element, field.ExcludeFromWeightDecay);

    /// <summary>
    /// Writes <paramref name="call"/> (a statement with <c>{0}</c> where the coefficients go) twice: with the coefficients for
    /// <paramref name="field"/> and its gradient-clipping factor folded in while a norm limit is set (<see cref="ClippingEmitter"/>;
    /// the value clamp is already in the coefficients), else with the cached coefficients passed by reference. A
    /// conditional expression picking one of the two would copy the coefficient struct on every step, and the update
    /// would then read it back from that fresh copy (several nanoseconds a call at N = 64).
    /// </summary>
    public void EmitWithCoefficients(IndentedWriter writer, ParamField field, string call)
    {
        string c = CoefficientsLocal(field);
        writer.Line($"if ({ClippingEmitter.Local}.ClipsNorm) " + string.Format(System.Globalization.CultureInfo.InvariantCulture, call, $"{c}.WithGradientFactor({ClippingEmitter.Factor(field)})"));
        writer.Line("else " + string.Format(System.Globalization.CultureInfo.InvariantCulture, call, "in " + c));
    }

    protected static string Local(ElementType element, bool excluded) =>
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
