using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The generated code for typical models, reviewed as snapshots; each output must also compile warning-free.</summary>
public class SnapshotTests
{
    [Fact]
    public void ScalarOnly() => Check("""
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Neuron
        {
            [Param] public float W = -2f;
            [Param] public float B = -2f;
        }
        """);

    [Fact]
    public void ArrayOnly() => Check("""
        using OptimizerGen;

        namespace Demo
        {
            [Optimize(typeof(RmsProp))]
            internal sealed partial class Linear
            {
                [Param(16, 784)] public float[] Weights = new float[16 * 784];
                [Param, ExcludeFromWeightDecay] private float[] _bias = new float[16];
            }
        }
        """);

    [Fact]
    public void MixedFloatDouble() => Check("""
        using OptimizerGen;

        [Optimize(typeof(RmsProp))]
        public partial class Mixed
        {
            [Param] public double Scale = 1.0;
            [Param] public float[] Embedding = new float[100];
            [Param, ExcludeFromWeightDecay] public double[] Offsets = new double[3];
            [Param, ExcludeFromWeightDecay] public float Temperature = 1f;
        }
        """);

    [Fact]
    public void NestedAndNamespaced() => Check("""
        using OptimizerGen;

        namespace Company.Models.Vision
        {
            public static partial class Zoo
            {
                internal partial record Outer<TTag>
                {
                    [Optimize(typeof(RmsProp))]
                    private partial class Head
                    {
                        [Param] public float A, B;
                    }
                }
            }
        }
        """);

    [Fact]
    public void GenericClass() => Check("""
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Model<T> where T : class
        {
            [Param] public double[] Theta = new double[8];
        }
        """);

    [Fact]
    public void KeywordNamesAndNullableArrays() => Check("""
        using System;
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Keywords
        {
            [Param] public float @in;
            [Param] public float[]? @base = new float[4];
            [Param(2, 2)] public double[]? Matrix = new double[4];

            [Loss]
            public float Loss(ReadOnlySpan<float> @params, float @out)
            {
                float @float = @in;
                for (int @int = 0; @int < @base!.Length; @int++)
                    @float += @base![@int] * @params[@int] + (float)Matrix![@int];
                return (@float - @out) * (@float - @out);
            }
        }
        """);

    [Fact]
    public void AdamMixed() => Check("""
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(Adam))]
        public partial class AdamModel
        {
            [Param] public float Scale = 1f;
            [Param(4, 8)] public float[] Weights = new float[32];
            [Param, ExcludeFromWeightDecay] public float[] Bias = new float[4];
        }
        """);

    [Fact]
    public void SgdDouble() => Check("""
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(Sgd))]
        public partial class SgdModel
        {
            [Param] public double W;
            [Param] public double[] V = new double[10];
        }
        """);

    private static void Check(string source, [CallerMemberName] string testName = "")
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        SnapshotAssert.Matches(generated.SourceText.ToString(), testName, generated.HintName);
        Assert.Equal(ExpectedHintName(testName), generated.HintName);
    }

    private static string ExpectedHintName(string testName) => testName switch
    {
        nameof(ScalarOnly) => "Demo.Neuron.g.cs",
        nameof(ArrayOnly) => "Demo.Linear.g.cs",
        nameof(MixedFloatDouble) => "Mixed.g.cs",
        nameof(NestedAndNamespaced) => "Company.Models.Vision.Zoo.Outer`1.Head.g.cs",
        nameof(GenericClass) => "Demo.Model`1.g.cs",
        nameof(KeywordNamesAndNullableArrays) => "Demo.Keywords.g.cs",
        nameof(AdamMixed) => "Demo.AdamModel.g.cs",
        nameof(SgdDouble) => "Demo.SgdModel.g.cs",
        _ => string.Empty,
    };
}
