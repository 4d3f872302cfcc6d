using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CsCheck;
using OptimizerGen.Generator.Tests.Fuzz;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// Property-based fuzzing of the generator with CsCheck: thousands of random model declarations, valid and invalid (see
/// <see cref="CaseBuilder"/> and <see cref="LossBuilder"/>), each checked by <see cref="FuzzOracle"/>. docs/fuzzing.md
/// explains what is generated and asserted, and how to run more cases:
/// <c>OPTG_FUZZ_ITERATIONS=10000</c>, <c>OPTG_FUZZ_SEED=…</c> to replay, <c>OPTG_FUZZ_SURVEY=report.txt</c> to collect every
/// kind of problem instead of stopping at the first, <c>OPTG_FUZZ_RUN=0</c> to skip running the generated code.
/// </summary>
public class FuzzTests
{
    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    private static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("OPTG_FUZZ_ITERATIONS"), out long n) && n > 0 ? n : 200;

    [Fact]
    public void GeneratorKeepsItsPropertiesOnRandomModels()
    {
        string? survey = Environment.GetEnvironmentVariable("OPTG_FUZZ_SURVEY");
        string? seed = Environment.GetEnvironmentVariable("OPTG_FUZZ_SEED");
        var stats = new FuzzStats();
        var clock = Stopwatch.StartNew();
        new FuzzCaseGen().Sample(
            fuzzCase =>
            {
                Outcome outcome = FuzzOracle.Check(fuzzCase);
                var failures = outcome.Problems.Where(p =>
                {
                    string? finding = KnownFindings.Match(fuzzCase, p);
                    if (finding is not null)
                    {
                        stats.Tolerated(finding);
                    }

                    return finding is null;
                }).ToList();
                stats.Record(fuzzCase, outcome, failures);
                if (survey is not null && stats.Cases % 250 == 0)
                {
                    lock (stats)
                    {
                        File.WriteAllText(survey, "(in progress)\n" + stats.Summary(clock.Elapsed));
                    }
                }

                if (survey is null && failures.Count > 0)
                {
                    throw new Xunit.Sdk.XunitException(string.Join("\n\n", failures));
                }
            },
            seed: seed,
            iter: Iterations,
            print: fuzzCase => "\n" + fuzzCase);
        string summary = stats.Summary(clock.Elapsed);
        _output.WriteLine(summary);
        if (survey is not null)
        {
            File.WriteAllText(survey, summary);
            return;
        }

        // The generator must have produced a useful mix, or the run proved little.
        if (stats.Cases >= 200)
        {
            Assert.InRange(stats.Valid, stats.Cases / 5, stats.Cases);
            Assert.InRange(stats.Rejected, stats.Cases / 5, stats.Cases);
            Assert.InRange(stats.Ran, stats.Cases / 20, stats.Cases);
        }
    }

    /// <summary>OPTG_FUZZ_REPLAY=path/to/case.cs checks one saved input and prints what the generator did with it.</summary>
    [Fact]
    public void ReplaySavedCase()
    {
        string? path = Environment.GetEnvironmentVariable("OPTG_FUZZ_REPLAY");
        if (path is null)
        {
            return;
        }

        var fuzzCase = new FuzzCase { Source = File.ReadAllText(path), Flaws = new[] { new Flaw("replay", null) }, OptimizeClasses = 1 };
        Outcome outcome = FuzzOracle.Check(fuzzCase);
        _output.WriteLine(FuzzOracle.Timings.Report());
        if (Environment.GetEnvironmentVariable("OPTG_FUZZ_REPLAY_QUIET") != "1")
        {
            _output.WriteLine(FuzzOracle.Describe(fuzzCase.Source));
        }

        Assert.True(outcome.Problems.Count == 0, string.Join("\n\n", outcome.Problems));
    }

    // ----- findings: the smallest inputs the fuzzer found for each problem; each fails until the generator is fixed -----

    [Fact]
    public void Finding1_FieldTargetedParamOnAutoPropertyGeneratesBackingFieldNames() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [field: Param] public float Prop { get; set; }
        }
        """);

    [Fact]
    public void Finding2_VerbatimIdentifiersAreEmittedWithoutTheirAt() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class @class
        {
            [Param] public float @float;
        }
        """);

    [Fact]
    public void Finding7_VerbatimNamespaceMakesAnInvalidHintNameAndCrashesTheGenerator() => AssertHandled("""
        using OptimizerGen;
        namespace @class
        {
            [Optimize(typeof(RmsProp))]
            public partial class Model { [Param] public float W; }
        }
        """);

    [Fact]
    public void Finding10_ClassesWhoseNamesDifferInCaseCollideInHintNames() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model { [Param] public float W; }
        [Optimize(typeof(RmsProp))]
        public partial class model { [Param] public float W; }
        """);

    [Fact]
    public void Finding11_MaxOfAValueWithItselfWarnsInTheGeneratedDerivative() => AssertHandled("""
        using System;
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Loss] public float Loss(float x)
            {
                float s = W * x;
                return MathF.Max(s, s);
            }
        }
        """);

    [Fact]
    public void Finding12_NullOptimizerTypeIsSilentlyIgnored()
    {
        // Compiles without error, yet OptimizerGen neither generates the class's members nor says why.
        const string Source = """
            using OptimizerGen;
            [Optimize(null!)]
            public partial class Model { [Param] public float W; }
            """;
        var fuzzCase = new FuzzCase { Source = Source, Flaws = new[] { new Flaw("null optimizer type", new[] { "OPTG006", "CS" }) }, OptimizeClasses = 1 };
        Outcome outcome = FuzzOracle.Check(fuzzCase);
        Assert.True(outcome.Problems.Count == 0, string.Join("\n\n", outcome.Problems));
    }

    [Fact]
    public void Finding14_ReservedDoubleUnderscoreNamesClashWithGeneratedMembers() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            // C# reserves '__' names for the implementation, but nothing tells the user this one is taken.
            [Param] public float __grad;
        }
        """);

    [Fact]
    public void Finding8_FileLocalClassGetsItsMembersInAnotherType() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        file partial class Model
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void Finding9_ConstantConditionMakesUnreachableGeneratedCode() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Loss] public float Loss(float x) => 1 > 2 ? W * x : x;
        }
        """);

    [Fact]
    public void Finding3_OptimizeOnTwoPartialDeclarationsCrashesTheGenerator() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model { [Param] public float W; }
        [Optimize(typeof(RmsProp))]
        public partial class Model { }
        """);

    [Fact]
    public void Finding4_LocalThatDoesNotReachTheLossLeavesAnUnusedAdjoint() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Loss] public float Loss(float x)
            {
                float unused = x;
                return W * x;
            }
        }
        """);

    [Fact]
    public void Finding5_MemberNamedUnderscoreBreaksTheGeneratedDiscard() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float[] _ = new float[2];
        }
        """);

    [Fact]
    public void Finding6_ClassNamedLikeAGeneratedNestedType() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Gradients
        {
            [Param] public float W;
        }
        """);

    [Fact]
    public void Finding15_OptimizeClassDerivedFromAnotherHidesItsGeneratedMembers() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Regressor { [Param] public float W; }
        [Optimize(typeof(RmsProp))]
        public partial class DerivedRegressor : Regressor { [Param] public float Extra; }
        """);

    [Fact]
    public void Finding16_IntLocalsAndLocalsTheGeneratedCodeNoLongerReadsAreUnusedVariables() => AssertHandled("""
        using System;
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float[] P = new float[3];
            [Differentiable] static float Three(float c, float z) => 3;
            [Loss] public float Loss(ReadOnlySpan<float> xs)
            {
                int first = 2;                                  // read only as an argument the helper ignores
                float s = Three(P[first], P[first]) * P[0];
                for (int t = 0; t < xs.Length; t++)
                {
                    int z = 2;                                  // read by a condition only: not needed in reverse
                    if (xs.Length <= z % 3) s += P[1] * xs[t];
                }
                if (1 > 2) { float dead = s; }                  // assigned only in a branch never taken
                return s;
            }
        }
        """);

    [Fact]
    public void Finding17_ConditionConstantAfterInliningAHelperIsUnreachableCode() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float B;
            [Differentiable] static float H0(float c) => c;
            [Loss] public double Loss(float x)
            {
                double s = B * x;
                if (H0(10) <= 3) { s = 3d; }
                return s + (H0(1) > 0 ? B : x);
            }
        }
        """);

    [Fact]
    public void Finding18_MemberNamedLikeTheGeneratedLossMethodClashes() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            public int __LossWithGradient;
            [Loss] public float Loss(float x) => W * x;
        }
        """);

    [Fact]
    public void Finding19_LocalSetToAnInlinedConstantAndNeverReadIsAnUnusedVariable() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Net
        {
            [Param] float step = -1f;
            [Differentiable] static float H0(int z, float b) => (z + z) * 0;
            [Loss] float Compute()
            {
                for (int v0 = 0; v0 < 1; v0 += 1)
                {
                    float scale = H0(2 % 4, 2f);
                }
                float floats = 1f;
                float copy = floats;        // floats is read only by a local nothing reads
                return step * step;
            }
        }
        """);

    [Fact]
    public void Finding20_FloatLiteralWidenedToDoubleKeepsItsFloatValue()
    {
        // H0 returns 0.1f; the double loss adds it as (double)0.1f = 0.100000001490116…, which the generated code wrote as
        // 0.1d: AccumulateGradients and Step returned another loss than the user's method.
        const string Source = """
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Net
            {
                [Param] public double U = 1e-3;
                [Differentiable] private float H0(double b) => 0.1f;
                [Loss] double Loss(double x) => (U * x + H0(U)) / 3;
            }
            """;
        var (result, _) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        string generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains(((double)0.1f).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "d", generated);
        Assert.DoesNotContain(" 0.1d", generated);
    }

    [Fact]
    public void Finding21_HelperComparingItsParameterWithTheArgumentsFieldComparesAValueWithItself() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Mlp
        {
            [Param] float δ = -1f;
            [Param] float b = -1f;
            [Differentiable] float H0(double a) => float.Log((δ >= a ? 2f : (float)a) * (δ < a ? 2f : (float)a) + 0.5f);
            [Loss] double SampleLoss(double x) => b * x + H0(δ) + (δ != b ? 1 : 2);
        }
        """);

    [Fact]
    public void Finding22_DoubleConstantBeyondFloatRangeCastToFloatIsWrittenAsInfinityf() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] float value = -1f;
            [Differentiable] static double H0(float c) { return double.MaxValue; }
            [Loss] float SampleLoss(float x)
            {
                var prediction = (float)H0(value);
                prediction *= 0;
                return value * x + prediction;
            }
        }
        """);

    [Fact]
    public void Finding23_LossThatReadsNoParameterLeavesAnUnreadConstantLocal() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Net
        {
            [Param] public float W = -1f;
            public const int Hidden = 3;
            [Differentiable] private static float H0(float c) => Hidden / c;
            [Loss(Reduction = LossReduction.Sum)] internal double Cost(int xs) => H0(1e-3f);
        }
        """);

    [Fact]
    public void Finding24_ConditionalExpressionConstantAfterInliningAHelperIsUnreachableCode() => AssertHandled("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float B;
            [Differentiable] private static float H0(int c) => (2 < c * 1 ? 1e-3f : 10f);
            [Loss] public double Loss(float x)
            {
                float a = B * x;
                if (H0(0 % 4) != 3) { a /= 2f; }
                return a;
            }
        }
        """);

    [Fact]
    public void Finding13_GeneratorTimeGrowsQuadraticallyWithTheLossLength()
    {
        // LossParser asks Compilation.GetSemanticModel for a new model at every expression; each new model binds the
        // method body again, so a loss of n statements costs O(n²): measured 5.7 s for 50 statements and 62 s for 200.
        static string Loss(int statements) => $$"""
            using OptimizerGen;
            [Optimize(typeof(RmsProp))]
            public partial class Model
            {
                [Param] public float W;
                [Loss] public float Loss(float x)
                {
                    float s = 0f;
            {{string.Join("\n", System.Linq.Enumerable.Range(0, statements).Select(i => $"        s += W * x + {i};"))}}
                    return s;
                }
            }
            """;
        FuzzOracle.Describe(Loss(5));   // warm up the compiler and the generator
        var clock = Stopwatch.StartNew();
        FuzzOracle.Describe(Loss(100));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"100 statements took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The generator must not throw, and must either report a diagnostic or generate code that compiles with the input
    /// without any new warning or error.
    /// </summary>
    private static void AssertHandled(string source)
    {
        var fuzzCase = new FuzzCase { Source = source, Flaws = new[] { new Flaw("regression", null) }, OptimizeClasses = 1 };
        Outcome outcome = FuzzOracle.Check(fuzzCase);
        Assert.True(outcome.Problems.Count == 0, string.Join("\n\n", outcome.Problems));
    }
}
