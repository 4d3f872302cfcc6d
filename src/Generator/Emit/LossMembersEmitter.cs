using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Generator.Differentiation;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// The members a <c>[Loss]</c> method adds: <c>AccumulateGradients(sample)</c>, <c>Step(batch)</c>, the tapes, and the
/// differentiated loss itself (written by <see cref="GradientEmitter"/>).
/// </summary>
internal static class LossMembersEmitter
{
    public static void Emit(IndentedWriter writer, OptimizedClass model, LossModel loss, string generatedCode)
    {
        foreach ((string type, string field) in GradientEmitter.TapeFields(loss))
        {
            writer.Line($"private {type}[] {field} = new {type}[64];");
        }

        writer.Line("private bool __accumulating;   // set while the loss adds into Grad: an exception then zeroes Grad");
        writer.Line();
        writer.Line("/// <summary>Sets every gradient to zero (after the loss threw part-way through accumulating).</summary>");
        using (writer.Block("private void __ZeroGradients()"))
        {
            writer.Line("Gradients grad = Grad;");
            ClassEmitter.EmitZeroGradients(writer, model, "grad");
        }

        writer.Line();
        EmitAccumulate(writer, model, loss, generatedCode);
        writer.Line();
        EmitStep(writer, model, loss, generatedCode);
        writer.Line();
        GradientEmitter.Emit(writer, model, loss);
    }

    private static void EmitAccumulate(IndentedWriter writer, OptimizedClass model, LossModel loss, string generatedCode)
    {
        var names = new NameSet(loss.Parameters.Select(p => p.Name));
        string grad = names.Fresh("grad");
        string result = names.Fresh("loss");
        string rt = GradientEmitter.Type(loss.ReturnType);
        var scalars = model.Fields.Where(f => !f.IsArray).Select(f => (Field: f, Local: names.Fresh("d" + f.Name))).ToList();
        string parameters = string.Join(", ", loss.Parameters.Select(p => $"{DeclaredType(p)} {p.Name}"));

        writer.Line("/// <summary>");
        writer.Line($"/// Computes the loss of one sample, as <see cref=\"{loss.MethodName}\"/> does, and adds its gradient to <see cref=\"Grad\"/>");
        writer.Line("/// (reverse-mode differentiation generated at compile time). Call <see cref=\"ApplyGradients\"/> to update the parameters.");
        writer.Line("/// </summary>");
        writer.Line("/// <returns>The loss of the sample.</returns>");
        writer.Line("/// <remarks>If the loss throws part-way (an index out of range, …), every gradient in <see cref=\"Grad\"/> is set to zero before the");
        writer.Line("/// exception propagates (the sample's partial gradient cannot be separated from what was accumulated before).</remarks>");
        if (model.DetectConcurrentUse)
        {
            writer.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another call is using this model at the same time.</exception>");
        }

        writer.Line(generatedCode);
        ClassEmitter.EmitGuarded(writer, model, $"public {rt} AccumulateGradients({parameters})", $"return this.__AccumulateGradients({string.Join(", ", loss.Parameters.Select(p => p.Name))});", zeroGradientsOnThrow: true, loss.Parameters.Select(p => p.Name));
        writer.Line();
        using (writer.Block($"private {rt} __AccumulateGradients({parameters})"))
        {
            writer.Line($"Gradients {grad} = this.Grad;");
            ClassEmitter.EmitArrayChecks(writer, model, grad);
            foreach (var (field, local) in scalars)
            {
                writer.Line($"{Names.Keyword(field.Element)} {local} = {(field.Element == ElementType.Float ? "0f" : "0d")};");
            }

            string arguments = string.Join(", ", loss.Parameters.Select(p => p.Name)
                .Concat(new[] { loss.ReturnType == NumType.Float ? "1f" : "1d" })
                .Concat(scalars.Select(s => "ref " + s.Local))
                .Concat(GradientEmitter.ArrayArguments(model, f => $"this.{f.Id}{(f.IsNullable ? "!" : string.Empty)}", f => $"{grad}.{f.Id}")));
            writer.Line("this.__accumulating = true;");
            writer.Line($"{rt} {result} = {GradientEmitter.CoreName(loss)}({arguments});");
            writer.Line("this.__accumulating = false;");
            foreach (var (field, local) in scalars)
            {
                writer.Line($"{grad}.{field.Id} += {local};");
            }

            writer.Line($"return {result};");
        }
    }

