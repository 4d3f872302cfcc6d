using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// Run-time misuse throws a clear exception naming the field or option, before anything changes: every parameter,
/// gradient, state buffer, <c>StepCount</c> and <c>Optimizer</c> are compared (as a full dump) before and after.
/// </summary>
public sealed class MisuseTests
{
    private static readonly RmsProp Options = RmsProp.PyTorch with { Momentum = 0.9, Centered = true, WeightDecay = 0.01 };

    [Fact]
    public void Null_parameter_array()
    {
        MisuseModel m = Trained();
        m.B = null!;

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("'B'", e.Message);
        Assert.Contains("null", e.Message);
    }

    [Fact]
    public void Null_parameter_array_before_the_first_step()
    {
        var m = new MisuseModel { B = null!, Optimizer = Options };

        InvalidOperationException grad = Assert.Throws<InvalidOperationException>(() => m.Grad);
        Assert.Contains("'B'", grad.Message);
        InvalidOperationException step = Assert.Throws<InvalidOperationException>(() => m.ApplyGradients());
        Assert.Contains("'B'", step.Message);
        Assert.Equal(0, m.StepCount);
        Assert.Equal(0.5f, m.S);
        Assert.Equal(-0.25, m.D);
        Assert.Null(m.OptimizerState.A.SquareAvg);
    }

    [Fact]
    public void Null_gradient_array()
    {
        MisuseModel m = Trained();
        m.Grad.B = null!;

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("Grad.B", e.Message);
    }

    [Fact]
    public void Gradient_array_of_the_wrong_length()
    {
        MisuseModel m = Trained();
        m.Grad.B = new double[m.B.Length + 1];
        m.Grad.B[0] = 1;

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("Grad.B", e.Message);
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Parameter_array_replaced_by_one_of_another_length()
    {
        MisuseModel m = Trained();
        m.B = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("'B'", e.Message);
    }

    [Fact]
    public void Parameter_and_gradient_replaced_but_state_built_for_the_old_length()
    {
        MisuseModel m = Trained();
        m.B = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        m.Grad.B = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("'B'", e.Message);
        Assert.Contains("ResetOptimizerState", e.Message);

        // As the message says: after a reset the new length trains.
        m.ResetOptimizerState();
        m.ApplyGradients();
        Assert.Equal(1, m.StepCount);
        Assert.Equal(10, m.OptimizerState.B.SquareAvg!.Length);
    }

    [Fact]
    public void Matrix_of_the_wrong_shape()
    {
        MisuseModel m = Trained();
        m.M = new float[10];
        m.Grad.M = new float[10];
        m.Grad.M[3] = 1;

        InvalidOperationException e = AssertThrowsAndChangesNothing(m);
        Assert.Contains("'M'", e.Message);
        Assert.Contains("3, 4", e.Message);
        Assert.Contains("12", e.Message);
    }

    [Fact]
    public void Matrix_of_the_wrong_shape_from_the_start()
    {
        var m = new MisuseModel { M = new float[11], Optimizer = Options };
        m.Grad.S = 1;
        m.Grad.A[0] = 1;
        string before = Dump(m);

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => m.ApplyGradients());

        Assert.Contains("'M'", e.Message);
        Assert.Equal(before, Dump(m));
    }

