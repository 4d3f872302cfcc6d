using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>The RMSprop parts of the generated class. The math is <c>OptimizerGen.RmsProp</c>'s remarks, written once more per scalar field.</summary>
internal sealed class RmsPropEmitter : OptimizerEmitter
{
    public static readonly RmsPropEmitter Instance = new();

    public override string DisplayName => "RMSprop";

    public override string SettingsTypeRef => KnownTypes.RmsPropRef;

    public override System.Collections.Generic.IReadOnlyList<(string Key, string Property)> StateBuffers { get; } =
        new[] { ("square_avg", "SquareAvg"), ("grad_avg", "GradAvg"), ("momentum_buffer", "MomentumBuffer") };

    public override string PrimaryStateBuffer => "square_avg";

    public override string ScalarStateTypeRef(string element) => $"{KnownTypes.RmsPropScalarStateRef}<{element}>";

    public override string ArrayStateTypeRef(string element) => $"{KnownTypes.RmsPropStateRef}<{element}>";

    public override string CreateCoefficients(string element) => $"{KnownTypes.RmsPropCoefficientsRef}<{element}>.Create(options, step, {ClippingEmitter.Local})";

    public override string CoefficientsTypeRef(string element) => $"{KnownTypes.RmsPropCoefficientsRef}<{element}>";

    /// <summary>Only the bias correction 1 / (1 − ρᵗ) depends on the step.</summary>
    public override string CoefficientsDependOnStep(string options, string step, string builtStep) => $"{options}.BiasCorrection";

    public override void EmitScalarUpdate(IndentedWriter writer, ParamField field)
    {
        string t = Names.Keyword(field.Element);
        string zero = field.Element == ElementType.Float ? "0f" : "0d";
        string c = CoefficientsLocal(field);
        string p = "this." + field.Id;
        bool decay = !field.ExcludeFromWeightDecay;

        writer.Line(decay
            ? $"// {field.Name}:  g ← clip(±g) + λ·{field.Name} ;  {field.Name} ← (1 − lr·λ)·{field.Name} ;  v ← ρ·v + (1−ρ)·g² ;  {field.Name} ← {field.Name} − lr·g / (√v + ε)"
            : $"// {field.Name} (no weight decay):  g ← clip(±g) ;  v ← ρ·v + (1−ρ)·g² ;  {field.Name} ← {field.Name} − lr·g / (√v + ε)");
        writer.Line("//     with the centered, momentum and bias-correction terms when those options are on");
        using (writer.Block())
        {
            writer.Line($"ref {ScalarStateTypeRef(t)} s = ref state.{field.Id};");
            writer.Line($"if (step == 1) s = new {ScalarStateTypeRef(t)}({c}.InitialAccumulatorValue);");
            EmitGeneralScalarUpdate(writer, field, t, zero, c, p, decay);
        }
    }

    /// <summary>
    /// Every RMSprop model has a plain step: each scalar field's two lines of arithmetic and each array field's call into
    /// the plain loop (<c>RmsPropState.TryPlainStep</c> for a model with one array, <c>PlainStep</c> after every array's
    /// check for several), nothing else.
    /// </summary>
    public override bool HasPlainStep(OptimizedClass model) => model.Fields.Count > 0;

    /// <summary>One array field: its plain step is <c>RmsPropState.TryPlainStep</c>, checks and loop inlined (several arrays each take a call).</summary>
    public override bool PlainStepInlinesLoop(OptimizedClass model) => HasPlainStep(model) && model.Fields.Count(f => f.IsArray) == 1;

    /// <summary>
    /// One cached flag (<see cref="PlainStepField"/>): every field's coefficients are cached and plain (no option on, no bias
    /// correction, so they do not depend on the step, no norm clipping) and the non-finite guard is off. A flag that is set
    /// also means the state is there: the first step, always the general update, builds it, and whatever starts over
    /// (<c>ResetOptimizerState</c>, <c>LoadCheckpoint</c>, a new <c>Optimizer</c>, <c>GradientClipping</c> or
    /// <c>SkipNonFiniteGradients</c>) clears it with the cache (<see cref="InvalidateCoefficients"/>). Not testing
    /// <c>StepCount</c> here measured 3.90 → 3.45 ns a step at N = 2 (docs/benchmarks.md, run 9).
    /// </summary>
    public override string PlainStepCondition => $"this.{PlainStepField}";

