using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// OPTG030–035: every construct an <c>[UpdateRule]</c> cannot run element-wise in the SIMD loop is reported with its id
/// at the exact syntax, with advice; nothing is generated for the rule nor for a model optimized with it.
/// </summary>
public class RuleDiagnosticTests
{
    /// <summary>A rule with <paramref name="body"/> as the body of its Update method and a model that uses it.</summary>
    private static string Rule(string body, string parameters = "ref double p, double g, ref double m, long step", string members = "") => $$"""
        using System;
        using OptimizerGen;

        [UpdateRule]
        public partial struct MyRule
        {
            public MyRule() { }
            public double LearningRate { get; init; } = 0.01;
            public bool Flag { get; init; }
            public double Rate = 1;
            public double Computed => LearningRate * 2;
            public static double Shared = 1;
            double Helper(double x) => x * x;
        {{members}}
            void Update({{parameters}})
            {
        {{body}}
            }
        }

        [Optimize(typeof(MyRule))]
        public partial class Model
        {
            [Param] public float W;
        }
        """;

    [Theory]
    [InlineData("{|OPTG032:for|} (int i = 0; i < 3; i++) p -= g;", "Update is the update of one element")]
    [InlineData("{|OPTG032:while|} (p > 0) p -= g;", "write the element's update without a loop")]
    [InlineData("if ({|OPTG032:g > 0|}) p -= g;", "choose per element with 'x = condition ? a : b'")]
    [InlineData("{|OPTG032:return|};", "instead of returning early")]
    [InlineData("{|OPTG032:switch|} (step) { default: break; }", "conditional expressions")]
    [InlineData("{|OPTG032:try|} { p -= g; } finally { }", "use local declarations, assignments")]
    [InlineData("{|OPTG032:Helper(g);|}", "a rule's statements are declarations and assignments")]
    [InlineData("{|OPTG032:ref double r = ref m;|}", "declare 'double' locals")]
    public void UnsupportedStatement(string body, string advice) => Expect(Rule(body), advice);

    [Theory]
    [InlineData("p -= {|OPTG033:Helper(g)|};", "is not a function OptimizerGen can vectorize")]
    [InlineData("p -= Math.{|OPTG033:Exp|}(g);", "Math.Exp has no vector form; use it only on hyperparameters and the step")]
    [InlineData("p -= {|OPTG033:LearningRate.CompareTo(1.0)|} * g;", "is not a function a rule can call")]
    [InlineData("{|OPTG033:Rate|} = g;", "a rule cannot change its hyperparameters")]
    [InlineData("{|OPTG033:Shared|} = 2;", "never fields or properties")]
    [InlineData("{|OPTG033:step|} = 2;", "the step is read-only")]
    [InlineData("p -= {|OPTG033:Computed|} * g;", "not computed properties")]
    [InlineData("p -= {|OPTG033:Shared|} * g;", "make it a const or a hyperparameter")]
    [InlineData("p -= {|OPTG033:(float)g|};", "element values are double")]
    [InlineData("bool up = {|OPTG033:g > 0|};", "use it directly as the condition")]
    [InlineData("p -= {|OPTG033:g > 0 && m > 0|} ? g : m;", "nest conditional expressions")]
    [InlineData("p -= {|OPTG033:g % 2|};", "the operator '%' has no vector form")]
    [InlineData("p -= {|OPTG033:Math.Sign(g) / Math.Sign(m)|};", "integer division")]
    [InlineData("p -= {|OPTG033:m = g|};", "write the assignment as its own statement")]
    [InlineData("{|OPTG033:p++|};", "write increments as assignments")]
    [InlineData("{|OPTG033:p %= g|};", "use '=', '+=', '-=', '*=' or '/='")]
    public void UnsupportedExpression(string body, string advice) => Expect(Rule(body), advice);

