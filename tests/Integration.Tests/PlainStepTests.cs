using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// An RMSprop model takes the plain step (one test of cached flags, then each scalar field's two lines and each array's
/// one pass of the plain loop) while no option is on, and the general update otherwise. The reference is a twin whose
/// <c>Optimizer</c> is assigned again before every step, which keeps it on the general update; both must give the same
/// bits through every change that has to leave the plain step: an option, bias correction, norm clipping, the non-finite
/// guard, a reset (with a nonzero initial accumulator) and a loaded checkpoint, and for arrays also a buffer an earlier
/// option left behind, more update threads, and arrays replaced by ones of another length.
/// </summary>
public sealed partial class PlainStepTests
{
    /// <summary>What the shared sequence needs of a model: its generated members, and a way to fill and compare it.</summary>
    public interface ITwin
    {
        RmsProp Optimizer { get; set; }

        GradientClipping GradientClipping { get; set; }

        bool SkipNonFiniteGradients { get; set; }

        long StepCount { get; }

        long SkippedSteps { get; }

        bool IsOnPlainStep { get; }

        bool ApplyGradients();

        void ResetOptimizerState();

        void SaveCheckpoint(Stream destination);

        void LoadCheckpoint(Stream source);

        void SetGradients(int step, bool nan);

        void AssertSameBits(ITwin general, string when);
    }

    [Optimize(typeof(RmsProp))]
    public partial class Scalars : ITwin
    {
        [Param] public float W = 0.5f;
        [Param] public double B = -0.25;
        [Param, ExcludeFromWeightDecay] public float C = 1.5f;

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            Grad.W = nan ? float.NaN : 0.01f * MathF.Sin(step * 7);
            Grad.B = 0.02 * Math.Cos(step * 3);
            Grad.C = -0.015f * MathF.Sin(step * 5);
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (Scalars)other;
            Assert.True(BitConverter.SingleToInt32Bits(W) == BitConverter.SingleToInt32Bits(general.W), $"W {when}: {W:R} vs {general.W:R}");
            Assert.True(BitConverter.DoubleToInt64Bits(B) == BitConverter.DoubleToInt64Bits(general.B), $"B {when}: {B:R} vs {general.B:R}");
            Assert.True(BitConverter.SingleToInt32Bits(C) == BitConverter.SingleToInt32Bits(general.C), $"C {when}: {C:R} vs {general.C:R}");
            Assert.Equal(general.OptimizerState.W, OptimizerState.W);
            Assert.Equal(general.OptimizerState.B, OptimizerState.B);
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(Scalars model);
    }

    /// <summary>Arrays of both types (lengths with a scalar tail at every width), one excluded from weight decay, and a scalar.</summary>
    [Optimize(typeof(RmsProp))]
    public partial class Arrays : ITwin
    {
        [Param] public float[] W = Filled(37, i => 0.5f - (0.01f * i));
        [Param] public double[] B = Array.ConvertAll(Filled(5, i => 0.1f * i), x => (double)x);
        [Param, ExcludeFromWeightDecay] public float[] C = Filled(70, i => MathF.Cos(i));
        [Param] public float S = 0.75f;

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            for (int i = 0; i < Grad.W.Length; i++) Grad.W[i] = 0.01f * MathF.Sin((step * 7) + i);
            for (int i = 0; i < Grad.B.Length; i++) Grad.B[i] = 0.02 * Math.Cos((step * 3) + i);
            for (int i = 0; i < Grad.C.Length; i++) Grad.C[i] = -0.015f * MathF.Sin((step * 5) + i);
            Grad.S = 0.005f * step;
            if (nan)
            {
                Grad.C[Grad.C.Length - 1] = float.NaN;   // in the last element: the vector loop's tail
            }
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (Arrays)other;
            SameBits(W, general.W, "W", when);
            Assert.Equal(general.B, B);
            SameBits(C, general.C, "C", when);
            Assert.True(BitConverter.SingleToInt32Bits(S) == BitConverter.SingleToInt32Bits(general.S), $"S {when}: {S:R} vs {general.S:R}");
            Assert.Equal(general.OptimizerState.W.SquareAvg, OptimizerState.W.SquareAvg);
            Assert.Equal(general.OptimizerState.W.GradAvg, OptimizerState.W.GradAvg);
            Assert.Equal(general.OptimizerState.C.SquareAvg, OptimizerState.C.SquareAvg);
            Assert.Equal(general.OptimizerState.B.SquareAvg, OptimizerState.B.SquareAvg);
            Assert.Equal(general.OptimizerState.S, OptimizerState.S);
            Assert.All(Grad.W, g => Assert.Equal(0f, g));
            Assert.All(Grad.C, g => Assert.Equal(0f, g));
        }

