using System.Linq;
using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>The emitter alone, from hand-built models.</summary>
public class EmitterTests
{
    private static OptimizedClass Model(params ParamField[] fields) => new(
        "Demo", EquatableArray<ContainingType>.Empty, "class", "M", "M", OptimizerKind.RmsProp, fields.ToEquatableArray(), "Demo.M.g.cs", null);

    [Fact]
    public void ScalarFieldsGetOneCommentedStraightLineBlockEach()
    {
        string text = ClassEmitter.Emit(Model(
            new ParamField("Alpha", ElementType.Float, false, false, EquatableArray<int>.Empty),
            new ParamField("Beta", ElementType.Double, false, true, EquatableArray<int>.Empty)));

        Assert.Contains("// Alpha:  g ← clip(±g) + λ·Alpha ;", text);
        Assert.Contains("// Beta (no weight decay):  g ← clip(±g) ;", text);
        Assert.Contains("if (f32.Gradient.HasCoupledDecay) g = float.FusedMultiplyAdd(this.Alpha, f32.Gradient.CoupledDecay, g);", text);
        Assert.Contains("double g = f64NoDecay.Gradient.GradientScale * (double)factor_Beta * grad.Beta;", text);
        Assert.DoesNotContain("RmsPropKernel", text);
        Assert.DoesNotContain("CheckArrays", text);
        Assert.Equal(2, CountOf(text, "ref global::OptimizerGen.RmsPropScalarState<"));   // each field in the general update

        // The plain step: taken only while every kind of field is plain and the coefficients do not depend on the step.
        Assert.Contains("__plainStep = !clipping.ClipsNorm && __f32Plain.IsPlain && __f64Plain.IsPlain && !options.BiasCorrection && !this.SkipNonFiniteGradients;", text);
        Assert.Contains("__f32Plain = global::OptimizerGen.RmsPropPlainCoefficients<float>.From(__f32);", text);
        Assert.Contains("__f64Plain = global::OptimizerGen.RmsPropPlainCoefficients<double>.From(__f64NoDecay);", text);   // its only field is excluded
        Assert.Contains("if (this.__plainStep)", text);
        Assert.Contains("__coefficientsStep = 0; __plainStep = false;   // the next update is the general one", text);   // in ResetOptimizerState
        Assert.Equal(4, CountOf(text, "__coefficientsStep = 0; __plainStep = false;"));   // and the setters of Optimizer, GradientClipping, SkipNonFiniteGradients
        Assert.Contains("private bool __ApplyGradients() => __TryPlainStep() || __ApplyGradientsGeneral();", text);

        // ApplyGradients: the guard's fast entry and the plain step, with no try; the general update out of line, in a try.
        string apply = text[text.IndexOf("public bool ApplyGradients()", System.StringComparison.Ordinal)..];
        apply = apply[..apply.IndexOf("private bool __ApplyGradients()", System.StringComparison.Ordinal)];
        string fast = apply[..apply.IndexOf("private bool __ApplyGradientsGuarded(", System.StringComparison.Ordinal)];
        Assert.Contains("if (global::OptimizerGen.Runtime.ConcurrentUse.TryEnter(ref this.__concurrentUse, out var owner, out nint stackMark) && __TryPlainStep())", fast);
        Assert.Contains("global::OptimizerGen.Runtime.ConcurrentUse.Exit(owner);", fast);
        Assert.Contains("return __ApplyGradientsGuarded(owner, stackMark);", fast);
        Assert.DoesNotMatch(@"(?m)^\s*(try|finally)\s*$", fast);
        Assert.Contains("owner ??= global::OptimizerGen.Runtime.ConcurrentUse.Enter(ref this.__concurrentUse, stackMark, \"M\");", apply);
        Assert.Matches(@"owner \?\?= [^\n]*\n\s*try\s*\n", apply);
        Assert.Contains("return __ApplyGradientsGeneral();", apply);

        // It reads and computes every field first, with its element type's plain coefficients, and stores afterwards.
        string plain = text[text.IndexOf("private bool __TryPlainStep()", System.StringComparison.Ordinal)..];
        plain = plain[..plain.IndexOf("return true;", System.StringComparison.Ordinal)];
        Assert.Contains("ref readonly var f32 = ref __f32Plain;", plain);
        Assert.Contains("ref readonly var f64 = ref __f64Plain;", plain);
        Assert.Contains("float v_Alpha = float.FusedMultiplyAdd(f32.OneMinusDecay * g_Alpha, g_Alpha, f32.Decay * state.Alpha.SquareAvg);", plain);
        Assert.Contains("double p_Beta = this.Beta + f64.NegativeDirectStep * g_Beta / (double.Sqrt(v_Beta + f64.EpsilonInside) + f64.EpsilonOutside);", plain);
        int lastRead = plain.IndexOf("double p_Beta = this.Beta", System.StringComparison.Ordinal);
        int firstStore = plain.IndexOf("state.Alpha.SquareAvg = v_Alpha;", System.StringComparison.Ordinal);
        Assert.True(lastRead > 0 && lastRead < firstStore, "every read before the first store");
        Assert.True(plain.IndexOf("grad.Beta = 0d;", System.StringComparison.Ordinal) < plain.IndexOf("StepCount++;", System.StringComparison.Ordinal));
    }

