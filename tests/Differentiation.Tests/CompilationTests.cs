using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// Losses in the documented subset whose generated code must compile (checked in memory, with the real generator, since
/// one compile error in this project would stop every other test) and then differentiate correctly.
/// </summary>
public sealed class CompilationTests
{
    /// <summary>
    /// Legal C#: the int local <c>j</c> of the first loop and the double local <c>j</c> of the second live in sibling
    /// scopes. ∂loss/∂W_i = x_i + 2·W_i.
    /// </summary>
    private const string IntAndDoubleLocalsOfOneNameInSiblingLoops = """
        using System;
        using OptimizerGen;

        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public double[] W = new double[3];

            [Loss]
            public double Loss(double[] x)
            {
                double s = 0;
                for (int i = 0; i < 3; i++)
                {
                    int j = i;
                    s += W[j] * x[i];
                }

                for (int k = 0; k < 3; k++)
                {
                    double j = W[k] * W[k];
                    s += j;
                }

                return s;
            }
        }
        """;

    /// <summary>Legal C#: a loop counter <c>i</c>, and a double local <c>i</c> in a later loop. ∂loss/∂W_i = x_i + 2·W_i.</summary>
    private const string CounterAndDoubleLocalOfOneNameInSiblingLoops = """
        using System;
        using OptimizerGen;

        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public double[] W = new double[3];

            [Loss]
            public double Loss(double[] x)
            {
                double s = 0;
                for (int i = 0; i < 3; i++)
                {
                    s += W[i] * x[i];
                }

                for (int k = 0; k < 3; k++)
                {
                    double i = W[k] * W[k];
                    s += i;
                }

                return s;
            }
        }
        """;

    /// <summary>Legal C#: two sibling blocks each declare an int local <c>k</c>. ∂loss/∂W = (x_0, 2·W_1·x_1, 0).</summary>
    private const string IntLocalsOfOneNameInSiblingBlocks = """
        using System;
        using OptimizerGen;

        [Optimize(typeof(RmsProp))]
        public partial class Model
        {
            [Param] public double[] W = new double[3];

            [Loss]
            public double Loss(double[] x)
            {
                double s = 0;
                {
                    int k = 0;
                    s += W[k] * x[k];
                }

                {
                    int k = 1;
                    s += W[k] * W[k] * x[k];
                }

                return s;
            }
        }
        """;

    [Theory]
    [InlineData(nameof(IntAndDoubleLocalsOfOneNameInSiblingLoops))]
    [InlineData(nameof(CounterAndDoubleLocalOfOneNameInSiblingLoops))]
    public void A_name_reused_in_sibling_scopes(string name)
    {
        string source = (string)typeof(CompilationTests).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        double[] w = [0.3, -0.7, 1.1];
        double[] x = [0.5, 2.0, -1.5];
        double[] gradient = CompileAndDifferentiate(source, w, x);
        Assert.Equal([x[0] + (2 * w[0]), x[1] + (2 * w[1]), x[2] + (2 * w[2])], gradient);
    }

    [Fact]
    public void Int_locals_of_one_name_in_sibling_blocks()
    {
        double[] w = [0.3, -0.7, 1.1];
        double[] x = [0.5, 2.0, -1.5];
        double[] gradient = CompileAndDifferentiate(IntLocalsOfOneNameInSiblingBlocks, w, x);
        Assert.Equal([x[0], 2 * w[1] * x[1], 0], gradient);
    }

    /// <summary>
    /// The numerically stable log-sum-exp: the running maximum starts at double.NegativeInfinity (or, for the minimum
    /// form, −z starts at double.PositiveInfinity). ∂loss/∂z = softmax(z) − onehot(label).
    /// </summary>
    [Theory]
    [InlineData("double max = double.NegativeInfinity;", "max = Math.Max(max, Z[k]);")]
    [InlineData("double max = -double.PositiveInfinity;", "max = -Math.Min(-max, -Z[k]);")]
    public void Infinite_constants_stable_softmax(string declaration, string update)
    {
        string source = $$"""
            using System;
            using OptimizerGen;

            [Optimize(typeof(RmsProp))]
            public partial class Model
            {
                [Param] public double[] Z = new double[3];

                [Loss]
                public double Loss(int label)
                {
                    {{declaration}}
                    for (int k = 0; k < 3; k++)
                    {
                        {{update}}
                    }

                    double sum = 0;
                    for (int k = 0; k < 3; k++)
                    {
                        sum += Math.Exp(Z[k] - max);
                    }

                    return Math.Log(sum) + max - Z[label];
                }
            }
            """;
        double[] z = [0.1, 0.5, -0.3];
        double total = z.Sum(Math.Exp);
        double[] gradient = CompileAndDifferentiate(source, "Z", z, 1);
        double[] expected = [Math.Exp(z[0]) / total, (Math.Exp(z[1]) / total) - 1, Math.Exp(z[2]) / total];
        for (int k = 0; k < 3; k++)
        {
            GradientCheck.AssertClose(expected[k], gradient[k], 1e-12, 1e-15, $"∂loss/∂Z[{k}]");
        }
    }

    [Fact]
    public void The_in_memory_harness_sees_compile_errors_and_runs_models()
    {
        // The harness must be able to fail: a loss with a type error is reported by the compiler ...
        var (_, compiler, _) = InMemoryCompilation.Run(IntLocalsOfOneNameInSiblingBlocks.Replace("double s = 0;", "double s = \"0\";"));
        Assert.Contains(compiler, d => d.Severity == DiagnosticSeverity.Error && d.Id == "CS0029");

        // ... and a model it compiles runs: ∂(W·x)/∂W = x.
        const string dot = """
            using OptimizerGen;

            [Optimize(typeof(RmsProp))]
            public partial class Model
            {
                [Param] public double[] W = new double[3];

                [Loss]
                public double Loss(double[] x)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        s += W[i] * x[i];
                    }

                    return s;
                }
            }
            """;
        Assert.Equal([0.5, 2.0, -1.5], CompileAndDifferentiate(dot, [0.3, -0.7, 1.1], [0.5, 2.0, -1.5]));
    }

    /// <summary>
    /// Compiles <paramref name="source"/> (a class Model with a [Param] array <paramref name="field"/>), asserts it
    /// compiles cleanly, and returns Grad.&lt;field&gt; after AccumulateGradients(<paramref name="arguments"/>) from
    /// <paramref name="field"/> = <paramref name="initial"/>.
    /// </summary>
    private static double[] CompileAndDifferentiate(string source, string field, double[] initial, params object[] arguments)
    {
        var (generator, compiler, output) = InMemoryCompilation.Run(source);
        Assert.True(generator.IsEmpty, "generator diagnostics: " + string.Join(Environment.NewLine, generator));
        Assert.True(
            !compiler.Any(d => d.Severity == DiagnosticSeverity.Error),
            "the generated code does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, compiler) + Environment.NewLine + InMemoryCompilation.Generated(output));

        Type type = InMemoryCompilation.Load(output).GetType("Model")!;
        object model = Activator.CreateInstance(type)!;
        type.GetField(field)!.SetValue(model, initial.Clone());
        double loss = (double)type.GetMethod("AccumulateGradients")!.Invoke(model, arguments)!;
        Assert.Equal((double)type.GetMethod("Loss")!.Invoke(model, arguments)!, loss);
        return ModelParameters.Elements(model).Select(e => ModelParameters.GetGradient(model, e)).ToArray();
    }

    private static double[] CompileAndDifferentiate(string source, double[] w, double[] x) => CompileAndDifferentiate(source, "W", w, x);
}
