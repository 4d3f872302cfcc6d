using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// The gradient-clipping part of the generated class: the <c>GradientClipping</c> property, and in the update the
/// norms and per-parameter factors that the optimizer's update multiplies the gradients by (the value clamp is in the
/// optimizer's coefficients). The norms cost one read pass over the gradients, only while a norm limit is set.
/// </summary>
internal static class ClippingEmitter
{
    /// <summary>The local holding this step's <c>GradientClipping</c>.</summary>
    public const string Local = "clipping";

    /// <summary>The local holding <paramref name="field"/>'s clipping factor (1 when not clipping by norm).</summary>
    public static string Factor(ParamField field) => "factor_" + field.Name;

    public static void EmitProperty(IndentedWriter writer, string generatedCode, string invalidateCoefficients)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Gradient clipping applied by every update, in the same pass: by value, by each parameter's norm or by the norm of all");
        writer.Line("/// gradients (PyTorch's <c>clip_grad_value_</c> and <c>clip_grad_norm_</c>; Keras' <c>clipvalue</c>, <c>clipnorm</c> and");
        writer.Line("/// <c>global_clipnorm</c>). None by default. Replace it between steps, e.g.");
        writer.Line("/// <c>GradientClipping = global::OptimizerGen.GradientClipping.ByGlobalNorm(1.0)</c> (allocates nothing).");
        writer.Line("/// </summary>");
        writer.Line(generatedCode);
        using (writer.Block($"public {KnownTypes.GradientClippingRef} GradientClipping"))
        {
            writer.Line("get => __gradientClipping;");
            writer.Line($"set {{ __gradientClipping = value; {invalidateCoefficients} }}   // the next update rebuilds its coefficients");
        }

        writer.Line();
        writer.Line($"private {KnownTypes.GradientClippingRef} __gradientClipping;");
    }

    /// <summary>
    /// Declares <see cref="Local"/> and one <see cref="Factor"/> local per field; <c>grad</c> is in scope. Runs before
    /// anything changes: with <c>ErrorIfNonFinite</c> the norms may throw.
    /// </summary>
    public static void EmitFactors(IndentedWriter writer, OptimizedClass model)
    {
        writer.Line("// Gradient clipping: with a norm limit, each gradient's p-norm (one read pass) and its factor f = min(1, limit / (‖g‖ + ε));");
        writer.Line("// the update below multiplies each gradient by its f and clamps it to ±MaxValue, in its one pass.");
        writer.Line($"ref readonly {KnownTypes.GradientClippingRef} {Local} = ref __gradientClipping;");
        writer.Line($"double {string.Join(", ", model.Fields.Select(f => Factor(f) + " = 1"))};");
        using (writer.Block($"if ({Local}.ClipsNorm)"))
        {
            foreach (ParamField field in model.Fields)
            {
                writer.Line(field.IsArray
                    ? $"double norm_{field.Name} = {Local}.Norm<{Names.Keyword(field.Element)}>(grad.{field.Id});"
                    : $"double norm_{field.Name} = {Local}.Norm(grad.{field.Id});");
            }

            writer.Line($"double globalFactor = {Local}.GlobalFactor([{string.Join(", ", model.Fields.Select(f => "norm_" + f.Name))}]);");
            foreach (ParamField field in model.Fields)
            {
                writer.Line($"{Factor(field)} = {Local}.Factor(norm_{field.Name}, globalFactor);");
            }
        }
    }
}
