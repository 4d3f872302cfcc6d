using System;
using System.Linq;
using OptimizerGen.Integration.Tests.Conformance;
using OptimizerGen.Integration.Tests.Models;
using OptimizerGen.Integration.Tests.Presets;
using OptimizerGen.Integration.Tests.Support;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// Options no framework data covers: the generated straight-line scalar code and the SIMD array kernel agree bit for
/// bit under every option (changed between steps, as a schedule would), the opt-in clamp of v − m², and state
/// buffers created only when an option needs them.
/// </summary>
public sealed class OptionTests
{
    /// <summary>Options per step range: every option on at some point, several switched on and off mid-training.</summary>
    private static RmsProp OptionsAt(int step) => step switch
    {
        <= 5 => RmsProp.PyTorch with { InitialAccumulatorValue = 0.2 },
        <= 10 => RmsProp.PyTorch with { InitialAccumulatorValue = 0.2, Centered = true, Maximize = true },
        <= 15 => RmsProp.PyTorch with { Centered = true, Momentum = 0.9, WeightDecay = 0.01 },
        <= 20 => RmsProp.Keras with { LearningRate = 0.01, Centered = true, Momentum = 0.8, Nesterov = true, WeightDecay = 0.02 },
        <= 25 => RmsProp.Optax with { LearningRate = 0.005, Decay = 0.95, BiasCorrection = true, Centered = true, ClampCenteredVariance = true, Momentum = 0.5, WeightDecay = 0.03 },
        _ => RmsProp.TensorFlow1 with { LearningRate = 0.02, EpsilonInsideSqrt = false, Epsilon = 1e-3 },
    };

    [Fact]
    public void Scalar_code_and_SIMD_kernel_agree_bit_for_bit_in_float32()
    {
        // 36 array elements = 3 copies of the 12 scalars: 32 run in the Vector512 loop (Vector256 loop without AVX-512),
        // 4 in the scalar tail.
        var scalars = new FloatScalarsModel();
        var array = new FloatArrayModel { P = new float[36] };
        AssertAgree(ConformanceSubjectFor(scalars), Array(array), isFloat: true);
    }

    [Fact]
    public void Scalar_code_and_SIMD_kernel_agree_bit_for_bit_in_float64()
    {
        var scalars = new DoubleScalarsModel();
        var array = new DoubleArrayModel { P = new double[36] };
        AssertAgree(ConformanceSubjectFor(scalars), Array(array), isFloat: false);
    }

    [Fact]
    public void Clamp_changes_nothing_while_the_variance_is_positive()
    {
        var plain = new PresetModel();
        var clamped = new PresetModel();
        ModelView a = ModelView.Of(plain), b = ModelView.Of(clamped);
        foreach (bool momentum in new[] { false, true })
        {
            var options = RmsProp.PyTorch with { Centered = true, Momentum = momentum ? 0.9 : 0 };
            for (int t = 1; t <= 10; t++)
            {
                plain.Optimizer = options;
                clamped.Optimizer = options with { ClampCenteredVariance = true };
                double[] g = Gradients(a.Length, t);
                Set(a, g);
                Set(b, g);
                plain.ApplyGradients();
                clamped.ApplyGradients();
                Assert.Equal(Parameters(a), Parameters(b));
            }
        }
    }

    [Fact]
    public void Clamp_keeps_a_zero_variance_finite()
    {
        // ρ = 0 and centered: v − m² = fl(g²) − g², the rounding error of g², negative for about half the float32
        // elements. With ε outside the root that is √(negative) = NaN, unless clamped at 0.
        var options = RmsProp.PyTorch with { Decay = 0, Centered = true };
        var plain = new PresetModel { Optimizer = options };
        var clamped = new PresetModel { Optimizer = options with { ClampCenteredVariance = true } };
        ModelView a = ModelView.Of(plain), b = ModelView.Of(clamped);
        double[] g = Gradients(a.Length, 3);
        Set(a, g);
        Set(b, g);

        plain.ApplyGradients();
        clamped.ApplyGradients();

        Assert.Contains(Parameters(a), double.IsNaN);
        double[] p = Parameters(b);
        Assert.All(p, x => Assert.True(double.IsFinite(x)));

        // Every element still moves against its gradient (from 0).
        Assert.All(Enumerable.Range(0, p.Length), i => Assert.True(g[i] == 0 || Math.Sign(p[i]) == -Math.Sign(g[i]), $"element {i}: p {p[i]}, g {g[i]}"));
    }

    [Fact]
    public void Buffers_are_created_only_when_an_option_needs_them()
    {
        var m = new FloatArrayModel { P = new float[40] };
        m.Grad.P[0] = 1;
        m.ApplyGradients();
        Assert.NotNull(m.OptimizerState.P.SquareAvg);
        Assert.Null(m.OptimizerState.P.GradAvg);
        Assert.Null(m.OptimizerState.P.MomentumBuffer);

        m.Optimizer = m.Optimizer with { Centered = true };
        m.ApplyGradients();
        Assert.NotNull(m.OptimizerState.P.GradAvg);
        Assert.Null(m.OptimizerState.P.MomentumBuffer);

        m.Optimizer = m.Optimizer with { Momentum = 0.9 };
        m.ApplyGradients();
        Assert.Equal(40, m.OptimizerState.P.MomentumBuffer!.Length);
        Assert.Equal(3, m.StepCount);
    }

