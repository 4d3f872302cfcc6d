using System;
using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>
/// Per construct of the [Loss] subset: the gradient the generated AccumulateGradients adds into Grad equals the central
/// finite-difference gradient of the user's own [Loss] method, for every parameter element, at several random points
/// (double precision: h = 1e-6·max(1, |p|), compared to 1e-6 relative with a 1e-8 floor).
/// </summary>
public sealed class ConstructGradientTests
{
    /// <summary>A sample (x, y) of two scalars in [−1, 1] × [−2, 2].</summary>
    private static Sample<T> Scalars<T>(Random r, Func<T, double, double, double> loss, Func<T, double, double, double> accumulate)
    {
        double x = r.Uniform(-1, 1), y = r.Uniform(-2, 2);
        return new Sample<T>(m => loss(m, x, y), m => accumulate(m, x, y), $"(x = {x:F3}, y = {y:F3})");
    }

    [Fact]
    public void Locals() =>
        GradientCheck.Run<LocalsModel>(r => Scalars<LocalsModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Assignment_and_compound_assignment() =>
        GradientCheck.Run<AssignmentModel>(r => Scalars<AssignmentModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Add_subtract_multiply_divide() =>
        GradientCheck.Run<ArithmeticModel>(r => Scalars<ArithmeticModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Repeated_factors_in_a_product() =>
        GradientCheck.Run<RepeatedFactorsModel>(r => Scalars<RepeatedFactorsModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Adjoints_added_to_across_branches_and_loop_iterations() =>
        GradientCheck.Run<AdjointFlowModel>(r => Scalars<AdjointFlowModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Unary_minus() =>
        GradientCheck.Run<UnaryMinusModel>(r => Scalars<UnaryMinusModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Parentheses() =>
        GradientCheck.Run<ParenthesesModel>(r => Scalars<ParenthesesModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Literals_and_constants() =>
        GradientCheck.Run<LiteralsModel>(r => Scalars<LiteralsModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Widening_casts_float_and_int_inputs_into_a_double_loss() =>
        GradientCheck.Run<WideningCastsModel>(r =>
        {
            float x = (float)r.Uniform(-1, 1);
            double y = r.Uniform(-2, 2);
            int n = r.Next(-3, 4);
            return new Sample<WideningCastsModel>(m => m.Loss(x, y, n), m => m.AccumulateGradients(x, y, n), $"(x = {x}, y = {y:F3}, n = {n})");
        });

    [Fact]
    public void Narrowing_casts_double_to_float_and_back()
    {
        // The loss is only float-accurate, so finite differences use the float tolerances ...
        GradientCheck.Run<NarrowingCastsModel>(r => Scalars<NarrowingCastsModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), Tolerances.Float);

        // ... and the generated gradient must also equal the uncast twin's to float accuracy.
        var random = new Random(7);
        for (int point = 0; point < 6; point++)
        {
            double w = random.Uniform(-1, 1), b = random.Uniform(-1, 1), x = random.Uniform(-1, 1), y = random.Uniform(-2, 2);
            var cast = new NarrowingCastsModel { W = w, B = b };
            var twin = new NarrowingCastsTwin { W = w, B = b };
            cast.AccumulateGradients(x, y);
            twin.AccumulateGradients(x, y);
            GradientCheck.AssertClose(twin.Grad.W, cast.Grad.W, 1e-5, 1e-6, $"point {point}: ∂/∂W");
            GradientCheck.AssertClose(twin.Grad.B, cast.Grad.B, 1e-5, 1e-6, $"point {point}: ∂/∂B");
        }
    }

    [Fact]
    public void Float_model_matches_finite_differences_and_its_double_twin()
    {
        static Sample<FloatModel> Draw(Random r, out float[] xs, out float y)
        {
            float[] x = r.UniformFloats(3, -1, 1);
            float target = (float)r.Uniform(-1, 1);
            xs = x;
            y = target;
            return new Sample<FloatModel>(m => m.Loss(x, target), m => m.AccumulateGradients(x, target));
        }

        GradientCheck.Run<FloatModel>(r => Draw(r, out _, out _), Tolerances.Float);

        var random = new Random(99);
        for (int point = 0; point < 6; point++)
        {
            var single = new FloatModel();
            ModelParameters.Randomize(single, random, _ => (-1, 1));
            Draw(random, out float[] x, out float y);
            var twin = new FloatModelTwin { W = single.W, B = single.B, V = Array.ConvertAll(single.V, v => (double)v) };
            single.AccumulateGradients(x, y);
            twin.AccumulateGradients(Array.ConvertAll(x, v => (double)v), y);
            GradientCheck.AssertClose(twin.Grad.W, single.Grad.W, 1e-4, 1e-5, $"point {point}: ∂/∂W");
            GradientCheck.AssertClose(twin.Grad.B, single.Grad.B, 1e-4, 1e-5, $"point {point}: ∂/∂B");
            for (int i = 0; i < 3; i++)
            {
                GradientCheck.AssertClose(twin.Grad.V[i], single.Grad.V[i], 1e-4, 1e-5, $"point {point}: ∂/∂V[{i}]");
            }
        }
    }

    [Fact]
    public void Exp() =>
        GradientCheck.Run<ExpModel>(r => Scalars<ExpModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Log() =>
        GradientCheck.Run<LogModel>(r => Scalars<LogModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Sqrt() =>
        GradientCheck.Run<SqrtModel>(r => Scalars<SqrtModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Pow_with_parameter_base_and_exponent() =>
        GradientCheck.Run<PowParametersModel>(
            r => Scalars<PowParametersModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)),
            ranges: name => name == "A" ? (0.5, 2.0) : (-1.5, 1.5));

    [Fact]
    public void Pow_with_constant_exponent_or_base() =>
        GradientCheck.Run<PowConstantExponentModel>(
            r => Scalars<PowConstantExponentModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)),
            ranges: name => name == "A" ? (0.5, 2.0) : (-1.0, 1.0));

    [Fact]
    public void Tanh() =>
        GradientCheck.Run<TanhModel>(r => Scalars<TanhModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Sin() =>
        GradientCheck.Run<SinModel>(r => Scalars<SinModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Cos() =>
        GradientCheck.Run<CosModel>(r => Scalars<CosModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Abs() =>
        GradientCheck.Run<AbsModel>(r => Scalars<AbsModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 10);

    [Fact]
    public void Max() =>
        GradientCheck.Run<MaxModel>(r => Scalars<MaxModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 10);

    [Fact]
    public void Min() =>
        GradientCheck.Run<MinModel>(r => Scalars<MinModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 10);

    [Fact]
    public void Sigmoid() =>
        GradientCheck.Run<SigmoidModel>(r => Scalars<SigmoidModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Softplus() =>
        GradientCheck.Run<SoftplusModel>(r => Scalars<SoftplusModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void Relu() =>
        GradientCheck.Run<ReluModel>(r => Scalars<ReluModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 10);

    [Fact]
    public void Conditional_expressions() =>
        GradientCheck.Run<ConditionalModel>(r => Scalars<ConditionalModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 12);

    [Fact]
    public void If_else_huber_loss()
    {
        GradientCheck.Run<HuberModel>(r => Scalars<HuberModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 12);

        // Both branches of the Huber loss are taken at the check's points (same seed, same draws).
        int small = 0, large = 0;
        var random = new Random(12345);
        for (int point = 0; point < 12; point++)
        {
            var m = new HuberModel();
            ModelParameters.Randomize(m, random, _ => (-1, 1));
            double x = random.Uniform(-1, 1), y = random.Uniform(-2, 2);
            if (Math.Abs((m.W * x) + m.B - y) <= HuberModel.Delta)
            {
                small++;
            }
            else
            {
                large++;
            }
        }

        Assert.True(small > 0 && large > 0, $"quadratic branch {small} times, linear branch {large} times");
    }

    [Fact]
    public void For_loop_over_an_input_span_dot_product() =>
        GradientCheck.Run<DotProductModel>(r =>
        {
            double[] x = r.Uniform(5, -1, 1);
            double y = r.Uniform(-2, 2);
            return new Sample<DotProductModel>(m => m.Loss(x, y), m => m.AccumulateGradients(x, y));
        });

    [Fact]
    public void Matrix_vector_product_nested_loops() =>
        GradientCheck.Run<MatrixVectorModel>(r =>
        {
            double[] x = r.Uniform(MatrixVectorModel.Cols, -1, 1);
            double[] t = r.Uniform(MatrixVectorModel.Rows, -2, 2);
            return new Sample<MatrixVectorModel>(m => m.Loss(x, t), m => m.AccumulateGradients(x, t));
        });

    [Fact]
    public void Triangular_nested_loops_and_int_locals() =>
        GradientCheck.Run<TriangularLoopsModel>(r =>
        {
            double[] x = r.Uniform(TriangularLoopsModel.N, -1, 1);
            return new Sample<TriangularLoopsModel>(m => m.Loss(x), m => m.AccumulateGradients(x));
        },
        unused: e => e.Field.Name == "Q" && e.Index / TriangularLoopsModel.N > e.Index % TriangularLoopsModel.N);   // below the diagonal

    [Fact]
    public void Int_class_label_in_a_condition() =>
        GradientCheck.Run<SoftmaxModel>(r =>
        {
            double[] x = r.Uniform(SoftmaxModel.Features, -1, 1);
            int label = r.Next(SoftmaxModel.Classes);
            return new Sample<SoftmaxModel>(m => m.Loss(x, label), m => m.AccumulateGradients(x, label), $"(label {label})");
        }, points: 9);

    [Fact]
    public void Int_class_label_as_an_index() =>
        GradientCheck.Run<LabelIndexModel>(r =>
        {
            double[] x = r.Uniform(LabelIndexModel.Features, -1, 1);
            int label = r.Next(LabelIndexModel.Classes);
            return new Sample<LabelIndexModel>(m => m.Loss(x, label), m => m.AccumulateGradients(x, label), $"(label {label})");
        }, points: 9);

    [Fact]
    public void Locals_reassigned_in_loops_two_layer_tanh_mlp() =>
        GradientCheck.Run<MlpModel>(r =>
        {
            double[] x = r.Uniform(MlpModel.Inputs, -1, 1);
            double y = r.Uniform(-1, 1);
            return new Sample<MlpModel>(m => m.Loss(x, y), m => m.AccumulateGradients(x, y));
        });

    [Fact]
    public void Differentiable_helper_methods() =>
        GradientCheck.Run<HelperModel>(r => Scalars<HelperModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void A_local_reassigned_several_times() =>
        GradientCheck.Run<ReassignedLocalModel>(r => Scalars<ReassignedLocalModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)));

    [Fact]
    public void If_inside_a_loop() =>
        GradientCheck.Run<IfInLoopModel>(r =>
        {
            double[] x = r.Uniform(6, -1, 1);
            double y = r.Uniform(-2, 2);
            return new Sample<IfInLoopModel>(m => m.Loss(x, y), m => m.AccumulateGradients(x, y));
        }, points: 8);

    [Fact]
    public void Else_if_chain()
    {
        GradientCheck.Run<ElseIfChainModel>(r => Scalars<ElseIfChainModel>(r, (m, x, y) => m.Loss(x, y), (m, x, y) => m.AccumulateGradients(x, y)), points: 12);
    }

    [Fact]
    public void Else_if_chain_middle_branch_exact_values()
    {
        // W = 0.7, B = 0.3, x = 1, y = −2: e = W·x + B − y = 3 > 0.5, so loss = e·B (the middle branch):
        // ∂loss/∂W = x·B = 0.3 and ∂loss/∂B = e + B = 3.3.
        var m = new ElseIfChainModel { W = 0.7, B = 0.3 };
        Assert.Equal(3.0 * 0.3, m.AccumulateGradients(1, -2), 12);
        Assert.Equal(0.3, m.Grad.W, 12);
        Assert.Equal(3.3, m.Grad.B, 12);
    }

    [Fact]
    public void If_nested_in_an_if_inside_a_loop() =>
        GradientCheck.Run<NestedIfInLoopModel>(r =>
        {
            double[] x = r.Uniform(4, -1, 1);
            double y = r.Uniform(-2, 2);
            return new Sample<NestedIfInLoopModel>(m => m.Loss(x, y), m => m.AccumulateGradients(x, y));
        }, points: 8);

    [Fact]
    public void Mixed_precision_and_small_corners_of_the_subset() =>
        GradientCheck.Run<MixedPrecisionModel>(r =>
        {
            double[] x = r.Uniform(2, -1, 1);
            int n = r.Next(1, 3);
            return new Sample<MixedPrecisionModel>(m => m.Loss(x, n), m => m.AccumulateGradients(x, n), $"(n = {n})");
        }, points: 10);

    [Fact]
    public void Float_loss_of_double_parameters_with_locals_named_like_generated_temporaries() =>
        GradientCheck.Run<FloatLossDoubleParamsModel>(r =>
        {
            float[] x = r.UniformFloats(2, -1, 1);
            float[] t = r.UniformFloats(2, -1, 1);
            return new Sample<FloatLossDoubleParamsModel>(m => m.Loss(x, t), m => m.AccumulateGradients(x, t));
        }, Tolerances.Float, points: 8);

    [Fact]
    public void Pow_with_a_zero_input_base_has_a_zero_exponent_gradient()
    {
        // loss = W·x^P + W²: at x = 0 (P = 1.5) loss = W², ∂/∂P = W·x^P·ln x → 0 (x^P vanishes faster than ln x grows;
        // 0^P ≡ 0 for all P > 0), ∂/∂W = x^P + 2W = 2W. Zero features are common in data.
        var m = new PowInputBaseModel { P = 1.5, W = 0.5 };
        Assert.Equal(0.25, m.AccumulateGradients(0.0), 15);
        Assert.Equal(1.0, m.Grad.W, 15);
        Assert.Equal(0.0, m.Grad.P, 15);
    }

    [Fact]
    public void Pow_with_an_input_base() =>
        GradientCheck.Run<PowInputBaseModel>(r =>
        {
            double x = r.Uniform(0.1, 2);
            return new Sample<PowInputBaseModel>(m => m.Loss(x), m => m.AccumulateGradients(x), $"(x = {x:F3})");
        }, ranges: name => name == "P" ? (0.5, 2.5) : (-1.0, 1.0));
}
