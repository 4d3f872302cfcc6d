using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>One step of <see cref="AdaGrad"/> in the parameter's type. State buffer 0 is <c>sum</c>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct AdaGradRule<T> : IUpdateRule<AdaGradRule<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The gradient scale (maximize) and weight-decay terms.</summary>
    public GradientTerms<T> Gradient { get; init; }

    /// <summary>−clr = −lr / (1 + (t − 1)·lr_decay).</summary>
    public T NegativeStep { get; init; }

    /// <summary>ε when inside the root, else 0.</summary>
    public T EpsilonInside { get; init; }

    /// <summary>ε when outside the root, else 0.</summary>
    public T EpsilonOutside { get; init; }

    /// <summary>The starting value of <c>sum</c>.</summary>
    public T InitialAccumulatorValue { get; init; }

    /// <inheritdoc/>
    public static string Name => "AdaGrad";

    /// <summary>The rule of step <paramref name="step"/> with <paramref name="clipping"/>'s value clamp (see <see cref="GradientTerms{T}.WithClipping"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdaGradRule<T> Create(in AdaGrad options, long step, in GradientClipping clipping)
    {
        AdaGradRule<T> rule = Create(options, step);
        return rule with { Gradient = rule.Gradient.WithClipping(clipping) };
    }

    /// <summary>The rule of step <paramref name="step"/> (1-based) under <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdaGradRule<T> Create(in AdaGrad options, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1L);
        double clr = options.LearningRate / (1 + ((step - 1) * options.LearningRateDecay));
        return new AdaGradRule<T>
        {
            Gradient = GradientTerms<T>.Create(options.Maximize, options.LearningRate, options.WeightDecay, options.DecoupledWeightDecay),
            NegativeStep = T.CreateChecked(-clr),
            EpsilonInside = T.CreateChecked(options.EpsilonInsideSqrt ? options.Epsilon : 0),
            EpsilonOutside = T.CreateChecked(options.EpsilonInsideSqrt ? 0 : options.Epsilon),
            InitialAccumulatorValue = T.CreateChecked(options.InitialAccumulatorValue),
        };
    }

    /// <inheritdoc/>
    public bool UsesBuffer(int index) => index == 0;

    /// <inheritdoc/>
    public T InitialValue(int index) => index == 0 ? InitialAccumulatorValue : T.Zero;

    /// <inheritdoc/>
    public AdaGradRule<T> WithoutWeightDecay() => this with { Gradient = Gradient.WithoutWeightDecay() };

    /// <inheritdoc/>
    public AdaGradRule<T> WithGradientFactor(double factor) => this with { Gradient = Gradient.WithGradientFactor(factor) };

    /// <inheritdoc/>
    public void Update(Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
    {
        if (Gradient.HasCoupledDecay)
        {
            ElementwiseLoop.Run(new Element<Yes>(this), parameter, gradient, s0, s1, s2);
        }
        else
        {
            ElementwiseLoop.Run(new Element<No>(this), parameter, gradient, s0, s1, s2);
        }
    }

    /// <summary>s ← s + g² ;  p ← p − clr·g / (√(s + ε_in) + ε_out).</summary>
    private readonly struct Element<TCoupled>(AdaGradRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
    {
        public static int StateCount => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(AdaGradRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly GradientVectors<T, TSimd, TVector> _gradient = new(c.Gradient);
            private readonly TVector _epsilonInside = TSimd.Broadcast(c.EpsilonInside);
            private readonly TVector _epsilonOutside = TSimd.Broadcast(c.EpsilonOutside);
            private readonly TVector _negativeStep = TSimd.Broadcast(c.NegativeStep);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _gradient.Apply<TCoupled>(ref p, ref g);
                s0 = TSimd.FusedMultiplyAdd(g, g, s0);
                TVector std = TSimd.Add(TSimd.Sqrt(TSimd.Add(s0, _epsilonInside)), _epsilonOutside);
                p = TSimd.Add(p, TSimd.Divide(TSimd.Multiply(_negativeStep, g), std));
            }
        }
    }
}
