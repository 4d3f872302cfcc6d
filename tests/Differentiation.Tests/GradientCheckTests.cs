using OptimizerGen.Differentiation.Tests.Models;
using OptimizerGen.Differentiation.Tests.Support;
using Xunit;
using Xunit.Sdk;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>The finite-difference checker itself must be able to fail.</summary>
public sealed class GradientCheckTests
{
    [Fact]
    public void A_gradient_of_another_sample_is_rejected()
    {
        // AccumulateGradients on x·1.01 instead of x: the loss check passes only if the checker ignores the gradient.
        Assert.ThrowsAny<XunitException>(() => GradientCheck.Run<TanhModel>(r =>
        {
            double x = r.Uniform(-1, 1), y = r.Uniform(-2, 2);
            return new Sample<TanhModel>(m => m.Loss(x, y), m =>
            {
                double loss = m.Loss(x, y);
                m.AccumulateGradients(x * 1.01, y);
                return loss;
            });
        }));
    }

    [Fact]
    public void A_gradient_that_is_right_to_one_part_in_ten_thousand_is_rejected()
    {
        Assert.ThrowsAny<XunitException>(() => GradientCheck.Run<TanhModel>(r =>
        {
            double x = r.Uniform(-1, 1), y = r.Uniform(-2, 2);
            return new Sample<TanhModel>(m => m.Loss(x, y), m =>
            {
                double loss = m.AccumulateGradients(x, y);
                m.Grad.W *= 1.0001;
                return loss;
            });
        }));
    }

    [Fact]
    public void A_parameter_the_loss_never_reads_is_reported()
    {
        // DotProductModel's W has 5 elements; a 4-element input leaves W[4] out, so the check is vacuous for it.
        XunitException e = Assert.ThrowsAny<XunitException>(() => GradientCheck.Run<DotProductModel>(r =>
        {
            double[] x = r.Uniform(4, -1, 1);
            double y = r.Uniform(-2, 2);
            return new Sample<DotProductModel>(m => m.Loss(x, y), m => m.AccumulateGradients(x, y));
        }));
        Assert.Contains("W[4]", e.Message);
    }
}
