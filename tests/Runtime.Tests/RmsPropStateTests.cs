using System;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// <see cref="RmsPropState{T}"/> (lazy buffers, the length check, reset, a failed update changing nothing) and
/// <see cref="RmsPropScalarState{T}"/>. Its arithmetic is compared with the reference in <see cref="KernelReferenceTests"/>.
/// </summary>
public class RmsPropStateTests
{
    private static readonly RmsProp Plain = new() { Decay = 0.5 };

    [Fact]
    public void NewState_HasNoBuffers()
    {
        var state = new RmsPropState<float>();
        Assert.Null(state.SquareAvg);
        Assert.Null(state.GradAvg);
        Assert.Null(state.MomentumBuffer);
    }

    [Fact]
    public void FirstUpdate_AllocatesOnlyTheBuffersInUse_WithTheirInitialValues()
    {
        // ρ = 0.5 and g = 0: v = 0.5·v₀ exactly, m and b stay 0, so each buffer's starting value is visible.
        var options = Plain with { InitialAccumulatorValue = 0.25 };
        var state = new RmsPropState<double>();
        double[] p = [1, 2, 3];
        double[] g = new double[3];

        state.Update(p, g, RmsPropCoefficients<double>.Create(options, 1));

        Assert.Equal([0.125, 0.125, 0.125], state.SquareAvg!);
        Assert.Null(state.GradAvg);
        Assert.Null(state.MomentumBuffer);
        Assert.Equal([1.0, 2.0, 3.0], p);
    }

    [Fact]
    public void CenteredAndMomentumBuffers_AreAllocatedWhenSwitchedOn_AndKeptAfterwards()
    {
        var state = new RmsPropState<float>();
        float[] p = [1, -1, 0.5f, 2];
        float[] g = [0.1f, 0.2f, 0.3f, 0.4f];

        state.Update(p, g, RmsPropCoefficients<float>.Create(Plain, 1));
        float[] v = state.SquareAvg!;
        Assert.Equal(4, v.Length);
        Assert.Null(state.GradAvg);
        Assert.Null(state.MomentumBuffer);

        state.Update(p, [0, 0, 0, 0], RmsPropCoefficients<float>.Create(Plain with { Centered = true }, 2));
        Assert.Same(v, state.SquareAvg);
        Assert.Equal(new float[4], state.GradAvg);
        Assert.Null(state.MomentumBuffer);
        float[] m = state.GradAvg!;

        state.Update(p, [0.5f, 0.5f, 0.5f, 0.5f], RmsPropCoefficients<float>.Create(Plain with { Centered = true, Momentum = 0.9 }, 3));
        Assert.Same(v, state.SquareAvg);
        Assert.Same(m, state.GradAvg);
        float[] b = state.MomentumBuffer!;
        Assert.Equal(4, b.Length);
        Assert.All(m, x => Assert.Equal(0.25f, x));
        Assert.All(b, x => Assert.True(x > 0));

        // Switching options off keeps (and no longer touches) the buffers: never an allocation per step.
        float[] mBefore = (float[])m.Clone(), bBefore = (float[])b.Clone();
        state.Update(p, [1, 1, 1, 1], RmsPropCoefficients<float>.Create(Plain, 4));
        Assert.Same(m, state.GradAvg);
        Assert.Same(b, state.MomentumBuffer);
        Assert.Equal(mBefore, m);
        Assert.Equal(bBefore, b);
    }

    [Fact]
    public void CheckLength_BeforeFirstUpdate_AcceptsAnyLength()
    {
        var state = new RmsPropState<float>();
        state.CheckLength(0, "W");
        state.CheckLength(17, "W");
    }

    [Fact]
    public void CheckLength_AfterParameterResized_Throws_NamingField()
    {
        var state = new RmsPropState<float>();
        state.Update(new float[5], new float[5], RmsPropCoefficients<float>.Create(Plain, 1));

        state.CheckLength(5, "Weights");
        var e = Assert.Throws<InvalidOperationException>(() => state.CheckLength(6, "Weights"));
        Assert.StartsWith("Parameter 'Weights' has length 6, but its RMSprop state was built for length 5.", e.Message);
        Assert.Contains("ResetOptimizerState()", e.Message);
        Assert.Throws<InvalidOperationException>(() => state.CheckLength(4, "Weights"));
    }