    [Fact]
    public void Initial_accumulator_value_is_the_first_square_average()
    {
        // v₁ = ρ·v₀ + (1−ρ)·g²: with g = 0, v₁ = ρ·v₀ (TF 1's v₀ = 1), for scalar and array fields alike.
        var m = new PresetModel { Optimizer = RmsProp.TensorFlow1 };
        m.ApplyGradients();
        Assert.All(m.OptimizerState.W32.SquareAvg!, v => Assert.Equal(0.9f, v));
        Assert.Equal(0.9f, m.OptimizerState.S32.SquareAvg);
        Assert.All(m.OptimizerState.W64.SquareAvg!, v => Assert.Equal(0.9, v, 15));
        Assert.Equal(0.9, m.OptimizerState.B64.SquareAvg, 15);
    }

    private static void AssertAgree(ConformanceSubject scalars, ConformanceSubject array, bool isFloat)
    {
        int k = scalars.Length;
        double[] Tile(double[] x) => Enumerable.Range(0, array.Length).Select(i => x[i % k]).ToArray();

        double[] init = Gradients(k, 0);
        scalars.SetParameters(init);
        array.SetParameters(Tile(init));
        for (int t = 1; t <= 30; t++)
        {
            RmsProp options = OptionsAt(t);
            scalars.SetOptimizer(options);
            array.SetOptimizer(options);
            double[] g = Gradients(k, t);
            scalars.SetGradients(g);
            array.SetGradients(Tile(g));
            scalars.ApplyGradients();
            array.ApplyGradients();

            double[] expected = Tile(scalars.GetParameters());
            double[] actual = array.GetParameters();
            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail($"step {t} ({(isFloat ? "float" : "double")}): parameters differ at {FirstDifference(expected, actual)}");
            }

            foreach (StateBuffer buffer in Enum.GetValues<StateBuffer>())
            {
                double[] e = Tile(scalars.GetState(buffer)), a = array.GetState(buffer);
                if (!e.SequenceEqual(a))
                {
                    Assert.Fail($"step {t}: state {buffer} differs at {FirstDifference(e, a)}");
                }
            }
        }

        Assert.Equal(30, array.StepCount);
        Assert.Equal(30, scalars.StepCount);
    }

    private static string FirstDifference(double[] expected, double[] actual)
    {
        int i = Enumerable.Range(0, expected.Length).First(j => !expected[j].Equals(actual[j]));
        return FormattableString.Invariant($"[{i}]: scalar code {expected[i]:R}, SIMD kernel {actual[i]:R}");
    }

    private static ConformanceSubject ConformanceSubjectFor(FloatScalarsModel m) =>
        new("scalars", true, [.. Enumerable.Range(0, FloatScalarsModel.Count).Select(i => ScalarField(m, i))], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);

    private static ConformanceSubject ConformanceSubjectFor(DoubleScalarsModel m) =>
        new("scalars", false, [.. Enumerable.Range(0, DoubleScalarsModel.Count).Select(i => ScalarField(m, i))], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);

    private static ConformanceSubject Array(FloatArrayModel m) =>
        new("array", true, [new ArrayFieldSegment<float>(() => m.P, () => m.Grad.P, () => m.OptimizerState.P)], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);

    private static ConformanceSubject Array(DoubleArrayModel m) =>
        new("array", false, [new ArrayFieldSegment<double>(() => m.P, () => m.Grad.P, () => m.OptimizerState.P)], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);

    private static ISegment ScalarField<TModel>(TModel m, int i)
        where TModel : class
    {
        object grad = typeof(TModel).GetProperty("Grad")!.GetValue(m)!;
        object state = typeof(TModel).GetProperty("OptimizerState")!.GetValue(m)!;
        System.Reflection.FieldInfo p = typeof(TModel).GetField("P" + i)!, g = grad.GetType().GetField("P" + i)!, s = state.GetType().GetField("P" + i)!;
        return p.FieldType == typeof(float)
            ? new ScalarFieldSegment<float>(() => (float)p.GetValue(m)!, v => p.SetValue(m, v), () => (float)g.GetValue(grad)!, v => g.SetValue(grad, v), () => (RmsPropScalarState<float>)s.GetValue(state)!)
            : new ScalarFieldSegment<double>(() => (double)p.GetValue(m)!, v => p.SetValue(m, v), () => (double)g.GetValue(grad)!, v => g.SetValue(grad, v), () => (RmsPropScalarState<double>)s.GetValue(state)!);
    }

    private static double[] Gradients(int n, int t)
    {
        var rng = new SplitMix64((ulong)(1000 + t));
        return Enumerable.Range(0, n).Select(_ => rng.Uniform()).ToArray();
    }

    private static void Set(ModelView view, double[] g)
    {
        int offset = 0;
        foreach (FieldView f in view.Fields)
        {
            f.Segment.SetGradients(g.AsSpan(offset, f.Segment.Length));
            offset += f.Segment.Length;
        }
    }

    private static double[] Parameters(ModelView view)
    {
        double[] result = new double[view.Length];
        int offset = 0;
        foreach (FieldView f in view.Fields)
        {
            f.Segment.GetParameters(result.AsSpan(offset, f.Segment.Length));
            offset += f.Segment.Length;
        }

        return result;
    }
}