    public static IEnumerable<object[]> InvalidOptions() =>
    [
        ["LearningRate", -1.0], ["LearningRate", double.NaN], ["LearningRate", double.PositiveInfinity],
        ["Decay", 1.0], ["Decay", -0.1], ["Decay", double.NaN],
        ["Epsilon", -1e-8], ["Epsilon", double.PositiveInfinity],
        ["InitialAccumulatorValue", -1.0],
        ["Momentum", -0.9], ["Momentum", double.NaN],
        ["WeightDecay", -0.01],
        ["MomentumStyle", 7.0],
    ];

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_hyperparameter(string option, double value)
    {
        MisuseModel m = Trained();
        var twin = Trained();
        string before = Dump(m);

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            m.Optimizer = option switch
            {
                "LearningRate" => m.Optimizer with { LearningRate = value },
                "Decay" => m.Optimizer with { Decay = value },
                "Epsilon" => m.Optimizer with { Epsilon = value },
                "InitialAccumulatorValue" => m.Optimizer with { InitialAccumulatorValue = value },
                "Momentum" => m.Optimizer with { Momentum = value },
                "WeightDecay" => m.Optimizer with { WeightDecay = value },
                "MomentumStyle" => m.Optimizer with { MomentumStyle = (MomentumStyle)(int)value },
                _ => throw new ArgumentException(option),
            };
        });

        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
        Assert.Equal(before, Dump(m));
        Assert.Equal(Options, m.Optimizer);

        // The model trains on with the settings it had, exactly like one that never saw the bad value.
        m.ApplyGradients();
        twin.ApplyGradients();
        Assert.Equal(Dump(twin), Dump(m));
    }

    [Fact]
    public void Reset_gives_the_same_trajectory_as_a_fresh_model()
    {
        // Options whose first steps differ from later ones: v₀ ≠ 0, bias correction (depends on the step count),
        // momentum, centered, decoupled weight decay.
        var options = RmsProp.Optax with
        {
            LearningRate = 0.01, InitialAccumulatorValue = 0.3, BiasCorrection = true, Momentum = 0.9, Nesterov = true,
            Centered = true, WeightDecay = 0.02, DecoupledWeightDecay = true,
        };
        var used = new PresetModel { Optimizer = options };
        var fresh = new PresetModel { Optimizer = options };
        Snapshot initial = Snapshot.Of(fresh);

        for (int t = 0; t < 7; t++)
        {
            SetGradients(used, 100 + t);
            used.ApplyGradients();
        }

        SetGradients(used, 999);
        used.ResetOptimizerState();

        // Reset forgets the state and the step count, and keeps parameters, gradients and options.
        Assert.Equal(0, used.StepCount);
        Assert.Null(used.OptimizerState.W32.SquareAvg);
        Assert.Null(used.OptimizerState.W64.GradAvg);
        Assert.Null(used.OptimizerState.B32.MomentumBuffer);
        Assert.Equal(default, used.OptimizerState.S32);
        Assert.Equal(default, used.OptimizerState.B64);
        Assert.NotEqual(0f, used.Grad.W32[0]);
        Assert.Equal(options, used.Optimizer);

        initial.RestoreParameters(used);
        for (int t = 0; t < 12; t++)
        {
            SetGradients(used, t);
            SetGradients(fresh, t);
            used.ApplyGradients();
            fresh.ApplyGradients();
            Assert.Equal(Snapshot.Of(fresh), Snapshot.Of(used));
        }

        Assert.Equal(12, used.StepCount);
    }

    private static void SetGradients(PresetModel m, int t)
    {
        var rng = new Support.SplitMix64((ulong)t + 1);
        PresetModel.Gradients g = m.Grad;
        for (int i = 0; i < g.W32.Length; i++)
        {
            g.W32[i] = (float)rng.Uniform();
        }

        for (int i = 0; i < g.W64.Length; i++)
        {
            g.W64[i] = rng.Uniform();
        }

        for (int i = 0; i < g.B32.Length; i++)
        {
            g.B32[i] = (float)rng.Uniform();
        }

        (g.S32, g.S64, g.B64) = ((float)rng.Uniform(), rng.Uniform(), rng.Uniform());
    }

    /// <summary>A model after 3 steps with every state buffer in use, and a non-zero gradient waiting in Grad.</summary>
    private static MisuseModel Trained()
    {
        var m = new MisuseModel { Optimizer = Options };
        for (int t = 1; t <= 4; t++)
        {
            m.Grad.S = 0.1f * t;
            m.Grad.D = -0.2 * t;
            for (int i = 0; i < m.A.Length; i++)
            {
                m.Grad.A[i] = 0.01f * (i - t);
            }

            for (int i = 0; i < m.M.Length; i++)
            {
                m.Grad.M[i] = 0.02f * (t - i);
            }

            for (int i = 0; i < m.B.Length; i++)
            {
                m.Grad.B[i] = 0.03 * (i + t);
            }

            if (t < 4)
            {
                m.ApplyGradients();
            }
        }

        Assert.Equal(3, m.StepCount);
        return m;
    }

    private static InvalidOperationException AssertThrowsAndChangesNothing(MisuseModel m)
    {
        string before = Dump(m);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => m.ApplyGradients());
        Assert.Equal(before, Dump(m));
        Assert.Equal(3, m.StepCount);
        return e;
    }

    /// <summary>Every value a step could change, as text (round-trip formatting), for a readable before/after diff.</summary>
    private static string Dump(MisuseModel m)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"StepCount {m.StepCount}; Optimizer {m.Optimizer}");
        s.AppendLine(CultureInfo.InvariantCulture, $"S {m.S:R} grad {m.Grad.S:R} state {Scalar(m.OptimizerState.S)}");
        s.AppendLine(CultureInfo.InvariantCulture, $"D {m.D:R} grad {m.Grad.D:R} state {Scalar(m.OptimizerState.D)}");
        Array("A", m.A, m.Grad.A, m.OptimizerState.A);
        Array("M", m.M, m.Grad.M, m.OptimizerState.M);
        Array("B", m.B, m.Grad.B, m.OptimizerState.B);
        return s.ToString();

        static string Scalar<T>(RmsPropScalarState<T> x)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            string.Create(CultureInfo.InvariantCulture, $"v {x.SquareAvg:R} m {x.GradAvg:R} b {x.MomentumBuffer:R}");

        void Array<T>(string name, T[]? p, T[]? g, RmsPropState<T> state)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            s.AppendLine($"{name} {Values(p)} grad {Values(g)}");
            s.AppendLine($"  v {Values(state.SquareAvg)} m {Values(state.GradAvg)} b {Values(state.MomentumBuffer)}");
        }

        static string Values<T>(T[]? a)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            a is null ? "null" : "[" + string.Join(", ", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>Exact copies of every parameter and state value of a <see cref="PresetModel"/>, compared with Equal.</summary>
    private sealed record Snapshot(string Text, float[] W32, float S32, double[] W64, double S64, float[] B32, double B64)
    {
        public static Snapshot Of(PresetModel m)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"step {m.StepCount}; ");
            Append(m.W32, m.OptimizerState.W32);
            Append(m.W64, m.OptimizerState.W64);
            Append(m.B32, m.OptimizerState.B32);
            foreach (object s in new object[] { m.OptimizerState.S32, m.OptimizerState.S64, m.OptimizerState.B64 })
            {
                text.Append(s switch
                {
                    RmsPropScalarState<float> f => string.Create(CultureInfo.InvariantCulture, $"{f.SquareAvg:R}/{f.GradAvg:R}/{f.MomentumBuffer:R}; "),
                    RmsPropScalarState<double> d => string.Create(CultureInfo.InvariantCulture, $"{d.SquareAvg:R}/{d.GradAvg:R}/{d.MomentumBuffer:R}; "),
                    _ => "?",
                });
            }

            text.Append(CultureInfo.InvariantCulture, $"{m.S32:R} {m.S64:R} {m.B64:R}");
            return new Snapshot(text.ToString(), (float[])m.W32.Clone(), m.S32, (double[])m.W64.Clone(), m.S64, (float[])m.B32.Clone(), m.B64);

            void Append<T>(T[] p, RmsPropState<T> s)
                where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            {
                foreach (T[]? a in new[] { p, s.SquareAvg, s.GradAvg, s.MomentumBuffer })
                {
                    text.Append(a is null ? "null" : string.Join(",", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))).Append("; ");
                }
            }
        }

        public void RestoreParameters(PresetModel m)
        {
            W32.CopyTo(m.W32, 0);
            W64.CopyTo(m.W64, 0);
            B32.CopyTo(m.B32, 0);
            (m.S32, m.S64, m.B64) = (S32, S64, B64);
        }

        public bool Equals(Snapshot? other) => other is not null && Text == other.Text;

        public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

        public override string ToString() => Text;
    }
}