    public override string InvalidateCoefficients(OptimizedClass model) => HasPlainStep(model)
        ? $"{CoefficientsStepField} = 0; {PlainStepField} = false;"
        : base.InvalidateCoefficients(model);

    private const string PlainStepField = "__plainStep";

    public override void EmitPlainStep(IndentedWriter writer, OptimizedClass model)
    {
        writer.Line("Gradients grad = __grad!;   // there: the first step, always the general update, made it and the cached coefficients");
        var arrays = model.Fields.Where(f => f.IsArray).ToList();
        if (arrays.Count < model.Fields.Count)
        {
            writer.Line("OptimizerStates state = __optimizerState;");
        }

        if (arrays.Count == 0)
        {
            EmitPlainFields(writer, model);
            return;
        }

        if (arrays.Count == 1)
        {
            // One array: one call checks it and runs its pass; the scalar fields follow only when it did.
            ParamField array = arrays[0];
            string t = Names.Keyword(array.Element);
            EmitPlainCoefficientLocals(writer, model);
            writer.Line();
            writer.Line($"// {array.Name} ({t}[]):  v ← ρ·v + (1−ρ)·g² ;  {array.Name} ← {array.Name} − lr·g / (√(v + ε_in) + ε_out) ;  g ← 0, in one pass,");
            writer.Line($"// when {array.Name}, its gradient and its state are there with one length and the update runs on one thread; otherwise nothing");
            writer.Line("// changes here and the general update below checks each one and says what is wrong.");
            using (writer.Block($"if ({StateField(array)}!.TryPlainStep(this.{array.Id}, grad.{array.Id}, in {PlainLocal(array)}, __updateThreads))"))
            {
                EmitPlainFields(writer, model, coefficientLocals: false, arrayPasses: false);
            }

            return;
        }

        writer.Line();
        writer.Line("// Every array there, of its parameter's length, with its state built for that length, and updated on one thread;");
        writer.Line("// otherwise the general update below checks each one and says what is wrong.");
        string ready = string.Join(" && ", arrays.Select(f => $"{StateField(f)}!.IsReadyForPlainStep(this.{f.Id}, grad.{f.Id}, __updateThreads)"));
        using (writer.Block($"if ({ready})"))
        {
            EmitPlainFields(writer, model);
        }
    }

    /// <summary>
    /// Every field's plain update; <c>grad</c> is in scope, and <c>state</c> when the model has scalar fields (arrays reach
    /// their states through <see cref="StateField"/>). The scalar fields read everything and compute
    /// into locals first and store afterwards (no read waits behind a store it might overlap): at N = 2 that measured
    /// 4.2–4.3 ns a step against 5.0–5.5 ns field by field, over five BenchmarkDotNet processes each (docs/benchmarks.md,
    /// run 9). The arrays' passes come last.
    /// </summary>
    private void EmitPlainFields(IndentedWriter writer, OptimizedClass model, bool coefficientLocals = true, bool arrayPasses = true)
    {
        if (coefficientLocals)
        {
            EmitPlainCoefficientLocals(writer, model);
        }

        var scalars = model.Fields.Where(f => !f.IsArray).ToList();
        foreach (ParamField field in scalars)
        {
            string t = Names.Keyword(field.Element);
            string c = PlainLocal(field);
            if (coefficientLocals || field != scalars[0])
            {
                writer.Line();   // not at the top of a block
            }

            writer.Line($"// {field.Name}:  v ← ρ·v + (1−ρ)·g² ;  {field.Name} ← {field.Name} − lr·g / (√(v + ε_in) + ε_out)");
            writer.Line($"{t} g_{field.Name} = grad.{field.Id};");
            writer.Line($"{t} v_{field.Name} = {t}.FusedMultiplyAdd({c}.OneMinusDecay * g_{field.Name}, g_{field.Name}, {c}.Decay * state.{field.Id}.SquareAvg);");
            writer.Line($"{t} p_{field.Name} = this.{field.Id} + {c}.NegativeDirectStep * g_{field.Name} / ({t}.Sqrt(v_{field.Name} + {c}.EpsilonInside) + {c}.EpsilonOutside);");
        }

        if (scalars.Count == 0 && !arrayPasses)
        {
            writer.Line("StepCount++;");
            writer.Line("return true;");
            return;
        }

        writer.Line();
        writer.Line(scalars.Count > 0
            ? "// Then the stores, after every read: v, the parameter, g ← 0, and the step count."
            : "// The step count, then each array's pass.");
        foreach (ParamField field in scalars)
        {
            string zero = field.Element == ElementType.Float ? "0f" : "0d";
            writer.Line($"state.{field.Id}.SquareAvg = v_{field.Name};");
            writer.Line($"this.{field.Id} = p_{field.Name};");
            writer.Line($"grad.{field.Id} = {zero};");
        }

        writer.Line("StepCount++;");
        foreach (ParamField field in model.Fields.Where(f => f.IsArray && arrayPasses))
        {
            string t = Names.Keyword(field.Element);
            writer.Line();
            writer.Line($"// {field.Name} ({t}[]):  v ← ρ·v + (1−ρ)·g² ;  {field.Name} ← {field.Name} − lr·g / (√(v + ε_in) + ε_out) ;  g ← 0, in one pass");
            writer.Line($"{StateField(field)}!.PlainStep(this.{field.Id}, grad.{field.Id}, in {PlainLocal(field)});");
        }

        writer.Line();
        writer.Line("return true;");
    }

