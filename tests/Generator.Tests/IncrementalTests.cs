using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The pipeline caches: an unrelated edit re-runs nothing, and no step output holds symbols or syntax.</summary>
public class IncrementalTests
{
    private const string Models = """
        using OptimizerGen;

        namespace Demo;

        [Optimize(typeof(RmsProp))]
        public partial class Good
        {
            [Param] public float W;
            [Param] public double[] V = new double[4];

            [Loss]
            public float Loss(float x)
            {
                float s = W * x;
                for (int i = 0; i < V.Length; i++)
                    s += (float)V[i] * s;
                return s > 0f ? s * s : -s;
            }
        }

        [Optimize(typeof(RmsProp))]
        public class NotPartial
        {
            [Param] public float W;
        }

        [UpdateRule]
        public partial struct Lion
        {
            public Lion() { }
            public double LearningRate { get; init; } = 1e-4;
            public double Beta1 { get; init; } = 0.9;

            void Update(ref double p, double g, [State("exp_avg")] ref double m)
            {
                double c = Beta1 * m + (1 - Beta1) * g;
                p -= LearningRate * System.Math.Sign(c);
                m = Beta1 * m + (1 - Beta1) * g;
            }
        }

        [Optimize(typeof(Lion))]
        public partial class WithLion
        {
            [Param] public float[] W = new float[5];
        }

        [UpdateRule]
        public partial struct Looping
        {
            void Update(ref double p, double g)
            {
                for (int i = 0; i < 2; i++) p -= g;
            }
        }

        public class Stray
        {
            [Param] public float W;
            [ExcludeFromWeightDecay] public float X;
            [Loss] public float Loss(float x) => W * x;
        }
        """;

    private static readonly string[] TrackedSteps =
    {
        TrackingNames.ParsedClasses, TrackingNames.Models, TrackingNames.ClassDiagnostics, TrackingNames.MisplacedAttributes,
        TrackingNames.NamedModels, TrackingNames.ParsedRules, TrackingNames.NamedRules, TrackingNames.RuleDiagnostics,
    };