    [Fact]
    public void Reset_ForgetsEveryBuffer_AndTheNextUpdateStartsAfresh()
    {
        var options = Plain with { Centered = true, Momentum = 0.9, InitialAccumulatorValue = 0.5 };
        var state = new RmsPropState<double>();
        state.Update(new double[3], [1, 2, 3], RmsPropCoefficients<double>.Create(options, 1));
        Assert.NotNull(state.GradAvg);

        state.Reset();
        Assert.Null(state.SquareAvg);
        Assert.Null(state.GradAvg);
        Assert.Null(state.MomentumBuffer);
        state.CheckLength(8, "W");

        // A new length after a reset; v starts at v₀ again (ρ = 0.5, g = 0 → 0.5·v₀).
        state.Update(new double[8], new double[8], RmsPropCoefficients<double>.Create(options, 1));
        Assert.Equal(8, state.SquareAvg!.Length);
        Assert.All(state.SquareAvg, x => Assert.Equal(0.25, x));
        Assert.Equal(new double[8], state.GradAvg);
        Assert.Equal(new double[8], state.MomentumBuffer);
    }

    [Fact]
    public void Update_GradientLengthMismatch_AfterFirstStep_ThrowsAndChangesNothing()
    {
        var options = Plain with { Centered = true, Momentum = 0.9 };
        var state = new RmsPropState<float>();
        float[] p = [1, 2, 3, 4];
        state.Update(p, [1, 1, 1, 1], RmsPropCoefficients<float>.Create(options, 1));
        float[] p0 = (float[])p.Clone(), v0 = (float[])state.SquareAvg!.Clone(), m0 = (float[])state.GradAvg!.Clone(), b0 = (float[])state.MomentumBuffer!.Clone();
        float[] g = [5, 6, 7];

        var e = Assert.Throws<ArgumentException>(() => state.Update(p, g, RmsPropCoefficients<float>.Create(options, 2)));

        Assert.Equal("gradient", e.ParamName);
        Assert.StartsWith("RMSprop: 'gradient' has length 3, but the parameter has length 4.", e.Message);
        Assert.Equal(p0, p);
        Assert.Equal([5f, 6f, 7f], g);
        Assert.Equal(v0, state.SquareAvg);
        Assert.Equal(m0, state.GradAvg);
        Assert.Equal(b0, state.MomentumBuffer);
    }

    /// <summary>
    /// BUG (src/Runtime/Optimizers/RmsPropState.cs, Update): the buffers are allocated before the kernel checks the
    /// lengths, so an update that throws still creates state.
    /// </summary>
    [Fact]
    public void Update_GradientLengthMismatch_OnFirstStep_ThrowsAndCreatesNoState()
    {
        var state = new RmsPropState<float>();
        float[] p = [1, 2, 3, 4];
        float[] g = [5, 6, 7];

        var e = Assert.Throws<ArgumentException>(() => state.Update(p, g, RmsPropCoefficients<float>.Create(Plain with { Centered = true, Momentum = 0.9 }, 1)));

        Assert.Equal("gradient", e.ParamName);
        Assert.Equal([1f, 2f, 3f, 4f], p);
        Assert.Equal([5f, 6f, 7f], g);
        Assert.Null(state.SquareAvg);
        Assert.Null(state.GradAvg);
        Assert.Null(state.MomentumBuffer);
    }

    /// <summary>
    /// BUG (src/Runtime/Optimizers/RmsPropState.cs, Update): switching Centered (or momentum) on in an update that then
    /// fails allocates the new buffer at the failed call's length. After an update with a resized parameter throws,
    /// every later update of the original parameter throws too — the state is corrupt until <c>Reset()</c>.
    /// </summary>
    [Fact]
    public void Update_FailedWithResizedParameter_LeavesTheStateUsable()
    {
        var state = new RmsPropState<float>();
        float[] p = [1, 2, 3, 4];
        state.Update(p, [1, 1, 1, 1], RmsPropCoefficients<float>.Create(Plain, 1));
        var centered = RmsPropCoefficients<float>.Create(Plain with { Centered = true, Momentum = 0.9 }, 2);

        var e = Assert.Throws<ArgumentException>(() => state.Update(new float[8], new float[8], centered));
        Assert.Equal("parameter", e.ParamName);
        Assert.Contains("state has length 4", e.Message, StringComparison.Ordinal);

        // The original parameter must still update.
        Exception? again = Record.Exception(() => state.Update(p, [1, 1, 1, 1], centered));
        Assert.True(again is null, $"after the failed update, updating the original parameter throws: {again?.GetType().Name}: {again?.Message}");
        Assert.Equal(4, state.GradAvg!.Length);
        Assert.Equal(4, state.MomentumBuffer!.Length);
    }

    [Fact]
    public void Update_LengthZero_IsANoOp()
    {
        var state = new RmsPropState<double>();
        state.Update(Span<double>.Empty, Span<double>.Empty, RmsPropCoefficients<double>.Create(Plain with { Centered = true, Momentum = 0.5 }, 1));
        Assert.Empty(state.SquareAvg!);
        Assert.Empty(state.GradAvg!);
        Assert.Empty(state.MomentumBuffer!);
    }