    /// <summary>
    /// Whether this step is the plain one (see <see cref="PlainStepCondition"/>): every kind of field's coefficients plain
    /// (<c>RmsPropCoefficients.IsPlain</c>), no norm clipping, and coefficients that do not change with the step.
    /// </summary>
    public override System.Collections.Generic.IEnumerable<(string Type, string Field, string Value)> DerivedCoefficients(OptimizedClass model)
    {
        if (HasPlainStep(model))
        {
            foreach (ElementType element in PlainElements(model))
            {
                string t = Names.Keyword(element);
                yield return ($"{KnownTypes.RmsPropPlainCoefficientsRef}<{t}>", PlainField(element), $"{KnownTypes.RmsPropPlainCoefficientsRef}<{t}>.From({PlainSource(model, element)})");
            }

            // Each array's state, for the plain step to reach v in two loads (model, state) rather than three (model, states,
            // state): at N = 64 that third load cost 0.25–0.5 ns of ~11 a step (interleaved, six processes; docs/benchmarks.md,
            // "Runs 14 and 15").
            // OptimizerStates' fields are readonly, so the reference never goes stale; it is set by the first step's rebuild,
            // before any plain step.
            foreach (ParamField field in model.Fields.Where(f => f.IsArray))
            {
                yield return (ArrayStateTypeRef(Names.Keyword(field.Element)) + "?", StateField(field), $"__optimizerState.{field.Id}");
            }

            // Every set of plain coefficients the step reads was made from plain ones, and so every cache a field uses is plain
            // (PlainSource). PlainStep checks them and would otherwise throw, with no try around the plain step.
            var plain = PlainElements(model).Select(e => PlainField(e) + ".IsPlain");   // in field order: the same text on every run
            yield return ("bool", PlainStepField, $"!{ClippingEmitter.Local}.ClipsNorm && {string.Join(" && ", plain)} && !options.BiasCorrection && !this.SkipNonFiniteGradients");
        }
    }

    /// <summary>
    /// The element types of <paramref name="model"/>'s fields, in field order: each has one set of plain coefficients, for
    /// its fields with weight decay and without alike (when both kinds are plain, their coefficients are the same).
    /// </summary>
    private static System.Collections.Generic.IEnumerable<ElementType> PlainElements(OptimizedClass model) =>
        model.Fields.Select(f => f.Element).Distinct();

    /// <summary>
    /// The cache <paramref name="element"/>'s plain coefficients are made from: the one without weight decay when every field
    /// of that type is excluded from it — under weight decay only that one is plain, and it is what those fields use.
    /// </summary>
    private static string PlainSource(OptimizedClass model, ElementType element) =>
        CacheField(element, model.Fields.Where(f => f.Element == element).All(f => f.ExcludeFromWeightDecay));

    /// <summary>The field caching the plain coefficients of <paramref name="element"/> (<c>RmsPropPlainCoefficients</c>).</summary>
    private static string PlainField(ElementType element) => CacheField(element, false) + "Plain";

    /// <summary>The field caching array <paramref name="field"/>'s state (<c>OptimizerState.{name}</c>) for the plain step.</summary>
    private static string StateField(ParamField field) => StateFieldName(field.Name);

