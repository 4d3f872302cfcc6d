using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptimizerGen.Generator;

namespace OptimizerGen.Differentiation.Tests.Support;

/// <summary>
/// Compiles a model's source in memory with the OptimizerGen generator, as a user's project would, for models whose
/// generated code might not compile (they cannot live in this project: one compile error would stop every test).
/// </summary>
internal static class InMemoryCompilation
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
        Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(RmsProp).Assembly.Location))
            .ToImmutableArray();

    /// <summary>The generator's diagnostics, and the compiler's errors and warnings over the user's and the generated code.</summary>
    public static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compiler, Compilation Output) Run(string source)
    {
        var input = CSharpCompilation.Create(
            "UserProject",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "/src/Model.cs")],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new OptimizerGenerator().AsSourceGenerator()], parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
        {
            throw new InvalidOperationException("The generator threw.", result.Exception);
        }

        ImmutableArray<Diagnostic> compiler = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701")
            .ToImmutableArray();
        return (generatorDiagnostics, compiler, output);
    }

    /// <summary>Emits <paramref name="output"/> and loads it into the test's load context.</summary>
    public static Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, emitted.Diagnostics));
        }

        return Assembly.Load(stream.ToArray());
    }

    /// <summary>The generated source of the compilation, for failure messages.</summary>
    public static string Generated(Compilation output) =>
        string.Join(Environment.NewLine, output.SyntaxTrees.Skip(1).Select(t => t.ToString()));
}
