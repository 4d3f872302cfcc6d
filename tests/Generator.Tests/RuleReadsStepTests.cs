using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// A user rule's coefficients are rebuilt every step only when they read the step (RuleModel.ReadsStep); otherwise only
/// when the options or the clipping change. A rule that reads the step but were taken not to would freeze its bias
/// correction at the first step's value, so every way a coefficient can read the step is checked here, on the model's
/// generated rebuild condition.
/// </summary>
public sealed class RuleReadsStepTests
{
    private const string EveryStep = "if (__coefficientsStep != step) __BuildCoefficients(step);";
    private const string OnChange = "if (__coefficientsStep == 0) __BuildCoefficients(step);";

    [Theory]
    [InlineData("long t", "p -= LearningRate * Math.Pow(0.9, t) * g;", EveryStep)]                 // in a coefficient
    [InlineData("long t", "double c = 1 - Math.Pow(0.9, t); p -= LearningRate / c * g;", EveryStep)] // through a local
    [InlineData("long t", "if (t > 10) { p -= LearningRate * g; } else { p -= 2 * LearningRate * g; }", EveryStep)] // a flag condition only
    [InlineData("long t", "p -= (t < 5 ? LearningRate : 0.5 * LearningRate) * g;", EveryStep)]     // a per-step ternary
    [InlineData("long t", "p -= LearningRate * g;", OnChange)]                                      // declared, never read
    [InlineData("", "p -= LearningRate * g;", OnChange)]                                            // no step parameter
    public void The_rule_is_rebuilt_every_step_exactly_when_it_reads_the_step(string stepParameter, string body, string expected)
    {
        string parameters = stepParameter.Length == 0 ? "ref double p, double g" : "ref double p, double g, " + stepParameter;
        var (result, output) = GeneratorHarness.Run($$"""
            using System;
            using OptimizerGen;

            namespace Demo;

            [UpdateRule]
            public partial struct Stepper
            {
                public Stepper() { }
                public double LearningRate { get; init; } = 0.01;

                void Update({{parameters}})
                {
                    {{body}}
                }
            }

            [Optimize(typeof(Stepper))]
            public partial class Model
            {
                [Param] public float[] W = new float[3];
            }
            """);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerProblems(output));
        string model = result.GeneratedSources.Single(s => s.HintName == "Demo.Model.g.cs").SourceText.ToString();
        Assert.Contains(expected, model);
        Assert.DoesNotContain(expected == EveryStep ? OnChange : EveryStep, model);
    }
}
