using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.Intrinsics;
using OptimizerGen.Rules;
using OptimizerGen.Runtime.Tests.Support;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// The built-in element-wise rules (SGD, AdaGrad, AdaDelta, Adam, AdamW) through <see cref="UpdateState{T}"/> and the
/// single loop <see cref="ElementwiseLoop"/>, against an independent textbook reference written here in double (no
/// FMA, no vectors, PyTorch's formulas), for every option set below, three steps, at every length
/// 0 … 4·Vector512&lt;T&gt;.Count + 1. Also: every array element is bit-identical to the same element updated alone as a
/// scalar field (<see cref="ScalarState{T}"/>), the gradient is zeroed, and buffers the options do not need stay null.
/// </summary>
public sealed class RuleReferenceTests
{
    public static TheoryData<string> OptionSets => new(Sets.Keys);

    private static readonly Dictionary<string, object> Sets = new()
    {
        ["sgd plain"] = new Sgd { LearningRate = 0.05 },
        ["sgd wd maximize"] = new Sgd { LearningRate = 0.05, WeightDecay = 0.1, Maximize = true },
        ["sgd momentum dampening wd"] = new Sgd { LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, WeightDecay = 0.1 },
        ["sgd nesterov"] = new Sgd { LearningRate = 0.05, Momentum = 0.8, Nesterov = true, WeightDecay = 0.01 },
        ["sgd keras momentum decoupled"] = Sgd.Keras with { Momentum = 0.9, WeightDecay = 0.1 },
        ["sgd keras nesterov"] = Sgd.Keras with { Momentum = 0.9, Nesterov = true },
        ["adagrad default"] = new AdaGrad(),
        ["adagrad all"] = new AdaGrad { LearningRateDecay = 0.1, InitialAccumulatorValue = 0.2, WeightDecay = 0.1, Maximize = true },
        ["adagrad keras"] = AdaGrad.Keras with { WeightDecay = 0.1 },
        ["adadelta default"] = new AdaDelta(),
        ["adadelta wd maximize"] = new AdaDelta { WeightDecay = 0.1, Maximize = true },
        ["adadelta keras"] = AdaDelta.Keras with { WeightDecay = 0.1 },
        ["adam default"] = new Adam(),
        ["adam amsgrad wd maximize"] = new Adam { AmsGrad = true, WeightDecay = 0.1, Maximize = true, LearningRate = 0.01 },
        ["adam keras"] = Adam.Keras with { WeightDecay = 0.1 },
        ["adamw default"] = new AdamW(),
        ["adamw amsgrad"] = new AdamW { AmsGrad = true, LearningRate = 0.01 },
    };

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void Float_matches_reference_at_every_length(string set) => Check<float>(Sets[set], 1e-5);

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void Double_matches_reference_at_every_length(string set) => Check<double>(Sets[set], 1e-12);

    [Fact]
    public void Unused_buffers_are_never_allocated()
    {
        var sgd = new UpdateState<float>();
        sgd.Update(new float[5], new float[5], SgdRule<float>.Create(new Sgd(), 1));
        Assert.Null(sgd.Buffer0);
        var adam = new UpdateState<float>();
        adam.Update(new float[5], new float[5], AdamRule<float>.Create(new Adam(), 1));
        Assert.NotNull(adam.Buffer1);
        Assert.Null(adam.Buffer2);
        adam.Update(new float[5], new float[5], AdamRule<float>.Create(new Adam { AmsGrad = true }, 2));
        Assert.NotNull(adam.Buffer2);
    }

    [Fact]
    public void Wrong_lengths_throw_before_anything_changes()
    {
        var state = new UpdateState<double>();
        double[] p = [1, 2, 3];
        Assert.Throws<ArgumentException>(() => state.Update(p, new double[2], AdamRule<double>.Create(new Adam(), 1)));
        Assert.Equal([1, 2, 3], p);
        Assert.Null(state.Buffer0);
        state.Update(p, new double[3], AdamRule<double>.Create(new Adam(), 1));
        Assert.Throws<InvalidOperationException>(() => state.CheckLength(4, "W"));
    }

