using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// Every construct outside the differentiable subset is a diagnostic on the exact syntax node, naming the construct
/// and what to write instead; the class then gets no generated code (and the generator does not throw).
/// </summary>
public class LossDiagnosticTests
{
    private static string Model(string lossBody, string extraMembers = "", string signature = "float Loss(float x, float y)") => $$"""
        using System;
        using System.Linq;
        using OptimizerGen;

        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Param] public float[] V = new float[3];
            public float NotAParameter;
            {{extraMembers}}
            [Loss]
            public {{signature}}
            {
        {{lossBody}}
            }
        }
        """;

    [Theory]
    [InlineData("OPTG015", "while", "        float s = 0f;\n        {|OPTG015:while (s < 1f) s += W;|}\n        return s;", "write a for loop")]
    [InlineData("OPTG015", "do", "        float s = 0f;\n        {|OPTG015:do s += W; while (s < 1f);|}\n        return s;", "write a for loop")]
    [InlineData("OPTG015", "foreach", "        float s = 0f;\n        {|OPTG015:foreach (float v in V) s += v;|}\n        return s;", "index the vector")]
    [InlineData("OPTG015", "switch", "        float s = 0f;\n        {|OPTG015:switch ((int)x) { default: s = W; break; }|}\n        return s;", "if/else")]
    [InlineData("OPTG015", "try", "        float s = W;\n        {|OPTG015:try { s = W * 2f; } finally { }|}\n        return s;", "cannot throw or catch")]
    [InlineData("OPTG015", "throw", "        float s = W;\n        {|OPTG015:throw new Exception();|}\n        return s;", "cannot throw")]
    [InlineData("OPTG015", "local function", "        float s = W;\n        {|OPTG015:float Twice(float a) => 2f * a;|}\n        return s;", "[Differentiable]")]
    [InlineData("OPTG015", "early return", "        if (x > 0f) {|OPTG015:return W;|}\n        return W * 2f;", "return it once")]
    [InlineData("OPTG015", "break", "        float s = 0f;\n        for (int i = 0; i < 3; i++) { s += V[i]; {|OPTG015:break;|} }\n        return s;", "use if/else")]
    [InlineData("OPTG015", "call statement", "        {|OPTG015:Console.WriteLine(W);|}\n        return W;", "assign results to locals")]
    [InlineData("OPTG016", "field write", "        {|OPTG016:NotAParameter|} = W;\n        return W;", "never fields")]
    [InlineData("OPTG016", "parameter write", "        {|OPTG016:x|} = W;\n        return W;", "copy the parameter")]
    [InlineData("OPTG016", "unknown call", "        return {|OPTG016:Math.Atan|}(W);", "not a function OptimizerGen can differentiate")]
    [InlineData("OPTG016", "LINQ", "        return {|OPTG016:V.Sum|}();", "not a function OptimizerGen can differentiate")]
    [InlineData("OPTG015", "lambda", "        {|OPTG015:Func<float, float>|} f = a => a * W;\n        return W;", "float or double values")]
    [InlineData("OPTG016", "query", "        return {|OPTG016:(from v in V select v).Sum|}();", "not a function OptimizerGen can differentiate")]
    [InlineData("OPTG015", "local array", "        {|OPTG015:float[]|} a = new float[3];\n        return W;", "float or double values")]
    [InlineData("OPTG016", "allocation", "        return (float){|OPTG016:new System.Numerics.BigInteger(3)|} * W;", "cannot allocate")]
    [InlineData("OPTG016", "float to int", "        int i = {|OPTG016:(int)W|};\n        return V[i];", "cannot be turned into an int")]
    [InlineData("OPTG016", "increment in expression", "        float s = W;\n        return {|OPTG016:s++|};", "own statements")]
    [InlineData("OPTG016", "bitwise operator", "        int i = {|OPTG016:V.Length ^ 1|};\n        return W;", "use + - * / and comparisons")]
    [InlineData("OPTG017", "loop without int counter", "        float s = 0f;\n        {|OPTG017:for|} (float t = 0f; t < 1f; t += 0.5f) s += W;\n        return s;", "int counter")]
    [InlineData("OPTG017", "loop condition", "        float s = 0f;\n        for (int i = 0; {|OPTG017:i != 3|}; i++) s += V[i];\n        return s;", "i < end")]
    [InlineData("OPTG017", "loop step", "        float s = 0f;\n        for (int i = 0; i < 3; {|OPTG017:i += 2|}) s += V[i];\n        return s;", "step by one")]
    [InlineData("OPTG017", "counter written in body", "        float s = 0f;\n        for (int i = 0; i < 3; i++) { s += V[i]; {|OPTG017:i = 3|}; }\n        return s;", "only the loop may change it")]
    public void UnsupportedConstruct(string id, string construct, string body, string advice)
    {
        _ = construct;
        var diagnostics = ExpectAt(Model(body));
        Assert.All(diagnostics, d => Assert.Equal(id, d.Id));
        Assert.Contains(diagnostics, d => d.GetMessage().Contains(advice, System.StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{|OPTG013:int|} Loss(float x)", "returns 'int'")]
    [InlineData("float Loss({|OPTG013:ref float x|})", "passed by reference")]
    [InlineData("float Loss({|OPTG013:string name|})", "float, double or int values")]
    [InlineData("float Loss({|OPTG013:float[,] x|})", "ReadOnlySpan<float>")]
    public void InvalidLossSignature(string signature, string message)
    {
        var diagnostics = ExpectAt(Model("        return W;", signature: signature));
        Assert.Contains(diagnostics, d => d.Id == "OPTG013" && d.GetMessage().Contains(message, System.StringComparison.Ordinal));
    }

    [Fact]
    public void StaticLossIsRefused() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Loss] public static float {|OPTG013:Loss|}(float x) { return x; }
        }
        """);

    [Fact]
    public void OPTG014_MoreThanOneLoss() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Loss] public float First(float x) => W * x;
            [Loss] public float {|OPTG014:Second|}(float x) => W + x;
        }
        """);

