using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The emitters of users' rules alone, from hand-built models.</summary>
public class UpdateRuleEmitterTests
{
    private static RuleModel Rule(params string[] states) => new(
        null,
        "readonly record struct",
        "Mine",
        "Mine.UpdateRule",
        new[] { new Hyperparameter("Rate", HyperparameterType.Double), new Hyperparameter("Steps", HyperparameterType.Int), new Hyperparameter("On", HyperparameterType.Bool) }.ToEquatableArray(),
        states.ToEquatableArray(),
        new[] { "p", "g", "a", "__s1", "__s2" }.ToEquatableArray(),
        new[] { new RuleCoefficient("C0", false, "Rate * 2"), new RuleCoefficient("B0", true, "On && x < y") }.ToEquatableArray(),
        new[] { "double __c0 = options.Rate * 2;", "bool __b0 = options.On;" }.ToEquatableArray(),
        new[] { "// p -= Rate * 2 * g;", "p = TSimd.Subtract(p, TSimd.Multiply(__c0, g));" }.ToEquatableArray(),
        ReadsStep: false);

    [Fact]
    public void TheRuleStructHoldsTheCoefficientsAndRunsTheTranslatedBodyInTheLoop()
    {
        string text = UpdateRuleEmitter.Emit(Rule("sum"));

        Assert.Contains("readonly partial record struct Mine : global::OptimizerGen.IOptimizerSettings<Mine>", text);
        Assert.DoesNotContain("namespace", text);
        Assert.Contains("writer.WriteNumber(\"Steps\", this.Steps);", text);
        Assert.Contains("writer.WriteBoolean(\"On\", this.On);", text);
        Assert.Contains("Steps = checked((int)global::OptimizerGen.Rules.RuleJson.Integer(json, \"Steps\")),", text);
        Assert.Contains("/// <summary><c>On &amp;&amp; x &lt; y</c>.</summary>", text);
        Assert.Contains("public bool B0 { get; init; }", text);
        Assert.Contains("C0 = T.CreateChecked(__c0),", text);
        Assert.Contains("B0 = __b0,", text);
        Assert.Contains("public bool UsesBuffer(int index) => index < 1;", text);
        Assert.Contains("public static int StateCount => 1;", text);
        Assert.Contains("global::OptimizerGen.Rules.ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(__rule), StateCount, streams, start, length);", text);
        Assert.Contains("private readonly TVector __c0 = TSimd.Broadcast(__rule.C0); // Rate * 2", text);
        Assert.Contains("private readonly bool __b0 = __rule.B0; // On && x < y", text);
        Assert.Contains("public void Apply(ref TVector p, TVector g, ref TVector a, ref TVector __s1, ref TVector __s2)", text);
        Assert.Contains("                p = TSimd.Subtract(p, TSimd.Multiply(__c0, g));", text);
    }

    [Theory]
    [InlineData(false, "if (__coefficientsStep == 0) __BuildCoefficients(step);")]
    [InlineData(true, "if (__coefficientsStep != step) __BuildCoefficients(step);")]
    public void TheModelSideUsesTheRuleTypeAndItsStateKeys(bool readsStep, string rebuild)
    {
        var model = new OptimizedClass(
            "Demo", EquatableArray<ContainingType>.Empty, "class", "M", "M", OptimizerKind.UserRule,
            new[] { new ParamField("W", ElementType.Float, true, false, EquatableArray<int>.Empty) }.ToEquatableArray(),
            "Demo.M", null, new UserRule("global::Demo.Mine", "Mine", new[] { "sum", "peak" }.ToEquatableArray(), readsStep));
        string text = ClassEmitter.Emit(model);

        // The coefficients are rebuilt every step only when the rule reads the step; else when the options change.
        Assert.Contains(rebuild, text);

        Assert.Contains("public global::Demo.Mine Optimizer", text);
        Assert.Contains("private global::Demo.Mine __optimizer = new global::Demo.Mine();", text);
        Assert.Contains("__f32 = global::Demo.Mine.Rule<float>.Create(options, step, clipping);", text);
        Assert.Contains("checkpoint.AddIfPresent(\"W.peak\", __optimizerState.W.Buffer1, null);", text);
        Assert.Contains("checkpoint.Expect(\"W.sum\", global::OptimizerGen.Checkpoints.TensorDType.F32, WShape, required: checkpoint.Step > 0);", text);
        Assert.Contains("checkpoint.Expect(\"W.peak\", global::OptimizerGen.Checkpoints.TensorDType.F32, WShape, required: false);", text);
        Assert.Contains("public readonly global::OptimizerGen.Rules.UpdateState<float> W", text);
    }
}