    private static void EmitStep(IndentedWriter writer, OptimizedClass model, LossModel loss, string generatedCode)
    {
        var names = new NameSet(loss.Parameters.Select(p => p.Name));
        bool explicitCount = loss.Parameters.All(p => p.IsVector);
        string count = explicitCount ? names.Fresh("batchSize") : names.Fresh("count");
        string grad = names.Fresh("grad");
        string total = names.Fresh("total");
        string scale = names.Fresh("scale");
        string k = names.Fresh("k");
        string rt = GradientEmitter.Type(loss.ReturnType);
        var scalars = model.Fields.Where(f => !f.IsArray).Select(f => (Field: f, Local: names.Fresh("d" + f.Name))).ToList();
        var widths = loss.Parameters.Where(p => p.IsVector).ToDictionary(p => p.Name, p => names.Fresh(p.Name.TrimStart('@') + "Width"));
        var arrays = model.Fields.Where(f => f.IsArray)
            .Select(f => (Field: f, Values: names.Fresh(f.Name.TrimStart('@') + "Values"), Gradient: names.Fresh(f.Name.TrimStart('@') + "Gradient")))
            .ToList();
        LossParameter? first = loss.Parameters.FirstOrDefault(p => !p.IsVector);

        var parameters = new List<string>();
        if (explicitCount)
        {
            parameters.Add($"int {count}");
        }

        parameters.AddRange(loss.Parameters.Select(p => $"global::System.ReadOnlySpan<{GradientEmitter.Type(p.Element)}> {p.Name}"));

        writer.Line("/// <summary>");
        writer.Line($"/// One training step over a batch: accumulates the gradient of <see cref=\"{loss.MethodName}\"/> over every sample");
        writer.Line(loss.Sum
            ? "/// (summed) into <see cref=\"Grad\"/>, then applies <see cref=\"ApplyGradients\"/>. Allocates nothing after warm-up."
            : "/// (averaged) into <see cref=\"Grad\"/>, then applies <see cref=\"ApplyGradients\"/>. Allocates nothing after warm-up.");
        writer.Line("/// Scalar parameters' gradients stay in locals for the whole batch; array gradients accumulate in place.");
        writer.Line("/// </summary>");
        foreach (LossParameter p in loss.Parameters)
        {
            writer.Line(p.IsVector
                ? $"/// <param name=\"{p.Name}\">The samples' <c>{p.Name}</c> vectors, one after another (row-major: sample i is the i-th slice of equal length).</param>"
                : $"/// <param name=\"{p.Name}\">The samples' <c>{p.Name}</c> values, one per sample.</param>");
        }

        if (explicitCount)
        {
            writer.Line($"/// <param name=\"{count}\">The number of samples in the batch.</param>");
        }

        writer.Line(loss.Sum ? "/// <returns>The sum of the samples' losses.</returns>" : "/// <returns>The mean of the samples' losses.</returns>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">The batch is empty or the inputs' lengths disagree. Nothing was changed.</exception>");
        writer.Line("/// <remarks>If the loss throws for a sample (an index out of range, …), every gradient in <see cref=\"Grad\"/> is set to zero before the");
        writer.Line("/// exception propagates (the batch's partial sum cannot be separated from it); parameters, optimizer state and");
        writer.Line("/// <see cref=\"StepCount\"/> are unchanged.</remarks>");
        if (model.DetectConcurrentUse)
        {
            writer.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another call is using this model at the same time.</exception>");
        }

        writer.Line(generatedCode);
        string stepArguments = string.Join(", ", (explicitCount ? new[] { count } : Array.Empty<string>()).Concat(loss.Parameters.Select(p => p.Name)));
        ClassEmitter.EmitGuarded(writer, model, $"public {rt} Step({string.Join(", ", parameters)})", $"return this.__Step({stepArguments});", zeroGradientsOnThrow: true, loss.Parameters.Select(p => p.Name).Concat(explicitCount ? new[] { count } : Array.Empty<string>()));
        writer.Line();
        using (writer.Block($"private {rt} __Step({string.Join(", ", parameters)})"))
        {
            writer.Line("// Check the batch and every array before anything changes.");
            if (!explicitCount)
            {
                writer.Line($"int {count} = {first!.Name}.Length;");
            }

            // The messages are built out of line (KnownTypes.GuardRef): inline, their string handler would widen this method's frame.
            writer.Line($"if ({count} <= 0) {KnownTypes.GuardRef}.ThrowEmptyBatch(\"{(explicitCount ? count : Plain(first!))}\");");
            foreach (LossParameter p in loss.Parameters)
            {
                if (p.IsVector)
                {
                    writer.Line($"if ({p.Name}.Length % {count} != 0) {KnownTypes.GuardRef}.ThrowVectorBatch(\"{Plain(p)}\", {p.Name}.Length, {count});");
                    writer.Line($"int {widths[p.Name]} = {p.Name}.Length / {count};");
                }
                else if (p != first)
                {
                    writer.Line($"if ({p.Name}.Length != {count}) {KnownTypes.GuardRef}.ThrowSampleCount(\"{Plain(p)}\", {p.Name}.Length, \"{Plain(first!)}\", {count});");
                }
            }

            writer.Line($"Gradients {grad} = this.Grad;");
            ClassEmitter.EmitArrayChecks(writer, model, grad);
            writer.Line();
            writer.Line(loss.Sum
                ? $"{rt} {scale} = {(loss.ReturnType == NumType.Float ? "1f" : "1d")};   // the loss is summed over the batch"
                : $"{rt} {scale} = {(loss.ReturnType == NumType.Float ? "1f" : "1d")} / {count};   // ∂mean/∂loss_k");
            foreach (var (field, local) in scalars)
            {
                writer.Line($"{Names.Keyword(field.Element)} {local} = {grad}.{field.Id};");
            }

            foreach (var (field, values, gradient) in arrays)
            {
                writer.Line($"{Names.Keyword(field.Element)}[] {values} = this.{field.Id}{(field.IsNullable ? "!" : string.Empty)}, {gradient} = {grad}.{field.Id};   // read once, not per sample");
            }

            writer.Line($"{rt} {total} = {(loss.ReturnType == NumType.Float ? "0f" : "0d")};");
            writer.Line("this.__accumulating = true;");
            using (writer.Block($"for (int {k} = 0; {k} < {count}; {k}++)"))
            {
                string arguments = string.Join(", ", loss.Parameters
                    .Select(p => p.IsVector ? $"{p.Name}.Slice({k} * {widths[p.Name]}, {widths[p.Name]})" : $"{p.Name}[{k}]")
                    .Concat(new[] { scale })
                    .Concat(scalars.Select(s => "ref " + s.Local))
                    .Concat(arrays.SelectMany(a => new[] { a.Values, a.Gradient })));
                writer.Line($"{total} += {GradientEmitter.CoreName(loss)}({arguments});");
            }

            writer.Line();
            writer.Line("this.__accumulating = false;");
            foreach (var (field, local) in scalars)
            {
                writer.Line($"{grad}.{field.Id} = {local};");
            }

            writer.Line("this.__ApplyGradients();");
            writer.Line(loss.Sum ? $"return {total};" : $"return {total} / {count};");
        }
    }

    private static string Plain(LossParameter parameter) => parameter.Name.TrimStart('@');

    private static string DeclaredType(LossParameter parameter)
    {
        string element = GradientEmitter.Type(parameter.Element);
        return !parameter.IsVector ? element : parameter.IsArray ? element + "[]" : $"global::System.ReadOnlySpan<{element}>";
    }
}
