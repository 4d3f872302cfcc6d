using System.Linq;
using System.Text;
using Basic.Reference.Assemblies;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptimizerGen;
using OptimizerGen.Generator;

BenchmarkRunner.Run<GeneratorBenchmarks>(args: args);

/// <summary>
/// The generator on a project of 100 [Optimize] models (a third with a [Loss]): a full run from scratch (what a clean
/// build pays) and an incremental run after an unrelated edit (what every keystroke in an IDE pays).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class GeneratorBenchmarks
{
    public const int Models = 100;
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trees = Enumerable.Range(0, Models).Select(i => CSharpSyntaxTree.ParseText(Model(i), Parse, path: $"/src/Model{i}.cs")).ToList();
        _compilation = CSharpCompilation.Create(
            "Bench",
            trees,
            Net100.References.All.Cast<MetadataReference>().Append(MetadataReference.CreateFromFile(typeof(RmsProp).Assembly.Location)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _edited = _compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public class Unrelated { public int X => 1; }", Parse, path: "/src/Unrelated.cs"));
        _warm = NewDriver().RunGenerators(_compilation);
        int generated = _warm.GetRunResult().GeneratedTrees.Length;
        if (generated != Models)
        {
            throw new System.InvalidOperationException($"expected {Models} generated files, got {generated}");
        }
    }

    [Benchmark(Description = "100 models, from scratch")]
    public GeneratorDriver FromScratch() => NewDriver().RunGenerators(_compilation);

    [Benchmark(Description = "100 models, after an unrelated edit")]
    public GeneratorDriver AfterUnrelatedEdit() => _warm.RunGenerators(_edited);

    private static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new OptimizerGenerator().AsSourceGenerator() }, parseOptions: Parse);

    private static string Model(int i)
    {
        var text = new StringBuilder();
        text.AppendLine("using System;");
        text.AppendLine("using OptimizerGen;");
        text.AppendLine($"namespace Models{i % 7};");
        text.AppendLine("[Optimize(typeof(RmsProp))]");
        text.AppendLine($"public partial class Model{i}");
        text.AppendLine("{");
        text.AppendLine("    [Param] public float W;");
        text.AppendLine("    [Param, ExcludeFromWeightDecay] public double B;");
        text.AppendLine($"    [Param(4, {1 + (i % 5)})] public float[] M = new float[{4 * (1 + (i % 5))}];");
        if (i % 3 == 0)
        {
            text.AppendLine("    [Loss]");
            text.AppendLine("    public float Loss(ReadOnlySpan<float> x, float y)");
            text.AppendLine("    {");
            text.AppendLine("        float s = W;");
            text.AppendLine("        for (int i = 0; i < x.Length; i++) s += M[i] * x[i];");
            text.AppendLine("        float h = MathF.Tanh(s) + (float)B;");
            text.AppendLine("        return (h - y) * (h - y);");
            text.AppendLine("    }");
        }

        text.AppendLine("}");
        return text.ToString();
    }
}
