using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// Writes <c>SaveCheckpoint</c> / <c>LoadCheckpoint</c>: every parameter and optimizer buffer as a safetensors tensor
/// named after its field (<c>W</c>, <c>W.square_avg</c>, …), plus the step count and hyperparameters. Loading checks the
/// whole file against the model before it changes anything.
/// </summary>
internal static class CheckpointEmitter
{
    private const string Writer = "global::OptimizerGen.Checkpoints.CheckpointWriter";
    private const string Reader = "global::OptimizerGen.Checkpoints.CheckpointReader";
    private const string DType = "global::OptimizerGen.Checkpoints.TensorDType";

    public static void Emit(IndentedWriter writer, OptimizedClass model, OptimizerEmitter optimizer, string generatedCode)
    {
        string modelName = FullName(model);

        writer.Line("/// <summary>");
        writer.Line("/// Saves the parameters, the optimizer state, <see cref=\"StepCount\"/> and <see cref=\"Optimizer\"/> to <paramref name=\"destination\"/>");
        writer.Line("/// as a safetensors checkpoint (tensors named after the fields: <c>W</c>, <c>W.square_avg</c>, …; Python's safetensors reads it).");
        writer.Line("/// </summary>");
        writer.Line(generatedCode);
        ClassEmitter.EmitGuarded(writer, model, "public void SaveCheckpoint(global::System.IO.Stream destination)", "__CreateCheckpoint().WriteTo(destination);");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Saves a checkpoint to the file <paramref name=\"path\"/> atomically (a temporary file renamed over it), so a crash");
        writer.Line("/// mid-save never destroys the previous checkpoint.");
        writer.Line("/// </summary>");
        writer.Line(generatedCode);
        ClassEmitter.EmitGuarded(writer, model, "public void SaveCheckpoint(string path)", "__CreateCheckpoint().WriteTo(path);");
        writer.Line();

