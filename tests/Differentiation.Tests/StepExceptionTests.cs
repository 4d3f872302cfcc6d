using System;
using OptimizerGen;
using Xunit;

namespace OptimizerGen.Differentiation.Tests;

/// <summary>A loss that indexes a parameter array by its input: a label out of range throws part-way through a batch.</summary>
[Optimize(typeof(RmsProp))]
public partial class LabelBias
{
    [Param] public float[] B = [0.5f, -0.25f, 1f];
    [Param] public float S = 0.125f;

    [Loss]
    public float Loss(int label)
    {
        float d = B[label] + S - 1f;
        return d * d;
    }
}

/// <summary>
/// When the loss throws while <c>Step</c> or <c>AccumulateGradients</c> is adding into <c>Grad</c> (here an index out of
/// range on the third sample, after two samples have been added to the array gradient), every gradient is zeroed before
/// the exception propagates, the parameters, optimizer state and StepCount stay as they were, and the model works on:
/// its next step equals that of a twin that never saw the bad call.
/// </summary>
public sealed class StepExceptionTests
{
    [Fact]
    public void A_sample_that_throws_mid_batch_zeroes_Grad_and_changes_nothing_else()
    {
        LabelBias m = Trained(), twin = Trained();
        m.Grad.B[1] = 0.375f; // accumulated by the user before the call: cannot be told apart from the partial batch
        m.Grad.S = 0.5f;
        float[] b = (float[])m.B.Clone();

        Assert.Throws<IndexOutOfRangeException>(() => m.Step([0, 2, 3]));

        Assert.Equal(new float[3], m.Grad.B);
        Assert.Equal(0f, m.Grad.S);
        Assert.Equal(b, m.B);
        Assert.Equal(twin.S, m.S);
        Assert.Equal(twin.StepCount, m.StepCount);

        // The guard was released and the state is intact: the next step is the twin's, bit for bit.
        Assert.Equal(twin.Step([1, 2]), m.Step([1, 2]));
        Assert.Equal(twin.B, m.B);
        Assert.Equal(twin.S, m.S);
    }

    [Fact]
    public void AccumulateGradients_that_throws_zeroes_Grad()
    {
        LabelBias m = Trained();
        m.AccumulateGradients(0);
        Assert.NotEqual(0f, m.Grad.B[0]);
        float[] b = (float[])m.B.Clone();

        Assert.Throws<IndexOutOfRangeException>(() => m.AccumulateGradients(-1));

        Assert.Equal(new float[3], m.Grad.B);
        Assert.Equal(0f, m.Grad.S);
        Assert.Equal(b, m.B);
        m.AccumulateGradients(2); // usable again
        Assert.NotEqual(0f, m.Grad.B[2]);
    }

    [Fact]
    public void An_exception_from_the_update_after_the_batch_does_not_zero_Grad()
    {
        // The batch is accumulated completely; the update then refuses a non-finite gradient (ErrorIfNonFinite). That is
        // not the loss failing part-way: Grad keeps the batch's gradient, and the model works on.
        LabelBias m = Trained();
        long steps = m.StepCount;
        m.GradientClipping = GradientClipping.ByGlobalNorm(1.0) with { ErrorIfNonFinite = true };
        float s = m.S;
        m.S = float.PositiveInfinity;

        Assert.Throws<InvalidOperationException>(() => m.Step([0, 1]));

        Assert.False(float.IsFinite(m.Grad.S));
        Assert.Equal(steps, m.StepCount);
        m.S = s;
        m.Grad.S = 0f;
        m.Grad.B.AsSpan().Clear();
        m.Step([0, 1]); // the guard and the accumulating flag were released
        Assert.Equal(steps + 1, m.StepCount);
    }

    [Fact]
    public void A_bad_batch_rejected_before_the_loss_runs_keeps_Grad()
    {
        LabelBias m = Trained();
        m.Grad.B[1] = 0.375f;

        Assert.Throws<ArgumentException>(() => m.Step(ReadOnlySpan<int>.Empty));

        Assert.Equal(0.375f, m.Grad.B[1]);
    }

    private static LabelBias Trained()
    {
        var m = new LabelBias();
        m.Step([0, 1, 2]);
        m.Step([2, 2, 0]);
        return m;
    }
}
