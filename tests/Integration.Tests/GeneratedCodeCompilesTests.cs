using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// Declarations a user may write that must give generated code without a warning (users build with
/// TreatWarningsAsErrors, as this repository does). These compile a snippet in memory with the SAME generator
/// assembly this project is compiled with (its path recorded at build time), against the running framework and
/// OptimizerGen.Runtime, so a case that would break a user's build shows up as a failing test here instead of a
/// broken build of this project.
/// </summary>
public sealed class GeneratedCodeCompilesTests
{
    [Fact]
    public void Ordinary_model_compiles_cleanly()
    {
        // Control: the harness reports nothing for a model this project itself compiles.
        (IReadOnlyList<string> diagnostics, int generated) = Compile("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Ok
            {
                [Param] public float W = 1f;
                [Param(2, 3)] public double[] M = new double[6];
            }
            """);
        Assert.Equal(1, generated);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void The_harness_sees_errors_in_generated_code()
    {
        // Control: an error inside the generated file is reported. The user's own type shadows the runtime helper the
        // generated array checks call, so the generated file (not the user's) fails to compile.
        (IReadOnlyList<string> diagnostics, _) = Compile("""
            using OptimizerGen;
            namespace OptimizerGen.Runtime { public static class GeneratedCodeGuard { } }
            [Optimize(typeof(RmsProp))]
            public partial class Clash
            {
                [Param] public float[] W = new float[2];
            }
            """);
        Assert.Contains(diagnostics, d => d.StartsWith("CS", StringComparison.Ordinal) && d.Contains("Clash.g.cs", StringComparison.Ordinal));
    }

    /// <summary>
    /// BUG: a parameter field whose name is a C# keyword, declared with '@' (<c>@in</c>, <c>@base</c>, <c>@params</c>),
    /// is emitted without the '@' (<c>this.in</c>, <c>public float in;</c>, <c>grad.base</c>): the generated file does
    /// not compile (CS1519, CS0175, CS1001, …). src/Generator/Emit/ClassEmitter.cs and RmsPropEmitter.cs write
    /// <c>field.Name</c> as an identifier; escape it (SyntaxFacts.GetKeywordKind / IsReservedKeyword → "@" + name)
    /// wherever it is used as an identifier, and keep the plain name in the strings passed to GeneratedCodeGuard.
    /// </summary>
    [Fact]
    public void Keyword_named_parameter_fields_compile()
    {
        (IReadOnlyList<string> diagnostics, _) = Compile("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Keywords
            {
                [Param] public float @in = 1f;
                [Param] public float[] @base = new float[3];
                public void Train() { Grad.@in = 1f; Grad.@base[0] = 1f; ApplyGradients(); }
            }
            """);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics.Take(5)));
    }

    /// <summary>
    /// The loss's parameters are in scope in the generated Step and AccumulateGradients, so every member those methods
    /// use is qualified with <c>this.</c>: loss parameters named like them (<c>Grad</c>, <c>__accumulating</c>,
    /// <c>__concurrentUse</c>, <c>__Step</c>) must not hide them.
    /// </summary>
    [Fact]
    public void Loss_parameters_named_like_generated_members_compile()
    {
        (IReadOnlyList<string> diagnostics, int generated) = Compile("""
            using System;
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Shadows
            {
                [Param] public float W = 1f;
                [Param] public float[] V = new float[2];

                [Loss]
                public float Loss(float Grad, float __accumulating, float __concurrentUse, float __Step, float __ApplyGradients, float __ZeroGradients, float __AccumulateGradients)
                {
                    float e = W * Grad + V[0] * __accumulating + V[1] * __concurrentUse - __Step + __ApplyGradients * __ZeroGradients * __AccumulateGradients;
                    return e * e;
                }
            }
            """);
        Assert.Equal(1, generated);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics.Take(5)));
    }

    /// <summary>
    /// BUG: an array parameter declared nullable (<c>[Param] public float[]? A;</c>, assigned later) gives nullable
    /// warnings in the generated ApplyGradients — CS8602 on <c>this.A.Length</c> (passed to CheckLength) and CS8604 on
    /// <c>CheckShape(this.M, …)</c> — errors under TreatWarningsAsErrors. GeneratedCodeGuard.CheckArrays
    /// (src/Runtime/Runtime/GeneratedCodeGuard.cs) throws when the array is null but does not tell the compiler so:
    /// mark its <c>parameter</c> and <c>gradient</c> parameters <c>[NotNull]</c>
    /// (System.Diagnostics.CodeAnalysis), or emit <c>this.A!</c> after the check.
    /// </summary>
    [Fact]
    public void Nullable_array_parameter_fields_compile_without_warnings()
    {
        (IReadOnlyList<string> diagnostics, _) = Compile("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Nullables
            {
                [Param] public float[]? A;
                [Param(2, 2)] public double[]? M;
            }
            """);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics.Take(5)));
    }

    /// <summary>
    /// Compiles <paramref name="source"/> with the generator, nullable enabled; returns every warning and error (of
    /// the user's code and the generated code) and how many files the generator added.
    /// </summary>
    private static (IReadOnlyList<string> Diagnostics, int Generated) Compile(string source)
    {
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions([new KeyValuePair<string, ReportDiagnostic>("CS1701", ReportDiagnostic.Suppress)]);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "UserProject",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "User.cs")],
            References.Value,
            options);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(Generators.Value);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        int generated = output.SyntaxTrees.Count() - 1;
        string[] diagnostics = generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => $"{d.Id} {Path.GetFileName(d.Location.SourceTree?.FilePath)}{d.Location.GetLineSpan().StartLinePosition}: {d.GetMessage()}")
            .ToArray();
        return (diagnostics, generated);
    }

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(() =>
    {
        string path = typeof(GeneratedCodeCompilesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "OptimizerGen.GeneratorPath").Value!;
        Assert.True(File.Exists(path), "generator not found at " + path);
        Assembly generator = Assembly.LoadFrom(path);
        return [.. generator.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t))
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())];
    });

    /// <summary>The few framework assemblies a model needs (fewer references make the first compilation much faster).</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileNameWithoutExtension(p) is "System.Private.CoreLib" or "System.Runtime" or "System.Runtime.Intrinsics" or "System.Console")
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(RmsProp).Assembly.Location),
    ]);
}
