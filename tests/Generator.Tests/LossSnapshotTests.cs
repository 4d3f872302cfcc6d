using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The gradient code generated for typical losses, reviewed as snapshots; each must compile warning-free.</summary>
public class LossSnapshotTests
{
    /// <summary>The seed's neuron (DESIGN.md); <c>ATTRIBUTE_ARGUMENTS</c> stands for what follows <c>typeof(RmsProp)</c>.</summary>
    private const string SeedNeuronSource = """
        using System;
        using OptimizerGen;

        [Optimize(typeof(RmsProp)ATTRIBUTE_ARGUMENTS)]
        public partial class Neuron
        {
            [Param] public float W = -2f;
            [Param] public float B = -2f;

            [Loss(Reduction = LossReduction.Sum)]
            float Loss(float x, float y)
            {
                float f = 1f / (1f + MathF.Exp(-(W * x + B)));
                return 0.5f * (f - y) * (f - y);
            }
        }
        """;

    [Fact]
    public void SeedNeuron() => Check(SeedNeuronSource.Replace("ATTRIBUTE_ARGUMENTS", string.Empty));

    [Fact]
    public void LinearModelOverFeatures() => Check("""
        using System;
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class LinearRegression
        {
            [Param] public double[] W = new double[16];
            [Param, ExcludeFromWeightDecay] public double B;

            [Loss]
            public double Loss(ReadOnlySpan<double> features, double target)
            {
                double prediction = B;
                for (int i = 0; i < features.Length; i++)
                    prediction += W[i] * features[i];
                double error = prediction - target;
                return 0.5 * error * error;
            }
        }
        """);

    [Fact]
    public void SoftmaxRegression() => Check("""
        using System;
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Softmax
        {
            const int Classes = 3, Features = 4;
            [Param(Classes, Features)] public float[] W = new float[Classes * Features];
            [Param] public float[] B = new float[Classes];

            /// <summary>Cross-entropy: log Σ exp(z_k) − z_label.</summary>
            [Loss]
            public float Loss(ReadOnlySpan<float> x, int label)
            {
                float sum = 0f;
                float target = 0f;
                for (int k = 0; k < Classes; k++)
                {
                    float z = B[k];
                    for (int i = 0; i < Features; i++)
                        z += W[k * Features + i] * x[i];
                    sum += MathF.Exp(z);
                    if (k == label)
                        target = z;
                }
                return MathF.Log(sum) - target;
            }
        }
        """);

    [Fact]
    public void TwoLayerTanhMlp() => Check("""
        using System;
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Mlp
        {
            const int Hidden = 8;
            [Param(Hidden, 2)] public float[] W1 = new float[Hidden * 2];
            [Param] public float[] B1 = new float[Hidden];
            [Param] public float[] W2 = new float[Hidden];
            [Param] public float B2;

            [Differentiable]
            static float Activate(float z) => MathF.Tanh(z);

            [Loss]
            public float Loss(ReadOnlySpan<float> x, float y)
            {
                float output = B2;
                for (int j = 0; j < Hidden; j++)
                {
                    float z = B1[j];
                    for (int i = 0; i < 2; i++)
                        z += W1[j * 2 + i] * x[i];
                    float h = Activate(z);
                    output += W2[j] * h;
                }
                float error = output - y;
                return error > 1f ? error - 0.5f : error < -1f ? -error - 0.5f : 0.5f * error * error;
            }
        }
        """);

    /// <summary>
    /// The seed neuron with the concurrent-use guard turned off: every member as in <see cref="SeedNeuron"/> but without
    /// <c>__concurrentUse</c> and <c>ConcurrentUse.Enter</c>; Step and AccumulateGradients keep zeroing Grad when the loss throws.
    /// </summary>
    [Fact]
    public void SeedNeuronWithoutConcurrentUseGuard()
    {
        string Generate(string guard)
        {
            var (result, output) = GeneratorHarness.Run(SeedNeuronSource.Replace("ATTRIBUTE_ARGUMENTS", guard));
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            return Assert.Single(result.GeneratedSources).SourceText.ToString();
        }

        string on = Generate(""), explicitlyOn = Generate(", DetectConcurrentUse = true"), off = Generate(", DetectConcurrentUse = false");
        Assert.Equal(on, explicitlyOn);
        Assert.Equal(7, Occurrences(on, "ConcurrentUse.Enter(ref this.__concurrentUse"));   // ApplyGradients' general update, Reset, 2 × Save, Load, AccumulateGradients, Step
        Assert.Equal(1, Occurrences(on, "ConcurrentUse.TryEnter(ref this.__concurrentUse"));   // ApplyGradients' plain step
        Assert.Equal(0, Occurrences(off, "ConcurrentUse.Enter"));
        Assert.Equal(0, Occurrences(off, "ConcurrentUse.TryEnter"));
        Assert.Equal(0, Occurrences(off, "__concurrentUse"));
        Assert.Equal(2, Occurrences(off, "catch when (this.__accumulating)"));
        SnapshotAssert.Matches(off, "LossSeedNeuronWithoutConcurrentUseGuard", "Neuron.g.cs");
    }

    /// <summary>The guard's local in Step and AccumulateGradients steps aside for a loss parameter named <c>owner</c>.</summary>
    [Fact]
    public void GuardLocalDoesNotTakeALossParameterName()
    {
        string source = SeedNeuronSource.Replace("ATTRIBUTE_ARGUMENTS", string.Empty)
            .Replace("float Loss(float x, float y)", "float Loss(float x, float owner)")
            .Replace("(f - y) * (f - y)", "(f - owner) * (f - owner)");
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        string text = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Equal(2, Occurrences(text, "var owner_2 = global::OptimizerGen.Runtime.ConcurrentUse.Enter("));   // Step, AccumulateGradients
        Assert.Equal(4, Occurrences(text, "var owner = global::OptimizerGen.Runtime.ConcurrentUse.Enter("));     // the members without parameters but ApplyGradients
        Assert.Equal(1, Occurrences(text, "owner ??= global::OptimizerGen.Runtime.ConcurrentUse.Enter("));       // ApplyGradients' general update
    }

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, string.Empty).Length) / part.Length;

    private static void Check(string source, [CallerMemberName] string testName = "")
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        SnapshotAssert.Matches(generated.SourceText.ToString(), "Loss" + testName, generated.HintName);
    }
}
