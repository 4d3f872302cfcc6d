using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using OptimizerGen.CodeFixes;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The "make partial" code fix for OPTG001/OPTG002, applied to the diagnostics the generator really reports.</summary>
public class CodeFixTests
{
    [Theory]
    [InlineData(
        "using OptimizerGen;\n[Optimize(typeof(RmsProp))]\npublic sealed class Model { [Param] public float W; }",
        "using OptimizerGen;\n[Optimize(typeof(RmsProp))]\npublic sealed partial class Model { [Param] public float W; }")]
    [InlineData(
        "using OptimizerGen;\n[Optimize(typeof(RmsProp))]\nclass Model { [Param] public float W; }",
        "using OptimizerGen;\n[Optimize(typeof(RmsProp))]\npartial class Model { [Param] public float W; }")]
    [InlineData(
        "using OptimizerGen;\npublic static class Outer\n{\n    [Optimize(typeof(RmsProp))]\n    public partial class Model { [Param] public float W; }\n}",
        "using OptimizerGen;\npublic static partial class Outer\n{\n    [Optimize(typeof(RmsProp))]\n    public partial class Model { [Param] public float W; }\n}")]
    public async Task MakesTheTypePartial(string source, string expected)
    {
        using var workspace = new AdhocWorkspace();
        Document document = workspace.CurrentSolution
            .AddProject("User", "User", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .WithParseOptions(new CSharpParseOptions(LanguageVersion.Latest))
            .AddMetadataReferences(Net100.References.All)
            .AddMetadataReference(MetadataReference.CreateFromFile(typeof(RmsProp).Assembly.Location))
            .AddDocument("Model.cs", source);

        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(compilation);
        Diagnostic diagnostic = Assert.Single(driver.GetRunResult().Diagnostics, d => d.Id is "OPTG001" or "OPTG002");
        // The generator reports locations by path and span; the fix needs them in the document's tree.
        SyntaxTree tree = (await document.GetSyntaxTreeAsync())!;
        diagnostic = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.GetMessage());

        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        var fix = new MakePartialCodeFix();
        Assert.Contains(diagnostic.Id, fix.FixableDiagnosticIds);
        await fix.RegisterCodeFixesAsync(context);

        CodeAction registered = Assert.Single(actions);
        Assert.Equal(MakePartialCodeFix.Title, registered.Title);
        ApplyChangesOperation apply = (await registered.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        Document changed = apply.ChangedSolution.GetDocument(document.Id)!;
        Assert.Equal(expected, (await changed.GetTextAsync()).ToString());

        // And the fixed code generates without diagnostics.
        Compilation fixedCompilation = (await changed.Project.GetCompilationAsync())!;
        Assert.DoesNotContain(GeneratorHarness.Driver().RunGenerators(fixedCompilation).GetRunResult().Diagnostics, d => d.Id is "OPTG001" or "OPTG002");
    }
}