    [Fact]
    public void UnrelatedEditLeavesEveryNamedStepCachedOrUnchanged()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Models);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        GeneratorRunResult firstRun = driver.GetRunResult().Results.Single();
        Assert.Equal(new[] { "Demo.Good.g.cs", "Demo.Lion.UpdateRule.g.cs", "Demo.WithLion.g.cs" }, firstRun.GeneratedSources.Select(s => s.HintName).OrderBy(h => h));
        Assert.Equal(new[] { "OPTG001", "OPTG008", "OPTG009", "OPTG019", "OPTG032" }, firstRun.Diagnostics.Select(d => d.Id).OrderBy(id => id));
        Assert.All(TrackedSteps, step => Assert.True(firstRun.TrackedSteps.ContainsKey(step), $"step {step} was not tracked"));

        CSharpCompilation second = first.Clone().AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Demo; public class Unrelated { public int X => 42; }",
            new CSharpParseOptions(LanguageVersion.Latest),
            path: "/src/Unrelated.cs"));
        GeneratorRunResult secondRun = driver.RunGenerators(second).GetRunResult().Results.Single();

        AssertCachedOrUnchanged(secondRun, TrackedSteps);

        var outputs = secondRun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void EditAboveTheClassLeavesTheModelsAndTheGeneratedSourceCached()
    {
        // Lines added above every class move every span in the file: the diagnostics move with them, but the models
        // hold no locations, so nothing is emitted again.
        (GeneratorDriver driver, GeneratorRunResult run) = RunEdited("// A comment\n// and another line above the models\n" + Models);
        AssertCachedOrUnchanged(run, TrackingNames.Models, TrackingNames.NamedModels, TrackingNames.NamedRules);

        int Line(GeneratorDriver d) => d.GetRunResult().Diagnostics.Single(x => x.Id == "OPTG001").Location.GetLineSpan().StartLinePosition.Line;
        Assert.Equal(Line(driver) + 2, run.Diagnostics.Single(x => x.Id == "OPTG001").Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void EditingAParameterReRunsTheEmitter()
    {
        (_, GeneratorRunResult run) = RunEdited(Models.Replace("[Param] public float W;\n    [Param] public double[] V", "[Param] public float W, W2;\n    [Param] public double[] V").Replace("float s = W * x;", "float s = W * x + W2;"));

        var models = run.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, models);
        Assert.Contains("W2", run.GeneratedSources.Single(s => s.HintName == "Demo.Good.g.cs").SourceText.ToString());
    }

    [Fact]
    public void EditingARuleReRunsItsEmitterAndTheModelsUsingIt()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Models);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        SyntaxTree tree = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(tree, tree.WithChangedText(
            Microsoft.CodeAnalysis.Text.SourceText.From(Models.Replace("[State(\"exp_avg\")] ref double m", "[State(\"momentum\")] ref double m"))));
        GeneratorRunResult run = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Contains(IncrementalStepRunReason.Modified, run.TrackedSteps[TrackingNames.ParsedRules].SelectMany(s => s.Outputs).Select(o => o.Reason));
        Assert.Contains(IncrementalStepRunReason.Modified, run.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => o.Reason));
        Assert.Contains("\"W.momentum\"", run.GeneratedSources.Single(s => s.HintName == "Demo.WithLion.g.cs").SourceText.ToString());
    }

    [Fact]
    public void EditingARuleInAnotherFileReRunsTheModelUsingIt()
    {
        const string rule = """
            namespace Demo;
            [OptimizerGen.UpdateRule]
            public partial struct Signum
            {
                public double LearningRate;
                void Update(ref double p, double g, [OptimizerGen.State("first")] ref double m) { m = g; p -= LearningRate * System.Math.Sign(m); }
            }
            """;
        const string model = """
            namespace Demo;
            [OptimizerGen.Optimize(typeof(Signum))]
            public partial class UsesSignum { [OptimizerGen.Param] public float W; }
            """;
        CSharpCompilation first = GeneratorHarness.Compilation(rule, model);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        SyntaxTree ruleTree = first.SyntaxTrees.First();
        CSharpCompilation second = first.ReplaceSyntaxTree(ruleTree, ruleTree.WithChangedText(
            Microsoft.CodeAnalysis.Text.SourceText.From(rule.Replace("State(\"first\")", "State(\"second\")"))));
        GeneratorRunResult run = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Empty(run.Diagnostics);
        Assert.Contains("\"W.second\"", run.GeneratedSources.Single(s => s.HintName == "Demo.UsesSignum.g.cs").SourceText.ToString());
    }

    /// <summary>Runs the generator on <see cref="Models"/>, then again with the file's text replaced by <paramref name="edited"/>.</summary>
    private static (GeneratorDriver First, GeneratorRunResult Second) RunEdited(string edited)
    {
        CSharpCompilation first = GeneratorHarness.Compilation(Models);
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        SyntaxTree tree = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited)));
        return (driver, driver.RunGenerators(second).GetRunResult().Results.Single());
    }

    private static void AssertCachedOrUnchanged(GeneratorRunResult run, params string[] steps)
    {
        foreach (string step in steps)
        {
            var reasons = run.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {step} output was {r}"));
        }
    }

    [Fact]
    public void StepOutputsHoldNoSymbolsSyntaxOrCompilations()
    {
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Models));
        GeneratorRunResult run = driver.GetRunResult().Results.Single();
        int checkedValues = 0;
        foreach (string step in TrackedSteps)
        {
            foreach (object value in run.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value))
            {
                AssertNoBannedTypes(value, new HashSet<object>(ReferenceEqualityComparer.Instance), $"{step}");
                checkedValues++;
            }
        }

        Assert.True(checkedValues >= 4, $"only {checkedValues} step outputs were walked");
    }

    private static readonly Type[] Banned = { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location) };

    private static void AssertNoBannedTypes(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(Banned.Any(b => b.IsAssignableFrom(type)), $"{path} holds a {type.Name}");
        if (value is DiagnosticDescriptor)
        {
            return; // an immutable, static descriptor: safe to cache
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                AssertNoBannedTypes(item, seen, $"{path}[{i++}]");
            }
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoBannedTypes(field.GetValue(value), seen, $"{path}.{field.Name}");
        }
    }
}