        private static void SameBits(float[] plain, float[] general, string name, string when)
        {
            Assert.Equal(general.Length, plain.Length);
            for (int i = 0; i < plain.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(plain[i]) == BitConverter.SingleToInt32Bits(general[i]), $"{name}[{i}] {when}: {plain[i]:R} vs {general[i]:R}");
            }
        }

        private static float[] Filled(int n, Func<int, float> value)
        {
            var array = new float[n];
            for (int i = 0; i < n; i++) array[i] = value(i);
            return array;
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(Arrays model);
    }

    /// <summary>
    /// One array (a length with a scalar tail at every width) beside a scalar: the plain step is one call that checks the array
    /// and runs its pass, and the scalar follows only when it did.
    /// </summary>
    [Optimize(typeof(RmsProp))]
    public partial class OneArray : ITwin
    {
        [Param] public float[] W = Array.ConvertAll(new float[37], _ => 0f);
        [Param, ExcludeFromWeightDecay] public double S = 0.75;

        public OneArray()
        {
            for (int i = 0; i < W.Length; i++) W[i] = 0.5f - (0.01f * i);
        }

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            for (int i = 0; i < Grad.W.Length; i++) Grad.W[i] = 0.01f * MathF.Sin((step * 7) + i);
            Grad.S = 0.005 * step;
            if (nan)
            {
                Grad.W[Grad.W.Length - 1] = float.NaN;   // in the last element: the vector loop's tail
            }
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (OneArray)other;
            for (int i = 0; i < W.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(W[i]) == BitConverter.SingleToInt32Bits(general.W[i]), $"W[{i}] {when}: {W[i]:R} vs {general.W[i]:R}");
            }

            Assert.True(BitConverter.DoubleToInt64Bits(S) == BitConverter.DoubleToInt64Bits(general.S), $"S {when}: {S:R} vs {general.S:R}");
            Assert.Equal(general.OptimizerState.W.SquareAvg, OptimizerState.W.SquareAvg);
            Assert.Equal(general.OptimizerState.S, OptimizerState.S);
            Assert.All(Grad.W, g => Assert.Equal(0f, g));
            Assert.Equal(0d, Grad.S);
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(OneArray model);
    }

    /// <summary>
    /// Every field excluded from weight decay, of both types, with two arrays: under weight decay the plain step is on (the
    /// decay applies to no field) and must read the coefficients without it.
    /// </summary>
    [Optimize(typeof(RmsProp))]
    public partial class AllExcluded : ITwin
    {
        [Param, ExcludeFromWeightDecay] public float W = 0.5f;
        [Param, ExcludeFromWeightDecay] public double B = -0.25;
        [Param, ExcludeFromWeightDecay] public float[] A = Array.ConvertAll(new float[37], _ => 0.3f);
        [Param, ExcludeFromWeightDecay] public double[] D = new double[] { 0.1, -0.2, 0.3, -0.4, 0.5 };

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            Grad.W = nan ? float.NaN : 0.01f * MathF.Sin(step * 7);
            Grad.B = 0.02 * Math.Cos(step * 3);
            for (int i = 0; i < Grad.A.Length; i++) Grad.A[i] = -0.015f * MathF.Sin((step * 5) + i);
            for (int i = 0; i < Grad.D.Length; i++) Grad.D[i] = 0.01 * Math.Cos((step * 2) + i);
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (AllExcluded)other;
            Assert.True(BitConverter.SingleToInt32Bits(W) == BitConverter.SingleToInt32Bits(general.W), $"W {when}: {W:R} vs {general.W:R}");
            Assert.True(BitConverter.DoubleToInt64Bits(B) == BitConverter.DoubleToInt64Bits(general.B), $"B {when}: {B:R} vs {general.B:R}");
            Assert.Equal(general.A, A);
            Assert.Equal(general.D, D);
            Assert.Equal(general.OptimizerState.W, OptimizerState.W);
            Assert.Equal(general.OptimizerState.A.SquareAvg, OptimizerState.A.SquareAvg);
            Assert.All(Grad.A, g => Assert.Equal(0f, g));
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(AllExcluded model);
    }

    /// <summary>One array and a scalar, both excluded from weight decay: the one-array form of the same.</summary>
    [Optimize(typeof(RmsProp))]
    public partial class OneExcludedArray : ITwin
    {
        [Param, ExcludeFromWeightDecay] public float[] A = Array.ConvertAll(new float[37], _ => 0.3f);
        [Param, ExcludeFromWeightDecay] public float S = 0.75f;

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            for (int i = 0; i < Grad.A.Length; i++) Grad.A[i] = nan && i == 36 ? float.NaN : -0.015f * MathF.Sin((step * 5) + i);
            Grad.S = 0.005f * step;
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (OneExcludedArray)other;
            Assert.Equal(general.A, A);
            Assert.True(BitConverter.SingleToInt32Bits(S) == BitConverter.SingleToInt32Bits(general.S), $"S {when}: {S:R} vs {general.S:R}");
            Assert.Equal(general.OptimizerState.A.SquareAvg, OptimizerState.A.SquareAvg);
            Assert.Equal(general.OptimizerState.S, OptimizerState.S);
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(OneExcludedArray model);
    }

    /// <summary>Scalar fields only, all excluded from weight decay: the straight-line form of the same.</summary>
    [Optimize(typeof(RmsProp))]
    public partial class ExcludedScalars : ITwin
    {
        [Param, ExcludeFromWeightDecay] public float W = 0.5f;
        [Param, ExcludeFromWeightDecay] public float B = -0.25f;

        public bool IsOnPlainStep => PlainStep(this);

        public void SetGradients(int step, bool nan)
        {
            Grad.W = nan ? float.NaN : 0.01f * MathF.Sin(step * 7);
            Grad.B = 0.02f * MathF.Cos(step * 3);
        }

        public void AssertSameBits(ITwin other, string when)
        {
            var general = (ExcludedScalars)other;
            Assert.True(BitConverter.SingleToInt32Bits(W) == BitConverter.SingleToInt32Bits(general.W), $"W {when}: {W:R} vs {general.W:R}");
            Assert.True(BitConverter.SingleToInt32Bits(B) == BitConverter.SingleToInt32Bits(general.B), $"B {when}: {B:R} vs {general.B:R}");
            Assert.Equal(general.OptimizerState.W, OptimizerState.W);
            Assert.Equal(general.OptimizerState.B, OptimizerState.B);
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__plainStep")]
        private static extern ref bool PlainStep(ExcludedScalars model);
    }

    [Fact]
    public void Fields_all_without_weight_decay_take_the_plain_step_under_weight_decay_with_the_general_updates_bits()
    {
        foreach ((ITwin plain, ITwin general) in new (ITwin, ITwin)[] { (new ExcludedScalars(), new ExcludedScalars()), (new AllExcluded(), new AllExcluded()), (new OneExcludedArray(), new OneExcludedArray()) })
        {
            int step = 1;
            plain.Optimizer = general.Optimizer = RmsProp.PyTorch with { WeightDecay = 0.1 };
            Run(plain, general, ref step, 6, "coupled weight decay, every field excluded");
            Assert.True(plain.IsOnPlainStep);
            plain.Optimizer = general.Optimizer = RmsProp.Keras with { WeightDecay = 0.01, DecoupledWeightDecay = true };
            Run(plain, general, ref step, 6, "decoupled weight decay, every field excluded");
            Assert.True(plain.IsOnPlainStep);
            plain.ResetOptimizerState();   // the guard let go after every step
            general.ResetOptimizerState();
            Run(plain, general, ref step, 3, "after a reset");
        }
    }

    private static void AssertSame(ITwin plain, ITwin general, string when)
    {
        plain.AssertSameBits(general, when);
        Assert.Equal(general.StepCount, plain.StepCount);
        Assert.Equal(general.SkippedSteps, plain.SkippedSteps);
    }

    /// <summary>Runs <paramref name="steps"/> steps on both; the twin's Optimizer is assigned again before each one.</summary>
    private static void Run(ITwin plain, ITwin general, ref int step, int steps, string when, bool nan = false)
    {
        for (int i = 0; i < steps; i++, step++)
        {
            general.Optimizer = general.Optimizer;   // clears the coefficient cache: the general update, every step
            plain.SetGradients(step, nan);
            general.SetGradients(step, nan);
            plain.ApplyGradients();
            general.ApplyGradients();
            AssertSame(plain, general, $"{when}, step {step}");
        }
    }

    [Fact]
    public void The_plain_step_of_scalar_fields_gives_the_general_updates_bits_and_is_left_whenever_it_must_be() =>
        Sequence(new Scalars(), new Scalars(), new Scalars());

    [Fact]
    public void The_plain_step_of_array_fields_gives_the_general_updates_bits_and_is_left_whenever_it_must_be()
    {
        var plain = new Arrays();
        var general = new Arrays();
        int step = Sequence(plain, general, new Arrays());

        // Centered for a few steps leaves m behind; the plain step then runs beside it.
        plain.Optimizer = general.Optimizer = RmsProp.PyTorch with { Centered = true };
        Run(plain, general, ref step, 3, "centered");
        plain.Optimizer = general.Optimizer = RmsProp.PyTorch;
        Run(plain, general, ref step, 4, "PyTorch preset after centered");
        Assert.True(plain.IsOnPlainStep);
        Assert.NotNull(plain.OptimizerState.W.GradAvg);

        // More update threads: these arrays are short, so one thread does it either way.
        plain.UpdateThreads = general.UpdateThreads = 2;
        Run(plain, general, ref step, 3, "two update threads");

        // A parameter replaced by one of another length: both refuse the step before changing anything.
        float[] w = plain.W, c = plain.C;
        plain.W = new float[38];
        plain.SetGradients(step, nan: false);
        var error = Assert.Throws<InvalidOperationException>(() => plain.ApplyGradients());
        Assert.Contains("'W'", error.Message);
        Assert.Equal(general.StepCount, plain.StepCount);
        Assert.All(plain.Grad.C, g => Assert.NotEqual(0f, g));   // C, after W in the checks, kept its gradient too
        plain.W = w;
        Assert.Same(c, plain.C);

        // A gradient array replaced by one of another length (the Grad arrays are the user's too).
        float[] gradC = plain.Grad.C;
        plain.Grad.C = new float[69];
        Assert.Throws<InvalidOperationException>(() => plain.ApplyGradients());
        Assert.Equal(general.StepCount, plain.StepCount);
        plain.Grad.C = gradC;
        Run(plain, general, ref step, 3, "after the refused steps");
        Assert.True(plain.IsOnPlainStep);
    }

    [Fact]
    public void The_plain_step_of_one_array_gives_the_general_updates_bits_and_changes_nothing_when_the_array_is_refused()
    {
        var plain = new OneArray();
        var general = new OneArray();
        int step = Sequence(plain, general, new OneArray());
        plain.Optimizer = general.Optimizer = RmsProp.PyTorch;   // the loaded checkpoint's momentum was not plain
        Run(plain, general, ref step, 3, "PyTorch preset after the checkpoint");
        Assert.True(plain.IsOnPlainStep);

        // A parameter of another length: refused before anything changes, the scalar included.
        float[] w = plain.W;
        double s = plain.S;
        plain.W = new float[38];
        plain.SetGradients(step, nan: false);
        var error = Assert.Throws<InvalidOperationException>(() => plain.ApplyGradients());
        Assert.Contains("'W'", error.Message);
        Assert.Equal(general.StepCount, plain.StepCount);
        Assert.True(BitConverter.DoubleToInt64Bits(s) == BitConverter.DoubleToInt64Bits(plain.S));
        Assert.NotEqual(0d, plain.Grad.S);
        Assert.All(plain.Grad.W, g => Assert.NotEqual(0f, g));
        plain.W = w;

        // A gradient of another length, then more update threads (one thread anyway at this length), then the plain step again.
        float[] gradW = plain.Grad.W;
        plain.Grad.W = new float[36];
        Assert.Throws<InvalidOperationException>(() => plain.ApplyGradients());
        Assert.Equal(general.StepCount, plain.StepCount);
        Assert.True(BitConverter.DoubleToInt64Bits(s) == BitConverter.DoubleToInt64Bits(plain.S));
        plain.Grad.W = gradW;
        plain.UpdateThreads = general.UpdateThreads = 2;
        Run(plain, general, ref step, 3, "after the refused steps, two update threads");
        Assert.True(plain.IsOnPlainStep);

        // Arrays of the same length put in their place, which no length check can tell apart: the plain step must use the
        // new ones, never arrays it found at an earlier step. A new gradient array, then a v restored into the state, on both twins.
        plain.Grad.W = new float[37];
        general.Grad.W = new float[37];
        Run(plain, general, ref step, 3, "a new gradient array of the same length");
        float[] v = (float[])general.OptimizerState.W.SquareAvg!.Clone();
        for (int i = 0; i < v.Length; i++) v[i] *= 4f;
        plain.OptimizerState.W.Restore((float[])v.Clone(), null, null);
        general.OptimizerState.W.Restore((float[])v.Clone(), null, null);
        Run(plain, general, ref step, 3, "a v restored into the state");
        Assert.True(plain.IsOnPlainStep);
    }

    /// <summary>The events both kinds of model go through; returns the next step number.</summary>
    private static int Sequence(ITwin plain, ITwin general, ITwin other)
    {
        RmsProp options = RmsProp.PyTorch with { WeightDecay = 0.1 };   // coupled decay: not plain for most fields, plain for C
        plain.Optimizer = general.Optimizer = RmsProp.PyTorch;
        int step = 1;

        Run(plain, general, ref step, 10, "PyTorch preset");
        Assert.True(plain.IsOnPlainStep, "the plain step is on after the first steps with the PyTorch preset");

        plain.Optimizer = general.Optimizer = options;
        Run(plain, general, ref step, 5, "weight decay");
        Assert.False(plain.IsOnPlainStep);

        plain.Optimizer = general.Optimizer = RmsProp.PyTorch with { Momentum = 0.9 };
        Run(plain, general, ref step, 5, "momentum");
        plain.Optimizer = general.Optimizer = RmsProp.Keras;
        Run(plain, general, ref step, 5, "Keras preset");
        Assert.True(plain.IsOnPlainStep);
        plain.Optimizer = general.Optimizer = RmsProp.Keras with { BiasCorrection = true };
        Run(plain, general, ref step, 5, "bias correction");
        Assert.False(plain.IsOnPlainStep);

        plain.Optimizer = general.Optimizer = RmsProp.PyTorch;
        Run(plain, general, ref step, 3, "PyTorch preset again");
        plain.GradientClipping = general.GradientClipping = GradientClipping.ByNorm(0.001);
        Run(plain, general, ref step, 5, "norm clipping");
        plain.GradientClipping = general.GradientClipping = GradientClipping.ByValue(0.004);
        Run(plain, general, ref step, 5, "value clipping");
        plain.GradientClipping = general.GradientClipping = GradientClipping.None;
        Run(plain, general, ref step, 3, "no clipping");
        Assert.True(plain.IsOnPlainStep);

        plain.SkipNonFiniteGradients = general.SkipNonFiniteGradients = true;
        Run(plain, general, ref step, 2, "a NaN gradient with the non-finite guard on", nan: true);
        Assert.Equal(2, plain.SkippedSteps);
        plain.SkipNonFiniteGradients = general.SkipNonFiniteGradients = false;
        Run(plain, general, ref step, 3, "non-finite guard off");

        plain.Optimizer = general.Optimizer = RmsProp.TensorFlow1;   // v starts at 1 after a reset
        Run(plain, general, ref step, 3, "TensorFlow 1 preset");
        Assert.True(plain.IsOnPlainStep);
        plain.ResetOptimizerState();
        general.ResetOptimizerState();
        Run(plain, general, ref step, 5, "after a reset");

        // A checkpoint with other options (momentum and its buffer) loaded into a model on the plain step.
        other.Optimizer = RmsProp.PyTorch with { Momentum = 0.5 };
        for (int i = 0; i < 4; i++)
        {
            other.SetGradients(100 + i, nan: false);
            other.ApplyGradients();
        }

        using var saved = new MemoryStream();
        other.SaveCheckpoint(saved);
        Assert.True(plain.IsOnPlainStep);
        plain.LoadCheckpoint(new MemoryStream(saved.ToArray()));
        general.LoadCheckpoint(new MemoryStream(saved.ToArray()));
        Run(plain, general, ref step, 5, "after loading a checkpoint with momentum");
        return step;
    }
}