    [Fact]
    public void IsReadyForPlainStep_OnlyWithBothArraysOfTheStatesLength_OnOneThread()
    {
        var state = new RmsPropState<float>();
        float[] p = new float[37], g = new float[37];
        Assert.False(state.IsReadyForPlainStep(p, g, 1));   // no v before the first step

        state.Update(p, g, RmsPropCoefficients<float>.Create(RmsProp.PyTorch, 1));
        Assert.True(state.IsReadyForPlainStep(p, g, 1));
        Assert.True(state.IsReadyForPlainStep(p, g, 4));   // shorter than MinParallelLength: one thread anyway
        Assert.False(state.IsReadyForPlainStep(null, g, 1));
        Assert.False(state.IsReadyForPlainStep(p, null, 1));
        Assert.False(state.IsReadyForPlainStep(p, new float[36], 1));
        Assert.False(state.IsReadyForPlainStep(new float[38], new float[38], 1));   // the state was built for 37

        // Buffers an earlier option left behind (restored from a checkpoint here) have v's length: still ready.
        state.Restore(new float[37], new float[37], new float[37]);
        Assert.True(state.IsReadyForPlainStep(p, g, 1));
        state.Reset();
        Assert.False(state.IsReadyForPlainStep(p, g, 1));

        // Large arrays with more than one thread take the general (parallel) update.
        int n = RmsPropState<float>.MinParallelLength;
        var large = new RmsPropState<float>();
        float[] lp = new float[n], lg = new float[n];
        large.Update(lp, lg, RmsPropCoefficients<float>.Create(RmsProp.PyTorch, 1));
        Assert.True(large.IsReadyForPlainStep(lp, lg, 1));
        Assert.False(large.IsReadyForPlainStep(lp, lg, 2));
    }

    [Theory]
    [InlineData("PyTorch")]
    [InlineData("Keras")]
    [InlineData("TensorFlow1")]
    public void PlainStep_GivesTheGeneralUpdatesBits(string preset)
    {
        RmsProp options = preset switch { "PyTorch" => RmsProp.PyTorch, "Keras" => RmsProp.Keras, _ => RmsProp.TensorFlow1 };
        PlainStepMatchesUpdate<float>(options);
        PlainStepMatchesUpdate<double>(options);
    }

    [Fact]
    public void PlainCoefficients_FromCoefficientsThatAreNotPlain_AreRefusedByPlainStep_AndNothingChanges()
    {
        // Momentum, centered, weight decay, maximize: no plain coefficients come from them, and PlainStep must not apply
        // the plain formula (nor anything else) with what it gets instead.
        var state = new RmsPropState<float>();
        float[] p = Values(37, 0.5f), g = Values(37, 0.2f);
        state.Update(p, g, RmsPropCoefficients<float>.Create(RmsProp.PyTorch, 1));
        g = Values(37, 0.2f);
        float[] p0 = (float[])p.Clone(), v0 = (float[])state.SquareAvg!.Clone();
        foreach (RmsProp options in new[] { RmsProp.PyTorch with { Momentum = 0.9 }, RmsProp.PyTorch with { Centered = true }, RmsProp.PyTorch with { WeightDecay = 0.1 }, RmsProp.PyTorch with { Maximize = true } })
        {
            var c = RmsPropCoefficients<float>.Create(options, 2);
            Assert.False(c.IsPlain);
            var plain = RmsPropPlainCoefficients<float>.From(c);
            Assert.False(plain.IsPlain);
            var error = Assert.Throws<ArgumentException>(() => state.PlainStep(p, g, plain));
            Assert.Equal("c", error.ParamName);
            Assert.Equal(p0, p);
            Assert.Equal(Values(37, 0.2f), g);
            Assert.Equal(v0, state.SquareAvg!);
        }

        Assert.Throws<ArgumentException>(() => state.PlainStep(p, g, default));
        Assert.Equal(p0, p);

        // Plain ones keep what they were made from, and −lr beside it.
        var plainCoefficients = RmsPropCoefficients<float>.Create(RmsProp.Keras with { LearningRate = 0.25 }, 3);
        var made = RmsPropPlainCoefficients<float>.From(plainCoefficients);
        Assert.True(made.IsPlain);
        Assert.Equal(plainCoefficients, made.Coefficients);
        Assert.Equal(-0.25f, made.NegativeDirectStep);
        Assert.Equal((0.9f, 0.1f, 1e-7f, 0f), (made.Decay, made.OneMinusDecay, made.EpsilonInside, made.EpsilonOutside));
    }

