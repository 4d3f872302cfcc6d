using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// One test per OPTG id: the source marks where each diagnostic must be with <c>{|OPTGnnn:text|}</c>; the test asserts
/// the generator reports exactly those ids at exactly those spans, and that no code is generated for an erroneous class.
/// </summary>
public class DiagnosticTests
{
    [Fact]
    public void OPTG001_ClassNotPartial() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public class {|OPTG001:Model|}
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG002_ContainingTypeNotPartial() => Expect("""
        using OptimizerGen;
        public class {|OPTG002:Outer|}
        {
            [Optimize(typeof(RmsProp))]
            public partial class Model
            {
                [Param] public float W;
            }
        }
        """);

    [Fact]
    public void OPTG003_NoParameters() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG003:Model|}
        {
            public float W;
        }
        """);

    [Fact]
    public void OPTG004_UnsupportedParameterType() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public {|OPTG004:int|} Count;
            [Param] public {|OPTG004:float[,]|} Matrix = new float[2, 2];
            [Param] public {|OPTG004:System.Half|} Small;
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG004_MessageListsSupportedTypes()
    {
        Diagnostic diagnostic = Assert.Single(Run("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Model { [Param] public decimal W; }
            """));
        Assert.Contains("float, double, float[] or double[]", diagnostic.GetMessage());
        Assert.Contains("'W'", diagnostic.GetMessage());
    }

    [Fact]
    public void OPTG005_ParameterNotWritableInstanceField() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public {|OPTG005:readonly|} float[] A = new float[3];
            [Param] public {|OPTG005:static|} float B;
            [Param] public {|OPTG005:const|} float C = 1f;
            [Param] public {|OPTG005:volatile|} float D;
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG006_UnknownOptimizer() => Expect("""
        using OptimizerGen;
        public sealed class MyOptimizer { }
        [Optimize(typeof({|OPTG006:MyOptimizer|}))]
        public partial class Model
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG006_NullOptimizerType() => Expect("""
        using OptimizerGen;
        [Optimize({|OPTG006:null!|})]
        public partial class Model
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG007_MemberNameTaken() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            public void {|OPTG007:ApplyGradients|}() { }
            private int {|OPTG007:StepCount|};
            public class {|OPTG007:Gradients|} { }
        }
        """);

    [Fact]
    public void OPTG007_ArrayStateFieldNameTaken() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float[] W = new float[3];
            [Param] public float[] @base = new float[3];
            [Param] public float S;
            private int {|OPTG007:__state_W|};
            public class {|OPTG007:__state_base|} { }
            private int __state_S;   // a scalar's state is not cached: the name is free
        }
        """);

    [Fact]
    public void OPTG007_PlainStepNamesTaken() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float[] W = new float[3];
            private bool {|OPTG007:__TryPlainStep|}() => false;
            private bool {|OPTG007:__TryPlainStepOutOfLine|}() => false;
        }
        """);

    [Fact]
    public void OPTG007_InheritedMemberNameTaken() => Expect("""
        using OptimizerGen;
        public class Base { public double Optimizer { get; set; } }
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG007:Model|} : Base
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void OPTG008_ParamOutsideOptimizeClass() => Expect("""
        using OptimizerGen;
        public partial class Plain
        {
            [{|OPTG008:Param|}] public float W;
        }
        """);

    [Fact]
    public void OPTG009_ExcludeFromWeightDecayWithoutParam() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [{|OPTG009:ExcludeFromWeightDecay|}] public float NotAParameter;
        }
        """, expectCode: true);

    [Fact]
    public void OPTG010_InvalidShape() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param{|OPTG010:(2, 3)|}] public float Scalar;
            [Param{|OPTG010:(0, 3)|}] public float[] Empty = new float[0];
            [Param{|OPTG010:(2, 3)|}] public float[] WrongLength = new float[7];
            [Param(2, 3)] public float[] Right = new float[6];
        }
        """);

    [Fact]
    public void OPTG011_StaticClass() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public static partial class {|OPTG011:Model|}
        {
            [Param] public {|OPTG005:static|} float W;
        }
        """);

    [Fact]
    public void OPTG021_RecordModel() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial record {|OPTG021:Model|}
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void ValidModelHasNoDiagnostics() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param(2, 3)] public float[] W = new float[6];
            [Param, ExcludeFromWeightDecay] public double B;
        }
        """, expectCode: true);

    [Fact]
    public void CompilerErrorsInTheAttributeAreLeftToTheCompiler()
    {
        // typeof(Missing) is CS0246; OptimizerGen adds nothing and generates nothing.
        var (result, _) = GeneratorHarness.Run("""
            using OptimizerGen;
            [Optimize(typeof(Missing))]
            public partial class Model { [Param] public float W; }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void EveryDescriptorHasAStableIdATitleAndAnActionableMessage()
    {
        var descriptors = typeof(Diagnostics.DiagnosticDescriptors)
            .GetFields()
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        // 001-025: the declaration and the loss; 030-039: users' update rules.
        Assert.Equal(
            Enumerable.Range(1, 25).Concat(Enumerable.Range(30, descriptors.Count - 25)).Select(i => $"OPTG{i:000}"),
            descriptors.Select(d => d.Id).OrderBy(id => id));
        Assert.All(descriptors, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()));
            // Each message says what to do: after a colon, or in the advice passed as its last argument.
            string format = d.MessageFormat.ToString();
            Assert.True(format.Contains(':') || format.EndsWith("{1}", System.StringComparison.Ordinal), $"{d.Id}: {format}");
            Assert.Equal("OptimizerGen", d.Category);
            Assert.EndsWith($"/docs/diagnostics/{d.Id}.md", d.HelpLinkUri, System.StringComparison.Ordinal);
            Assert.True(System.IO.File.Exists(System.IO.Path.Combine(RepoRoot(), "docs", "diagnostics", d.Id + ".md")), $"docs/diagnostics/{d.Id}.md is missing");
        });

        string unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(RepoRoot(), "src/Generator/AnalyzerReleases.Unshipped.md"));
        Assert.All(descriptors, d => Assert.Contains($"{d.Id} | OptimizerGen | {d.DefaultSeverity} |", unshipped));
    }

    [Fact]
    public void OPTG022_ParamOnPropertyBackingField() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [field: {|OPTG022:Param|}] public float Bias { get; set; }
        }
        """);

    [Fact]
    public void OPTG023_ClassNamedLikeAGeneratedMember() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG023:Gradients|} { [Param] public float W; }
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG023:OptimizerStates|} { [Param] public float W; }
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG023:__state_W|} { [Param] public float[] W = new float[2]; }
        [Optimize(typeof(RmsProp))]
        public partial class {|OPTG023:Step|}
        {
            [Param] public float W;
            [Loss] float Loss(float x) => W * x;
        }
        """);

    [Fact]
    public void OPTG023_LossMemberNamesAreFreeWithoutALoss()
    {
        // Step and AccumulateGradients are only generated for a [Loss]: without one, a class may bear their names.
        Assert.Empty(Run("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Step { [Param] public float W; }
            """));
    }

    [Fact]
    public void OPTG024_FileLocalClass() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        {|OPTG024:file|} partial class Model
        {
            [Param] public float W;
        }
        {|OPTG024:file|} partial class Outer
        {
            [Optimize(typeof(RmsProp))]
            public partial class Inner { [Param] public float W; }
        }
        """);

    [Fact]
    public void OPTG025_DerivedFromOptimizeClass() => Expect("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Regressor<T> { [Param] public float W; }
        public class Middle : Regressor<int> { }
        [Optimize(typeof(RmsProp))]
        public partial class Derived : {|OPTG025:Middle|}, System.IDisposable
        {
            [Param] public float Extra;
            public void Dispose() { }
        }
        """, expectCode: true);

    private static void Expect(string markedSource, bool expectCode = false)
    {
        (string source, List<(string Id, TextSpan Span)> expected) = Markup.Parse(markedSource);
        var (result, _) = GeneratorHarness.Run(source);
        var actual = result.Diagnostics
            .Select(d => (d.Id, d.Location.SourceSpan))
            .OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id)
            .ToList();
        Assert.Equal(expected.OrderBy(d => d.Span.Start).ThenBy(d => d.Id).ToList(), actual);
        Assert.All(result.Diagnostics, d => Assert.Equal("/src/File0.cs", d.Location.GetLineSpan().Path));
        Assert.Equal(expectCode, result.GeneratedSources.Length == 1);
    }

    private static List<Diagnostic> Run(string source) => GeneratorHarness.Run(source).Result.Diagnostics.ToList();

    internal static string RepoRoot()
    {
        string? dir = System.AppContext.BaseDirectory;
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir, "OptimizerGen.sln")))
        {
            dir = System.IO.Path.GetDirectoryName(dir);
        }

        return dir ?? throw new System.InvalidOperationException("OptimizerGen.sln not found above the test assembly.");
    }

}