    /// <summary>
    /// The private field caching the state of the array parameter named <paramref name="fieldName"/> (as declared, without
    /// <c>@</c>); the parser reserves it (OPTG007) for every array parameter.
    /// </summary>
    internal static string StateFieldName(string fieldName) => "__state_" + fieldName;

    /// <summary>The plain step's local for <paramref name="field"/>'s plain coefficients.</summary>
    private static string PlainLocal(ParamField field) => Local(field.Element, false);

    /// <summary>The plain step's locals: a reference to each element type's cached plain coefficients.</summary>
    private static void EmitPlainCoefficientLocals(IndentedWriter writer, OptimizedClass model)
    {
        foreach (ElementType element in PlainElements(model))
        {
            writer.Line($"ref readonly var {Local(element, false)} = ref {PlainField(element)};");
        }
    }

    private static void EmitGeneralScalarUpdate(IndentedWriter writer, ParamField field, string t, string zero, string c, string p, bool decay)
    {
        writer.Line($"{t} g = {c}.Gradient.GradientScale * ({t}){ClippingEmitter.Factor(field)} * grad.{field.Id};");
        writer.Line($"if ({c}.Gradient.ClipsValue) g = {t}.Min({t}.Max(g, -{c}.Gradient.ClipValue), {c}.Gradient.ClipValue);");
        if (decay)
        {
            writer.Line($"if ({c}.Gradient.HasCoupledDecay) g = {t}.FusedMultiplyAdd({p}, {c}.Gradient.CoupledDecay, g);");
        }

        writer.Line($"grad.{field.Id} = {zero};");
        writer.Line(decay ? $"{t} p = {p} * {c}.Gradient.ParameterScale;" : $"{t} p = {p};");
        writer.Line($"s.SquareAvg = {t}.FusedMultiplyAdd({c}.OneMinusDecay * g, g, {c}.Decay * s.SquareAvg);");
        writer.Line($"{t} variance = s.SquareAvg * {c}.Correction;");
        using (writer.Block($"if ({c}.Centered)"))
        {
            writer.Line("// m ← ρ·m + (1−ρ)·g ;  variance = v̂ − m̂²  (clamped at 0 on request)");
            writer.Line($"s.GradAvg = {t}.FusedMultiplyAdd(g, {c}.OneMinusDecay, {c}.Decay * s.GradAvg);");
            writer.Line($"{t} mHat = s.GradAvg * {c}.Correction;");
            writer.Line($"variance = {t}.FusedMultiplyAdd(-mHat, mHat, variance);");
            writer.Line($"if ({c}.ClampVariance) variance = {t}.Max(variance, {zero});");
        }

        writer.Line();
        writer.Line("// d = √(variance + ε_in) + ε_out");
        writer.Line($"{t} d = {t}.Sqrt(variance + {c}.EpsilonInside) + {c}.EpsilonOutside;");
        using (writer.Block($"if ({c}.HasMomentum)"))
        {
            writer.Line($"// u = g/d ;  b ← μ·b + gain·u ;  {field.Name} ← {field.Name} − step_b·b − step_u·u");
            writer.Line($"{t} u = g / d;");
            writer.Line($"s.MomentumBuffer = {t}.FusedMultiplyAdd({c}.BufferGain, u, {c}.Momentum * s.MomentumBuffer);");
            writer.Line($"{p} = {t}.FusedMultiplyAdd(-{c}.BufferStep, s.MomentumBuffer, {t}.FusedMultiplyAdd(-{c}.DirectStep, u, p));");
        }

        using (writer.Block("else"))
        {
            writer.Line($"// {field.Name} ← {field.Name} − lr·g/d");
            writer.Line($"{p} = p + (-{c}.DirectStep * g) / d;");
        }
    }

    public override void EmitArrayUpdate(IndentedWriter writer, ParamField field)
    {
        string shape = field.Shape.Count == 0 ? "[]" : "[" + string.Join("×", field.Shape) + "]";
        writer.Line(field.ExcludeFromWeightDecay
            ? $"// {field.Name} ({Names.Keyword(field.Element)}{shape}, no weight decay):  one fused pass of the same update over every element; grad.{field.Id} ← 0"
            : $"// {field.Name} ({Names.Keyword(field.Element)}{shape}):  one fused pass of the same update over every element; grad.{field.Id} ← 0");
        EmitWithCoefficients(writer, field, $"state.{field.Id}.Update(this.{field.Id}, grad.{field.Id}, {{0}}, __updateThreads);");
    }
}
