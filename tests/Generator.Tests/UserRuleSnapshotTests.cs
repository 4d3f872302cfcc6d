using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// The code generated for users' <c>[UpdateRule]</c> types and for models optimized with them, reviewed as snapshots
/// (one file for the rule, one for the model); each output must also compile warning-free.
/// </summary>
public class UserRuleSnapshotTests
{
    internal const string Lion = """
        using System;
        using OptimizerGen;

        namespace Demo;

        /// <summary>Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms").</summary>
        [UpdateRule]
        public partial struct Lion
        {
            public Lion() { }
            public double LearningRate { get; init; } = 1e-4;
            public double Beta1 { get; init; } = 0.9;
            public double Beta2 { get; init; } = 0.99;
            public double WeightDecay { get; init; }

            void Update(ref double p, double g, [State("exp_avg")] ref double m)
            {
                p *= 1 - LearningRate * WeightDecay;
                double c = Beta1 * m + (1 - Beta1) * g;
                p -= LearningRate * Math.Sign(c);
                m = Beta2 * m + (1 - Beta2) * g;
            }
        }
        """;

    [Fact]
    public void LionScalarAndArray() => Check(Lion + """

        [Optimize(typeof(Lion))]
        public partial class LionModel
        {
            [Param] public float Scale = 1f;
            [Param] public double[] Weights = new double[8];
        }
        """, "Demo.Lion.UpdateRule.g.cs", "Demo.LionModel.g.cs");

    [Fact]
    public void BiasCorrectedRuleWithFlagsAndSelect() => Check("""
        using System;
        using OptimizerGen;

        namespace Demo;

        [UpdateRule]
        public partial record struct Clamped
        {
            public Clamped() { }
            public double LearningRate { get; init; } = 1e-3;
            public float Beta { get; init; } = 0.9f;
            public int Warmup { get; init; } = 10;
            public bool Nesterov { get; init; }
            public double Limit = 1;

            void Update(ref double p, double g, [State("exp_avg")] ref double m, ref double peak, long t)
            {
                const double Half = 0.5;
                double correction = 1 - Math.Pow(Beta, t);
                double lr = t < Warmup ? LearningRate * t / Warmup : LearningRate;
                m = Math.FusedMultiplyAdd(1 - Beta, g, Beta * m);
                peak = Math.Max(peak, Math.Abs(g));
                double u = Nesterov ? Beta * m + (1 - Beta) * g : m;
                if (t > 1)
                {
                    u /= correction;
                }

                double step = u > Limit ? Limit : (u < -Limit ? -Limit : u);
                p -= lr * Half * step / (Math.Sqrt(peak) + 1e-8);
            }
        }

        [Optimize(typeof(Clamped))]
        public partial class Model
        {
            [Param] public double W;
            [Param] public float[] V = new float[3];
        }
        """, "Demo.Clamped.UpdateRule.g.cs", "Demo.Model.g.cs");

    private static void Check(string source, string ruleHint, string modelHint, [CallerMemberName] string testName = "")
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(new[] { modelHint, ruleHint }.OrderBy(h => h), result.GeneratedSources.Select(s => s.HintName).OrderBy(h => h));
        foreach (GeneratedSourceResult generated in result.GeneratedSources)
        {
            SnapshotAssert.Matches(generated.SourceText.ToString(), testName, generated.HintName);
        }
    }
}
