using System;
using System.Collections.Generic;
using System.Reflection;
using OptimizerGen.Integration.Tests.Declarations;
using OptimizerGen.Integration.Tests.Declarations.Block;
using OptimizerGen.Integration.Tests.Declarations.FileScoped;
using OptimizerGen.Integration.Tests.Presets;
using Xunit;
using static OptimizerGen.Integration.Tests.Presets.FieldViews;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// Every way of declaring a model that must work compiles with the real generator (this project would not build
/// otherwise) and trains exactly like PyTorch's RMSprop (momentum, centered and weight decay on, so every state
/// buffer is exercised), compared with <see cref="TorchRmsProp"/> written from torch/optim/rmsprop.py.
/// </summary>
public sealed class DeclarationTests
{
    private static readonly RmsProp Options = RmsProp.PyTorch with { Momentum = 0.9, Centered = true, WeightDecay = 0.01 };

    [Fact]
    public void Global_namespace()
    {
        var m = new GlobalNamespaceModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.Equal(string.Empty, typeof(GlobalNamespaceModel).Namespace ?? string.Empty);
    }

    [Fact]
    public void File_scoped_namespace()
    {
        var m = new FileScopedNamespaceModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.Equal("OptimizerGen.Integration.Tests.Declarations.FileScoped", typeof(FileScopedNamespaceModel).Namespace);
    }

    [Fact]
    public void Nested_in_partial_classes()
    {
        var m = new Outer.Middle.NestedModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.Equal(typeof(Outer.Middle), typeof(Outer.Middle.NestedModel).DeclaringType);
        Assert.Equal(typeof(Outer.Middle.NestedModel), typeof(Outer.Middle.NestedModel.Gradients).DeclaringType);
    }

    [Fact]
    public void Nested_in_a_static_class()
    {
        var m = new StaticHolder.InStaticClass();
        AssertTrainsLikePyTorch(
            [Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W)],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.True(typeof(StaticHolder).IsAbstract && typeof(StaticHolder).IsSealed, "StaticHolder must stay static");
        Assert.True(typeof(StaticHolder.InStaticClass).IsSealed);
    }

    [Fact]
    public void Nested_in_a_generic_class()
    {
        var m = new GenericOuter<string>.Inner { Tag = "x" };
        AssertTrainsLikePyTorch(
            [Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V)],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Fact]
    public void Sealed_class()
    {
        var m = new SealedModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.True(typeof(SealedModel).IsSealed);
    }

    [Fact]
    public void Generic_class()
    {
        TrainGeneric(new GenericModel<string> { Tag = "tag" });
        TrainGeneric(new GenericModel<int> { Tag = 3 });
        Assert.Equal(typeof(GenericModel<int>.Gradients), typeof(GenericModel<int>).GetProperty("Grad")!.PropertyType);

        static void TrainGeneric<T>(GenericModel<T> m) => AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Fact]
    public void Generic_class_with_constraints()
    {
        var m = new ConstrainedGenericModel<string, decimal> { Scale = 2m };
        AssertTrainsLikePyTorch(
            [Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W)],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Fact]
    public void Abstract_class_used_through_a_derived_class()
    {
        AbstractModel m = new DerivedModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Array("V", () => m.V, () => m.Grad.V, () => m.OptimizerState.V),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Fact]
    public void Private_parameter_fields()
    {
        var m = new PrivateFieldsModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("_w", () => m.W, v => m.Set(v, m.V), () => m.Grad._w, v => m.Grad._w = v, () => m.OptimizerState._w),
                Array("_v", () => m.V, () => m.Grad._v, () => m.OptimizerState._v),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);