    [Fact]
    public void ApplyGradientsOfOneArray_CallsThePlainStepOutOfLine_SoThatItsLoopIsInlinedIntoIt()
    {
        const string OutOfLine = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]\n        private bool __TryPlainStepOutOfLine()\n        {\n            if (this.__plainStep)";
        const string Inlined = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]\n        private bool __TryPlainStep()";
        var array = new ParamField("W", ElementType.Float, true, false, EquatableArray<int>.Empty);
        var scalar = new ParamField("B", ElementType.Float, false, false, EquatableArray<int>.Empty);
        var second = new ParamField("V", ElementType.Float, true, false, EquatableArray<int>.Empty);
        static string Emit(params ParamField[] fields) => ClassEmitter.Emit(Model(fields)).Replace("\r\n", "\n");

        // One array (with or without scalar fields): ApplyGradients calls TryPlainStep's loop through a method of its own,
        // the only place the JIT inlines that loop into; __TryPlainStep itself stays inlinable (Step inlines it).
        foreach (string text in new[] { Emit(array), Emit(array, scalar) })
        {
            Assert.Contains(OutOfLine, text);
            Assert.Contains(Inlined, text);
            string outOfLine = text[text.IndexOf("private bool __TryPlainStepOutOfLine()", System.StringComparison.Ordinal)..];
            Assert.Contains("__state_W!.TryPlainStep(this.W, grad.W, in f32, __updateThreads)", outOfLine[..outOfLine.IndexOf("return false;", System.StringComparison.Ordinal)]);   // the step itself, not a forwarder (too short for the JIT to inline the loop into)
            Assert.Contains("out nint stackMark) && __TryPlainStepOutOfLine())", text);   // the guarded ApplyGradients
        }

        Assert.Contains("return __TryPlainStepOutOfLine() || __ApplyGradientsGeneral();", ClassEmitter.Emit(Model(array) with { DetectConcurrentUse = false }));