        using (writer.Block($"private {Writer} __CreateCheckpoint()"))
        {
            ClassEmitter.EmitArrayChecks(writer, model, grad: null);
            writer.Line($"var checkpoint = {Writer}.Create(\"{modelName}\", Optimizer, StepCount);");
            foreach (ParamField field in model.Fields)
            {
                string element = Names.Keyword(field.Element);
                if (field.IsArray)
                {
                    string shape = Shape(field);
                    writer.Line($"checkpoint.Add<{element}>(\"{field.Name}\", this.{field.Id}, {shape});");
                    foreach (var (key, property) in optimizer.StateBuffers)
                    {
                        writer.Line($"checkpoint.AddIfPresent(\"{field.Name}.{key}\", __optimizerState.{field.Id}.{property}, {shape});");
                    }
                }
                else
                {
                    writer.Line($"checkpoint.Add(\"{field.Name}\", this.{field.Id});");
                    foreach (var (key, property) in optimizer.StateBuffers)
                    {
                        writer.Line($"checkpoint.Add(\"{field.Name}.{key}\", __optimizerState.{field.Id}.{property});");
                    }
                }
            }

            writer.Line("return checkpoint;");
        }

        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a checkpoint written by <see cref=\"SaveCheckpoint(global::System.IO.Stream)\"/>: parameters, optimizer state, step count and hyperparameters.");
        writer.Line("/// The whole file is checked first — model type, optimizer, every tensor's presence, dtype and shape, no extra tensors,");
        writer.Line("/// the SHA-256 of the data — and the model is changed only if all of it is right.");
        writer.Line("/// </summary>");
        writer.Line("/// <exception cref=\"global::System.IO.InvalidDataException\">The checkpoint does not match this model or is corrupted; the model is unchanged.</exception>");
        writer.Line(generatedCode);
        ClassEmitter.EmitGuarded(writer, model, "public void LoadCheckpoint(global::System.IO.Stream source)", "__LoadCheckpoint(source);");
        writer.Line();
        using (writer.Block("private void __LoadCheckpoint(global::System.IO.Stream source)"))
        {
            writer.Line($"var checkpoint = {Reader}.Read(source, \"{modelName}\", out {optimizer.SettingsTypeRef} options);");
            writer.Line();
            writer.Line("// Check every tensor before anything changes.");
            foreach (ParamField field in model.Fields)
            {
                string dtype = $"{DType}.{(field.Element == ElementType.Float ? "F32" : "F64")}";
                string shape = field.IsArray
                    ? $"{(field.Shape.Count > 0 ? Shape(field) : $"new[] {{ {KnownTypes.GuardRef}.ParameterLength(this.{field.Id}, \"{field.Name}\") }}")}"
                    : "global::System.Array.Empty<int>()";
                string shapeLocal = field.Name + "Shape";
                if (field.IsArray && field.Shape.Count > 0)
                {
                    writer.Line($"{KnownTypes.GuardRef}.ParameterLength(this.{field.Id}, \"{field.Name}\");");
                    writer.Line($"{KnownTypes.GuardRef}.CheckShape(this.{field.Id}, {Names.ShapeLength(field)}, \"{field.Name}\", \"{Names.ShapeText(field)}\");");
                }

                writer.Line($"int[] {shapeLocal} = {shape};");
                writer.Line($"checkpoint.Expect(\"{field.Name}\", {dtype}, {shapeLocal}, required: true);");
                foreach (var (key, _) in optimizer.StateBuffers)
                {
                    string required = key == optimizer.PrimaryStateBuffer ? "checkpoint.Step > 0" : "false";
                    writer.Line($"checkpoint.Expect(\"{field.Name}.{key}\", {dtype}, {shapeLocal}, required: {(field.IsArray ? required : "true")});");
                }
            }

            writer.Line("checkpoint.CheckComplete();");
            writer.Line();
            writer.Line("// Everything matches: now change the model.");
            foreach (ParamField field in model.Fields)
            {
                string element = Names.Keyword(field.Element);
                if (field.IsArray)
                {
                    writer.Line($"checkpoint.CopyTo<{element}>(\"{field.Name}\", this.{field.Id});");
                    string buffers = string.Join(", ", optimizer.StateBuffers.Select(b => $"checkpoint.ArrayOrNull<{element}>(\"{field.Name}.{b.Key}\")"));
                    writer.Line(optimizer.StateBuffers.Count == 0
                        ? $"__optimizerState.{field.Id}.Reset();   // an optimizer without state (a user rule with no state parameter)"
                        : $"__optimizerState.{field.Id}.Restore({buffers});");
                }
                else
                {
                    writer.Line($"this.{field.Id} = checkpoint.Scalar<{element}>(\"{field.Name}\");");
                    foreach (var (key, property) in optimizer.StateBuffers)
                    {
                        writer.Line($"__optimizerState.{field.Id}.{property} = checkpoint.Scalar<{element}>(\"{field.Name}.{key}\");");
                    }
                }
            }

            writer.Line("StepCount = checkpoint.Step;");
            writer.Line("Optimizer = options;");
        }

        writer.Line();
        writer.Line("/// <summary>Loads the checkpoint file <paramref name=\"path\"/>; see <see cref=\"LoadCheckpoint(global::System.IO.Stream)\"/>.</summary>");
        writer.Line("/// <exception cref=\"global::System.IO.InvalidDataException\">The checkpoint does not match this model or is corrupted; the model is unchanged.</exception>");
        writer.Line(generatedCode);
        using (writer.Block("public void LoadCheckpoint(string path)"))
        {
            writer.Line("using var file = global::System.IO.File.OpenRead(path);");
            writer.Line("LoadCheckpoint(file);");
        }
    }

    private static string Shape(ParamField field) =>
        field.Shape.Count > 0 ? "new[] { " + string.Join(", ", field.Shape) + " }" : "null";

    private static string FullName(OptimizedClass model) =>
        string.Join(".", new[] { model.Namespace }.Where(n => n is not null)
            .Concat(model.ContainingTypes.Select(t => t.NameWithTypeParameters))
            .Concat(new[] { model.NameWithTypeParameters }));
}