    [Fact]
    public void TryPlainStep_WhenNotReadyOrNotPlain_ReturnsFalseAndChangesNothing()
    {
        var state = new RmsPropState<float>();
        float[] p = Values(37, 0.5f), g = Values(37, 0.2f);
        var first = RmsPropCoefficients<float>.Create(RmsProp.PyTorch, 1);
        var plain = RmsPropPlainCoefficients<float>.From(first);
        Assert.False(state.TryPlainStep(p, g, plain, 1));   // no v before the first step
        Assert.Null(state.SquareAvg);
        Assert.Equal(Values(37, 0.5f), p);
        Assert.Equal(Values(37, 0.2f), g);

        state.Update(p, g, first);
        float[] v = (float[])state.SquareAvg!.Clone();
        g = Values(37, 0.2f);
        float[] p0 = (float[])p.Clone();
        void Refused(float[]? parameter, float[]? gradient, in RmsPropPlainCoefficients<float> c, int threads)
        {
            Assert.False(state.TryPlainStep(parameter, gradient, c, threads));
            Assert.Equal(p0, p);
            Assert.Equal(Values(37, 0.2f), g);
            Assert.Equal(v, state.SquareAvg!);
        }

        Refused(null, g, plain, 1);
        Refused(p, null, plain, 1);
        Refused(p, new float[36], plain, 1);
        Refused(new float[38], new float[38], plain, 1);   // the state was built for 37
        foreach (RmsProp options in new[] { RmsProp.PyTorch with { Momentum = 0.9 }, RmsProp.PyTorch with { Centered = true }, RmsProp.PyTorch with { WeightDecay = 0.1 }, RmsProp.PyTorch with { Maximize = true } })
        {
            Refused(p, g, RmsPropPlainCoefficients<float>.From(RmsPropCoefficients<float>.Create(options, 2)), 1);
        }

        Refused(p, g, default, 1);   // not made from plain coefficients
        Assert.True(state.TryPlainStep(p, g, plain, 4));   // short: one thread anyway
        Assert.NotEqual(p0, p);
        Assert.All(g, x => Assert.Equal(0f, x));

        // Large arrays with more than one thread take the general (parallel) update.
        int n = RmsPropState<float>.MinParallelLength;
        var large = new RmsPropState<float>();
        float[] lp = new float[n], lg = new float[n];
        large.Update(lp, lg, first);
        lg[0] = 1f;
        Assert.False(large.TryPlainStep(lp, lg, plain, 2));
        Assert.Equal(1f, lg[0]);
        Assert.True(large.TryPlainStep(lp, lg, plain, 1));
        Assert.Equal(0f, lg[0]);
    }

    private static float[] Values(int n, float scale)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = scale * MathF.Sin(i + 1);
        }

        return values;
    }

    private static void PlainStepMatchesUpdate<T>(RmsProp options)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int n = 37;   // whole vectors and a scalar tail at every width
        var general = new RmsPropState<T>();
        var plain = new RmsPropState<T>();
        T[] pg = new T[n], pp = new T[n], gg = new T[n], gp = new T[n];
        for (int step = 1; step <= 6; step++)
        {
            for (int i = 0; i < n; i++)
            {
                gg[i] = gp[i] = T.CreateChecked(0.3 * Math.Sin((i + 1) * step) - 0.05);
            }

            var c = RmsPropCoefficients<T>.Create(options, step);
            var plainCoefficients = RmsPropPlainCoefficients<T>.From(c);
            Assert.True(plainCoefficients.IsPlain);
            general.Update(pg, gg, c);
            if (step == 1)
            {
                Assert.False(plain.IsReadyForPlainStep(pp, gp, 1));
                plain.PlainStep(pp, gp, plainCoefficients);   // not ready: it takes the general update, which builds v
            }
            else if (step % 2 == 0)
            {
                Assert.True(plain.IsReadyForPlainStep(pp, gp, 1));
                plain.PlainStep(pp, gp, plainCoefficients);
            }
            else
            {
                Assert.True(plain.TryPlainStep(pp, gp, plainCoefficients, 1));
            }

            Assert.Equal(pg, pp);
            Assert.Equal(general.SquareAvg!, plain.SquareAvg!);
            Assert.All(gp, x => Assert.Equal(T.Zero, x));
        }
    }

    [Fact]
    public void ScalarState_StartsAtTheInitialAccumulatorValue()
    {
        var s = new RmsPropScalarState<float>(0.75f);
        Assert.Equal(0.75f, s.SquareAvg);
        Assert.Equal(0f, s.GradAvg);
        Assert.Equal(0f, s.MomentumBuffer);
        Assert.Equal(0.0, default(RmsPropScalarState<double>).SquareAvg);
    }
}