    [Theory]
    [InlineData("{|OPTG031:double p|}, double g", "is not 'ref double'")]
    [InlineData("ref double p, {|OPTG031:ref double g|}", "is not 'double' (the gradient element)")]
    [InlineData("ref double p, double g, {|OPTG031:ref float m|}", "is not 'ref double' (a state element)")]
    [InlineData("ref double p, double g, ref double a, ref double b, ref double c, {|OPTG031:ref double d|}", "more than 3 state parameters")]
    [InlineData("ref double p, double g, ref double a, {|OPTG031:[State(\"a\")] ref double b|}", "two states named 'a'")]
    [InlineData("ref double p, double g, [{|OPTG031:State(\"exp.avg\")|}] ref double m", "without spaces or dots")]
    public void InvalidUpdateSignature(string parameters, string advice) => Expect(Rule("p -= g;", parameters), advice);

    [Fact]
    public void UpdateReturningAValue() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public partial struct MyRule
        {
            {|OPTG031:double|} Update(ref double p, double g) => p -= g;
        }
        """, "returns a value");

    [Fact]
    public void NoUpdateMethod() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public partial struct {|OPTG031:MyRule|}
        {
            public double LearningRate;
        }
        """, "has no Update method");

    [Fact]
    public void NotPartial() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public struct {|OPTG030:MyRule|}
        {
            void Update(ref double p, double g) => p -= g;
        }
        [Optimize(typeof(MyRule))]
        public partial class Model { [Param] public float W; }
        """, "it is not partial");

    [Fact]
    public void Nested() => Expect("""
        using OptimizerGen;
        public partial class Outer
        {
            [UpdateRule]
            public partial struct {|OPTG030:MyRule|}
            {
                void Update(ref double p, double g) => p -= g;
            }
        }
        """, "it is nested in 'Outer'");

    [Fact]
    public void Generic() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public partial struct {|OPTG030:MyRule|}<T>
        {
            void Update(ref double p, double g) => p -= g;
        }
        """, "it is generic");

    [Fact]
    public void MemberNameTaken() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public partial struct MyRule
        {
            public static string {|OPTG034:OptimizerName|} => "Mine";
            void Update(ref double p, double g) => p -= g;
        }
        """, "'MyRule' declares 'OptimizerName'");

    [Fact]
    public void UnsupportedHyperparameters() => Expect("""
        using OptimizerGen;
        [UpdateRule]
        public partial struct MyRule
        {
            public {|OPTG035:string|} Label;
            public {|OPTG035:decimal|} Rate { get; set; }
            public readonly double {|OPTG035:Fixed|};
            public const double Constant = 1;
            public static double Shared;
            void Update(ref double p, double g) => p -= g * Constant;
        }
        """, "saved in checkpoints");

    [Fact]
    public void SupportedConstructsTogetherGenerateCodeThatCompiles()
    {
        var (result, output) = GeneratorHarness.Run(Rule("""
                    const double K = 2;
                    double lr = step > 1 ? LearningRate / Math.Sqrt(step) : LearningRate;
                    double d;
                    d = Math.Sqrt(m) + 1e-8;
                    m = Math.FusedMultiplyAdd(g, g, m);
                    double u = Flag ? -g : g;
                    u = g != 0 ? u : (!(m < 1) ? m : -m);
                    if (Flag) { u *= K; } else u /= K;
                    p -= lr * Math.Min(Math.Max(u / d, -1), 1) * Math.Abs(+g) * ((double)Math.Sign(g) / Math.Sign(m + 1));
            """));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Theory]
    [InlineData("p -= Missing * g;")]
    [InlineData("p -= Missing(g);")]
    [InlineData("p -= Missing(LearningRate) * g;")]
    [InlineData("double x = Missing; p -= x * g;")]
    public void UnknownNamesAreLeftToTheCompiler(string body)
    {
        var (result, output) = GeneratorHarness.Run(Rule(body));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS0103");
    }

    [Fact]
    public void RuleFromAnotherAssembly()
    {
        var (_, library) = GeneratorHarness.Run("""
            using OptimizerGen;
            namespace Lib;
            [UpdateRule]
            public partial struct Signum
            {
                public double LearningRate;
                void Update(ref double p, double g) => p -= LearningRate * System.Math.Sign(g);
            }
            """);
        Assert.Empty(GeneratorHarness.CompilerProblems(library));
        (string source, var expected) = Markup.Parse("""
            using OptimizerGen;
            [Optimize(typeof({|OPTG030:Lib.Signum|}))]
            public partial class Model { [Param] public float W; }
            """);
        using var image = new System.IO.MemoryStream();
        Assert.True(library.WithAssemblyName("RuleLibrary").Emit(image).Success);
        var user = GeneratorHarness.Compilation(source).AddReferences(MetadataReference.CreateFromImage(image.ToArray()));
        GeneratorRunResult result = GeneratorHarness.Driver().RunGenerators(user).GetRunResult().Results.Single();
        Assert.Equal(expected.Select(e => (e.Id, e.Span)), result.Diagnostics.Select(d => (d.Id, d.Location.SourceSpan)));
        Assert.Contains("declared in another assembly", result.Diagnostics[0].GetMessage(), System.StringComparison.Ordinal);
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("public readonly partial record struct R(double Rate)")]
    [InlineData("public partial record struct R(double Rate)")]
    [InlineData("internal readonly partial struct R()")]
    public void EveryKindOfStructDeclarationCompiles(string declaration)
    {
        string members = declaration.Contains("Rate", System.StringComparison.Ordinal) ? string.Empty : "public double Rate { get; init; } = 0.1;";
        var (result, output) = GeneratorHarness.Run($$"""
            using OptimizerGen;
            namespace Demo.Inner;
            [UpdateRule]
            {{declaration}}
            {
                {{members}}
                void Update(ref double p, double g) => p -= Rate * g;
            }
            [Optimize(typeof(R))]
            partial class Model { [Param] public double[] W = new double[2]; }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void UserNamesThatClashWithGeneratedNamesAreRenamed()
    {
        var (result, output) = GeneratorHarness.Run("""
            using System;
            using OptimizerGen;
            [UpdateRule]
            public partial struct Clash
            {
                public Clash() { }
                public double options { get; init; } = 0.1;
                void Update(ref double TSimd, double TVector, ref double T, ref double __rule, long clipping)
                {
                    double step = options / clipping;
                    double __c0 = step * 2;
                    double __s1 = TVector * __c0;
                    T = Math.Max(T, Math.Abs(__s1));
                    __rule += __s1;
                    TSimd -= step * __rule / (Math.Sqrt(T) + 1e-8);
                }
            }
            [Optimize(typeof(Clash))]
            public partial class Model { [Param] public float W; [Param] public double[] V = new double[3]; }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void RenamedNamesDoNotClashWithTheUsersOwnRenamedLookingNames()
    {
        // T becomes T_ in the generated code, but this method has its own T_, and options_ beside options: the renames
        // must keep going (T__, options__) rather than give two variables one name.
        var (result, output) = GeneratorHarness.Run("""
            using System;
            using OptimizerGen;
            [UpdateRule]
            public partial struct Clash2
            {
                public Clash2() { }
                public double Rate { get; init; } = 0.1;
                void Update(ref double p, double g, ref double T, long clipping)
                {
                    double options = Rate * clipping;
                    double options_ = options * 2;
                    double T_ = g * options_;
                    double clipping_ = T_ + T;
                    T = Math.Max(T, Math.Abs(clipping_));
                    p -= options * T_ / (Math.Sqrt(T) + 1e-8);
                }
            }
            [Optimize(typeof(Clash2))]
            public partial class Model2 { [Param] public float W; [Param] public double[] V = new double[3]; }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    private static void Expect(string markedSource, string advice)
    {
        (string source, var expected) = Markup.Parse(markedSource);
        var (result, _) = GeneratorHarness.Run(source);
        var actual = result.Diagnostics.Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        Assert.Equal(expected.OrderBy(d => d.Span.Start).ThenBy(d => d.Id).ToList(), actual);
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Contains(result.Diagnostics, d => d.GetMessage().Contains(advice, System.StringComparison.Ordinal));
        Assert.Empty(result.GeneratedSources);
    }
}