        // Scalars only (no loop), or several arrays (each loop is a call already): no out-of-line step.
        foreach (string text in new[] { Emit(scalar), Emit(array, second) })
        {
            Assert.DoesNotContain("__TryPlainStepOutOfLine", text);
            Assert.Contains(Inlined, text);
            Assert.Contains("out nint stackMark) && __TryPlainStep())", text);
        }
    }

    [Fact]
    public void ArrayFieldsCallTheKernelAfterCheckingEveryArray()
    {
        string text = ClassEmitter.Emit(Model(
            new ParamField("W", ElementType.Float, true, false, new[] { 3, 4 }.ToEquatableArray()),
            new ParamField("B", ElementType.Float, true, true, EquatableArray<int>.Empty)));

        // The plain step: both arrays checked, then StepCount, then one plain pass per field, with its own coefficients.
        string plain = text[text.IndexOf("private bool __TryPlainStep()", System.StringComparison.Ordinal)..];
        plain = plain[..plain.IndexOf("return true;", System.StringComparison.Ordinal)];
        int lastReady = plain.LastIndexOf("IsReadyForPlainStep(", System.StringComparison.Ordinal);
        int plainIncrement = plain.IndexOf("StepCount++;", System.StringComparison.Ordinal);
        int firstPlain = plain.IndexOf(".PlainStep(", System.StringComparison.Ordinal);
        Assert.Contains("if (__state_W!.IsReadyForPlainStep(this.W, grad.W, __updateThreads) && __state_B!.IsReadyForPlainStep(this.B, grad.B, __updateThreads))", plain);
        Assert.True(lastReady > 0 && lastReady < plainIncrement && plainIncrement < firstPlain, "the plain step's checks must come before any state changes");
        Assert.Contains("__state_W!.PlainStep(this.W, grad.W, in f32);", plain);
        Assert.Contains("__state_B!.PlainStep(this.B, grad.B, in f32);", plain);   // plain coefficients have no weight decay to leave out
        Assert.DoesNotContain("OptimizerStates state", plain);   // arrays only: their states are cached in the model, one load closer
        Assert.Contains("__state_W = __optimizerState.W;", text);   // set with the coefficients, before any plain step
        Assert.Contains("__state_B = __optimizerState.B;", text);
        Assert.Contains("__plainStep = !clipping.ClipsNorm && __f32Plain.IsPlain && !options.BiasCorrection && !this.SkipNonFiniteGradients;", text);
        Assert.Contains("__f32Plain = global::OptimizerGen.RmsPropPlainCoefficients<float>.From(__f32);", text);   // W is not excluded

        string apply = text[text.IndexOf("private bool __ApplyGradientsGeneral()", System.StringComparison.Ordinal)..];
        apply = apply[..apply.IndexOf("return true;", System.StringComparison.Ordinal)];
        int lastCheck = apply.LastIndexOf("CheckLength(", System.StringComparison.Ordinal);
        int stepIncrement = apply.IndexOf("++StepCount", System.StringComparison.Ordinal);
        int firstUpdate = apply.IndexOf(".Update(", System.StringComparison.Ordinal);
        int norms = apply.IndexOf("GlobalFactor(", System.StringComparison.Ordinal);
        Assert.True(lastCheck > 0 && lastCheck < stepIncrement && stepIncrement < firstUpdate, "checks must come before any state changes");
        Assert.True(lastCheck < norms && norms < stepIncrement, "the clipping norms (which may throw) must come before any state changes");
        Assert.Contains("CheckShape(this.W, 12, \"W\", \"[3, 4]\")", text);
        Assert.Contains("if (clipping.ClipsNorm) state.W.Update(this.W, grad.W, f32.WithGradientFactor(factor_W), __updateThreads);", text);
        Assert.Contains("else state.W.Update(this.W, grad.W, in f32, __updateThreads);", text);   // by reference: no copy of the coefficients per step
        Assert.Contains("if (clipping.ClipsNorm) state.B.Update(this.B, grad.B, f32NoDecay.WithGradientFactor(factor_B), __updateThreads);", text);
        Assert.Contains("else state.B.Update(this.B, grad.B, in f32NoDecay, __updateThreads);", text);
        Assert.DoesNotContain("f64", text);
    }

    [Fact]
    public void GlobalNamespaceAndNestingAreWrittenAsPartialDeclarations()
    {
        var model = new OptimizedClass(
            null,
            new[] { new ContainingType("record struct", "Outer<T>"), new ContainingType("class", "Mid") }.ToEquatableArray(),
            "class",
            "Inner",
            "Inner<U>",
            OptimizerKind.RmsProp,
            new[] { new ParamField("X", ElementType.Double, false, false, EquatableArray<int>.Empty) }.ToEquatableArray(),
            "Outer`1.Mid.Inner`1.g.cs");
        string[] lines = ClassEmitter.Emit(model).Split('\n');

        Assert.DoesNotContain(lines, l => l.StartsWith("namespace", System.StringComparison.Ordinal));
        Assert.Contains("partial record struct Outer<T>", lines);
        Assert.Contains("    partial class Mid", lines);
        Assert.Contains("        partial class Inner<U>", lines);
        Assert.Contains("                internal Gradients(Inner<U> model)", lines);
    }

    private static int CountOf(string text, string part) =>
        Enumerable.Range(0, text.Length - part.Length + 1).Count(i => string.CompareOrdinal(text, i, part, 0, part.Length) == 0);
}