    [Fact]
    public void OPTG018_RecursiveHelper() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Differentiable] private float Down(float a) => a > 1f ? {|OPTG018:Down(a - 1f)|} : a;
            [Loss] public float Loss(float x) => Down(W * x);
        }
        """);

    [Fact]
    public void OPTG019_LossOutsideOptimizeClass() => ExpectAt("""
        using OptimizerGen;
        public partial class Plain
        {
            public float W;
            [{|OPTG019:Loss|}] public float Loss(float x) => W * x;
            [{|OPTG019:Differentiable|}] public float Helper(float x) => x;
        }
        """);

    [Fact]
    public void OPTG020_HelperWithStatements() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            [Differentiable]
            private float {|OPTG020:Twice|}(float a)
            {
                float b = a * 2f;
                return b;
            }
            [Loss] public float Loss(float x) => Twice(W * x);
        }
        """);

    [Fact]
    public void UndifferentiableHelperCall() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            private float Twice(float a) => a * 2f;
            [Loss] public float Loss(float x) => {|OPTG016:Twice|}(W * x);
        }
        """);

    [Fact]
    public void LossAddsItsMemberNamesToTheReservedOnes() => ExpectAt("""
        using OptimizerGen;
        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public float W;
            public void {|OPTG007:Step|}() { }
            [Loss] public float Loss(float x) => W * x;
        }
        """);

    [Fact]
    public void ValidLossHasNoDiagnosticsAndGeneratesStep()
    {
        var (result, output) = GeneratorHarness.Run(Model("""
                    float s = 0f;
                    for (int i = 0; i < V.Length; i++)
                        s += V[i] * W;
                    return s > 0f ? s * x - y : -s;
            """));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        Assert.Contains("public float Step(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<float> y)", result.GeneratedSources.Single().SourceText.ToString());
    }

    /// <summary>Asserts exactly the marked diagnostics (id and span) and no generated code; returns them.</summary>
    private static Diagnostic[] ExpectAt(string markedSource)
    {
        (string source, var expected) = Markup.Parse(markedSource);
        var (result, _) = GeneratorHarness.Run(source);
        var actual = result.Diagnostics.Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        Assert.Equal(expected.OrderBy(d => d.Span.Start).ThenBy(d => d.Id).ToList(), actual);
        Assert.Empty(result.GeneratedSources.Where(s => s.SourceText.ToString().Contains("partial class Model", System.StringComparison.Ordinal)));
        return result.Diagnostics.ToArray();
    }
}