        // The fields stay private; their gradients and state are reachable by the field's name.
        Assert.Null(typeof(PrivateFieldsModel).GetField("_w", BindingFlags.Public | BindingFlags.Instance));
        Assert.NotNull(typeof(PrivateFieldsModel).GetField("_w", BindingFlags.NonPublic | BindingFlags.Instance));
        Assert.Equal(5, m.Grad._v.Length);
    }

    [Fact]
    public void Matrix_parameters()
    {
        var m = new MatrixModel();
        AssertTrainsLikePyTorch(
            [
                Array("M", () => m.M, () => m.Grad.M, () => m.OptimizerState.M),
                Array("D", () => m.D, () => m.Grad.D, () => m.OptimizerState.D),
                Array("Row", () => m.Row, () => m.Grad.Row, () => m.OptimizerState.Row),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.Equal(12, m.Grad.M.Length);
        Assert.Equal(6, m.Grad.D.Length);
        Assert.Equal(12, m.OptimizerState.M.SquareAvg!.Length);
    }

    [Fact]
    public void Mixed_float_and_double_fields()
    {
        var m = new MixedModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("F", () => m.F, v => m.F = v, () => m.Grad.F, v => m.Grad.F = v, () => m.OptimizerState.F),
                Scalar("D", () => m.D, v => m.D = v, () => m.Grad.D, v => m.Grad.D = v, () => m.OptimizerState.D),
                Array("DA", () => m.DA, () => m.Grad.DA, () => m.OptimizerState.DA),
                Array("FA", () => m.FA, () => m.Grad.FA, () => m.OptimizerState.FA),
                Scalar("F2", () => m.F2, v => m.F2 = v, () => m.Grad.F2, v => m.Grad.F2 = v, () => m.OptimizerState.F2),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
        Assert.IsType<float[]>(m.Grad.FA);
        Assert.IsType<double[]>(m.Grad.DA);
    }

    [Fact]
    public void Several_fields_in_one_declaration()
    {
        var m = new SeveralPerDeclarationModel();
        Assert.Equal((1f, 2f, 3f, 3, 17), (m.A, m.B, m.C, m.Grad.X.Length, m.Grad.Y.Length));
        AssertTrainsLikePyTorch(
            [
                Scalar("A", () => m.A, v => m.A = v, () => m.Grad.A, v => m.Grad.A = v, () => m.OptimizerState.A),
                Scalar("B", () => m.B, v => m.B = v, () => m.Grad.B, v => m.Grad.B = v, () => m.OptimizerState.B),
                Scalar("C", () => m.C, v => m.C = v, () => m.Grad.C, v => m.Grad.C = v, () => m.OptimizerState.C),
                Array("X", () => m.X, () => m.Grad.X, () => m.OptimizerState.X),
                Array("Y", () => m.Y, () => m.Grad.Y, () => m.OptimizerState.Y),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Fact]
    public void Parameters_in_several_partial_declarations()
    {
        var m = new SplitModel();
        AssertTrainsLikePyTorch(
            [
                Scalar("First", () => m.First, v => m.First = v, () => m.Grad.First, v => m.Grad.First = v, () => m.OptimizerState.First),
                Array("Second", () => m.Second, () => m.Grad.Second, () => m.OptimizerState.Second),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Excluded_fields_take_no_weight_decay(bool decoupled)
    {
        var m = new ExcludeModel();
        var options = RmsProp.PyTorch with { WeightDecay = 0.05, DecoupledWeightDecay = decoupled, Momentum = 0.9 };
        AssertTrainsLikePyTorch(
            [
                Scalar("W", () => m.W, v => m.W = v, () => m.Grad.W, v => m.Grad.W = v, () => m.OptimizerState.W),
                Scalar("B", () => m.B, v => m.B = v, () => m.Grad.B, v => m.Grad.B = v, () => m.OptimizerState.B, decays: false),
                Array("Ws", () => m.Ws, () => m.Grad.Ws, () => m.OptimizerState.Ws),
                Array("Bs", () => m.Bs, () => m.Grad.Bs, () => m.OptimizerState.Bs, decays: false),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount,
            options,
            decoupled ? new DecoupledTorchRmsProp(m.Ws.Length + m.Bs.Length + 2, weightDecay: 0.05, momentum: 0.9) : null);
    }

    [Fact]
    public void Excluded_fields_take_no_weight_decay_with_zero_gradients()
    {
        // With g = 0 the RMSprop step is 0/ε = 0, so only weight decay moves a parameter: decoupled decay multiplies W by
        // exactly 1 − lr·λ and must leave B alone.
        var m = new ExcludeModel { W = 1f, B = 1f, Optimizer = RmsProp.Keras with { LearningRate = 0.1, WeightDecay = 0.5 } };
        System.Array.Fill(m.Ws, 2.0);
        System.Array.Fill(m.Bs, 2.0);

        m.ApplyGradients();

        Assert.Equal((float)(1 - (0.1 * 0.5)), m.W);
        Assert.Equal(1f, m.B);
        Assert.All(m.Ws, w => Assert.Equal(2 * (1 - (0.1 * 0.5)), w, 15));
        Assert.All(m.Bs, b => Assert.Equal(2.0, b));

        // Coupled decay: g = λ·p drives W (by ~lr, RMSprop's normalized step) and not B.
        var c = new ExcludeModel { W = 1f, B = 1f, Optimizer = RmsProp.PyTorch with { LearningRate = 0.1, WeightDecay = 0.5 } };
        c.ApplyGradients();
        Assert.InRange(c.W, 0.0f, 0.5f);
        Assert.Equal(1f, c.B);
    }

    private static void AssertTrainsLikePyTorch(
        IReadOnlyList<FieldView> fields,
        Action<RmsProp> setOptimizer,
        Action applyGradients,
        Func<long> stepCount,
        RmsProp? options = null,
        IRmsPropReference? reference = null)
    {
        var view = new ModelView(fields, setOptimizer, applyGradients, stepCount);
        RmsProp o = options ?? Options;
        reference ??= new TorchRmsProp(view.Length) { WeightDecay = o.WeightDecay, Momentum = o.Momentum, Centered = o.Centered };
        List<string> failures = ReferenceTrainer.Compare(view, reference, o, steps: 8, seed: 7);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(8, stepCount());
    }

    /// <summary>PyTorch's RMSprop with AdamW-style decoupled decay (p ← p − lr·λ·p first), for DecoupledWeightDecay = true.</summary>
    private sealed class DecoupledTorchRmsProp(int n, double weightDecay, double momentum) : IRmsPropReference
    {
        private readonly TorchRmsProp _inner = new(n) { Momentum = momentum };

        public double[] SquareAvg => _inner.SquareAvg;

        public double[]? GradAvg => _inner.GradAvg;

        public double[]? MomentumBuffer => _inner.MomentumBuffer;

        public void Step(double[] p, double[] g, bool[] decays, double lr)
        {
            for (int i = 0; i < p.Length; i++)
            {
                if (decays[i])
                {
                    p[i] *= 1 - (lr * weightDecay);
                }
            }

            _inner.Step(p, g, decays, lr);
        }
    }
}
