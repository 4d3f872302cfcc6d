using System.Linq;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The generated files' names: valid, unique ignoring case, one per class (fuzz findings 3, 7 and 10).</summary>
public class HintNameTests
{
    [Fact]
    public void ClassesWhoseNamesDifferOnlyInCaseGetDistinctFiles()
    {
        var (result, _) = GeneratorHarness.Run("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Model { [Param] public float W; }
            [Optimize(typeof(RmsProp))]
            public partial class model { [Param] public float W; }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(new[] { "Model.g.cs", "model_2.g.cs" }, result.GeneratedSources.Select(s => s.HintName));
    }

    [Fact]
    public void VerbatimNamesAreEscapedInCodeAndSanitizedInFileNames()
    {
        var (result, _) = GeneratorHarness.Run("""
            using OptimizerGen;
            namespace @class.@struct
            {
                [Optimize(typeof(RmsProp))]
                public partial class @event { [Param] public float @float; }
            }
            """);
        Assert.Empty(result.Diagnostics);
        var generated = Assert.Single(result.GeneratedSources);
        Assert.Equal("class.struct.event.g.cs", generated.HintName);
        string text = generated.SourceText.ToString();
        Assert.Contains("namespace @class.@struct", text);
        Assert.Contains("partial class @event", text);
    }

    [Fact]
    public void OptimizeOnTwoPartialDeclarationsGeneratesOneFile()
    {
        var (result, _) = GeneratorHarness.Run("""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Model { [Param] public float W; }
            [Optimize(typeof(RmsProp))]
            public partial class Model { }
            """);
        Assert.Empty(result.Diagnostics);   // CS0579 (duplicate attribute) is the compiler's
        Assert.Equal("Model.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }
}