    [Fact]
    public void Invalid_options_throw_naming_the_option()
    {
        Assert.Equal("Beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam { Beta2 = 1 }).ParamName);
        Assert.Equal("Dampening", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd { Dampening = -0.1 }).ParamName);
        Assert.Equal("LearningRateDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaGrad { LearningRateDecay = double.NaN }).ParamName);
        Assert.Equal("Rho", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaDelta { Rho = 1.5 }).ParamName);
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW { WeightDecay = -1 }).ParamName);
    }

    [Fact]
    public void Presets_have_each_framework_defaults()
    {
        Assert.Equal(0.001, new Sgd().LearningRate);
        Assert.Equal(0.01, Sgd.Keras.LearningRate);
        Assert.Equal((0.01, 0.0, 1e-10), (new AdaGrad().LearningRate, new AdaGrad().InitialAccumulatorValue, new AdaGrad().Epsilon));
        Assert.Equal((0.1, 1e-7, true), (AdaGrad.Keras.InitialAccumulatorValue, AdaGrad.Keras.Epsilon, AdaGrad.Keras.EpsilonInsideSqrt));
        Assert.Equal((1.0, 0.9, 1e-6), (new AdaDelta().LearningRate, new AdaDelta().Rho, new AdaDelta().Epsilon));
        Assert.Equal((0.001, 0.95, 1e-7), (AdaDelta.Keras.LearningRate, AdaDelta.Keras.Rho, AdaDelta.Keras.Epsilon));
        Assert.Equal((0.001, 0.9, 0.999, 1e-8, 0.0), (new Adam().LearningRate, new Adam().Beta1, new Adam().Beta2, new Adam().Epsilon, new Adam().WeightDecay));
        Assert.Equal(0.01, new AdamW().WeightDecay);
        Assert.Equal(0.004, AdamW.Keras.WeightDecay);
    }

    private static void Check<T>(object settings, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int n = 0; n <= (4 * Vector512<T>.Count) + 1; n++)
        {
            var rng = new SplitMix((ulong)(n + 17));
            var p = new T[n];
            var g = new T[n];
            var state = new UpdateState<T>();
            var scalarP = new T[n];
            var scalarStates = new ScalarState<T>[n];
            var reference = new Reference(settings, n);
            for (int i = 0; i < n; i++)
            {
                p[i] = scalarP[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
                reference.P[i] = double.CreateTruncating(p[i]);
            }

            for (long step = 1; step <= 3; step++)
            {
                for (int i = 0; i < n; i++)
                {
                    g[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
                }

                double[] gd = Array.ConvertAll(g, x => double.CreateTruncating(x));
                reference.Step(gd, step);
                for (int i = 0; i < n; i++)
                {
                    T gi = g[i];
                    Update(ref scalarStates[i], ref scalarP[i], ref gi, settings, step);
                }

                Update(state, p, g, settings, step);
                for (int i = 0; i < n; i++)
                {
                    Assert.True(g[i] == T.Zero, $"n={n}: gradient[{i}] not zeroed");
                    Assert.True(p[i] == scalarP[i], $"n={n} step {step}: element {i} = {p[i]} on the array path, {scalarP[i]} as a scalar field");
                    Approx(reference.P[i], double.CreateTruncating(p[i]), tolerance, $"{settings}: n={n} step {step} p[{i}]");
                }
            }

            for (int b = 0; b < 3; b++)
            {
                T[]? buffer = b switch { 0 => state.Buffer0, 1 => state.Buffer1, _ => state.Buffer2 };
                Assert.True((buffer is null) == (reference.Buffers[b] is null) || n == 0, $"{settings}: buffer {b} allocated = {buffer is not null}");
                for (int i = 0; buffer is not null && i < n; i++)
                {
                    Approx(reference.Buffers[b]![i], double.CreateTruncating(buffer[i]), tolerance, $"{settings}: n={n} buffer {b}[{i}]");
                }
            }
        }
    }

    private static void Approx(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {actual:R}, reference {expected:R}");

    private static void Update<T>(UpdateState<T> state, T[] p, T[] g, object settings, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (settings)
        {
            case Sgd o: state.Update(p, g, SgdRule<T>.Create(o, step)); break;
            case AdaGrad o: state.Update(p, g, AdaGradRule<T>.Create(o, step)); break;
            case AdaDelta o: state.Update(p, g, AdaDeltaRule<T>.Create(o, step)); break;
            case Adam o: state.Update(p, g, AdamRule<T>.Create(o, step)); break;
            case AdamW o: state.Update(p, g, AdamRule<T>.Create(o, step)); break;
        }
    }

    private static void Update<T>(ref ScalarState<T> s, ref T p, ref T g, object settings, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (settings)
        {
            case Sgd o: s.Update(ref p, ref g, SgdRule<T>.Create(o, step), step); break;
            case AdaGrad o: s.Update(ref p, ref g, AdaGradRule<T>.Create(o, step), step); break;
            case AdaDelta o: s.Update(ref p, ref g, AdaDeltaRule<T>.Create(o, step), step); break;
            case Adam o: s.Update(ref p, ref g, AdamRule<T>.Create(o, step), step); break;
            case AdamW o: s.Update(ref p, ref g, AdamRule<T>.Create(o, step), step); break;
        }
    }

    /// <summary>The textbook update, element by element, in double (PyTorch's formulas; Keras' where the options say so).</summary>
    private sealed class Reference(object settings, int n)
    {
        public double[] P { get; } = new double[n];

        public double[]?[] Buffers { get; } = new double[]?[3];

        public void Step(double[] grad, long t)
        {
            for (int i = 0; i < P.Length; i++)
            {
                double g = grad[i];
                switch (settings)
                {
                    case Sgd o:
                        g = Prologue(i, g, o.Maximize, o.LearningRate, o.WeightDecay, o.DecoupledWeightDecay);
                        if (o.Momentum > 0)
                        {
                            double[] b = Buffer(0, 0);
                            bool inside = o.MomentumStyle == MomentumStyle.LearningRateInsideBuffer;
                            double scaled = inside ? o.LearningRate * g : g;
                            b[i] = t == 1 ? scaled : (o.Momentum * b[i]) + ((1 - o.Dampening) * scaled);
                            double d = o.Nesterov ? scaled + (o.Momentum * b[i]) : b[i];
                            P[i] -= inside ? d : o.LearningRate * d;
                        }
                        else
                        {
                            P[i] -= o.LearningRate * g;
                        }

                        break;
                    case AdaGrad o:
                    {
                        g = Prologue(i, g, o.Maximize, o.LearningRate, o.WeightDecay, o.DecoupledWeightDecay);
                        double[] s = Buffer(0, o.InitialAccumulatorValue);
                        s[i] += g * g;
                        double clr = o.LearningRate / (1 + ((t - 1) * o.LearningRateDecay));
                        double std = o.EpsilonInsideSqrt ? Math.Sqrt(s[i] + o.Epsilon) : Math.Sqrt(s[i]) + o.Epsilon;
                        P[i] -= clr * g / std;
                        break;
                    }

                    case AdaDelta o:
                    {
                        g = Prologue(i, g, o.Maximize, o.LearningRate, o.WeightDecay, o.DecoupledWeightDecay);
                        double[] v = Buffer(0, 0), a = Buffer(1, 0);
                        v[i] = (o.Rho * v[i]) + ((1 - o.Rho) * g * g);
                        double delta = Math.Sqrt(a[i] + o.Epsilon) / Math.Sqrt(v[i] + o.Epsilon) * g;
                        a[i] = (o.Rho * a[i]) + ((1 - o.Rho) * delta * delta);
                        P[i] -= o.LearningRate * delta;
                        break;
                    }

                    case Adam or AdamW:
                    {
                        Adam o = settings is AdamW w ? w.ToAdam() : (Adam)settings;
                        g = Prologue(i, g, o.Maximize, o.LearningRate, o.WeightDecay, o.DecoupledWeightDecay);
                        double[] m = Buffer(0, 0), v = Buffer(1, 0);
                        m[i] = (o.Beta1 * m[i]) + ((1 - o.Beta1) * g);
                        v[i] = (o.Beta2 * v[i]) + ((1 - o.Beta2) * g * g);
                        double vUsed = v[i];
                        if (o.AmsGrad)
                        {
                            double[] max = Buffer(2, 0);
                            max[i] = Math.Max(max[i], v[i]);
                            vUsed = max[i];
                        }

                        double bc1 = 1 - Math.Pow(o.Beta1, t), bc2 = 1 - Math.Pow(o.Beta2, t);
                        double denominator = o.EpsilonHat ? (Math.Sqrt(vUsed) + o.Epsilon) / Math.Sqrt(bc2) : (Math.Sqrt(vUsed) / Math.Sqrt(bc2)) + o.Epsilon;
                        P[i] -= o.LearningRate / bc1 * m[i] / denominator;
                        break;
                    }
                }
            }
        }

        private double Prologue(int i, double g, bool maximize, double lr, double wd, bool decoupled)
        {
            g = maximize ? -g : g;
            if (decoupled)
            {
                P[i] *= 1 - (lr * wd);
                return g;
            }

            return g + (wd * P[i]);
        }

        private double[] Buffer(int index, double initial)
        {
            if (Buffers[index] is null)
            {
                Buffers[index] = new double[P.Length];
                Array.Fill(Buffers[index]!, initial);
            }

            return Buffers[index]!;
        }
    }
}
