using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>One step of <see cref="AdaDelta"/> in the parameter's type. State buffers: 0 <c>square_avg</c>, 1 <c>acc_delta</c>.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct AdaDeltaRule<T> : IUpdateRule<AdaDeltaRule<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The gradient scale (maximize) and weight-decay terms.</summary>
    public GradientTerms<T> Gradient { get; init; }

    /// <summary>ρ.</summary>
    public T Rho { get; init; }

    /// <summary>1 − ρ.</summary>
    public T OneMinusRho { get; init; }

    /// <summary>ε.</summary>
    public T Epsilon { get; init; }

    /// <summary>−lr.</summary>
    public T NegativeLearningRate { get; init; }

    /// <inheritdoc/>
    public static string Name => "AdaDelta";

    /// <summary>The rule of step <paramref name="step"/> with <paramref name="clipping"/>'s value clamp (see <see cref="GradientTerms{T}.WithClipping"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdaDeltaRule<T> Create(in AdaDelta options, long step, in GradientClipping clipping)
    {
        AdaDeltaRule<T> rule = Create(options, step);
        return rule with { Gradient = rule.Gradient.WithClipping(clipping) };
    }

    /// <summary>The rule of step <paramref name="step"/> (1-based) under <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdaDeltaRule<T> Create(in AdaDelta options, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1L);
        return new AdaDeltaRule<T>
        {
            Gradient = GradientTerms<T>.Create(options.Maximize, options.LearningRate, options.WeightDecay, options.DecoupledWeightDecay),
            Rho = T.CreateChecked(options.Rho),
            OneMinusRho = T.CreateChecked(1 - options.Rho),
            Epsilon = T.CreateChecked(options.Epsilon),
            NegativeLearningRate = T.CreateChecked(-options.LearningRate),
        };
    }

    /// <inheritdoc/>
    public bool UsesBuffer(int index) => index is 0 or 1;

    /// <inheritdoc/>
    public T InitialValue(int index) => T.Zero;

    /// <inheritdoc/>
    public AdaDeltaRule<T> WithoutWeightDecay() => this with { Gradient = Gradient.WithoutWeightDecay() };

    /// <inheritdoc/>
    public AdaDeltaRule<T> WithGradientFactor(double factor) => this with { Gradient = Gradient.WithGradientFactor(factor) };

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

    /// <summary>v ← ρ·v + (1 − ρ)·g² ;  δ = √(a + ε)/√(v + ε)·g ;  a ← ρ·a + (1 − ρ)·δ² ;  p ← p − lr·δ.</summary>
    private readonly struct Element<TCoupled>(AdaDeltaRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
    {
        public static int StateCount => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(AdaDeltaRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly GradientVectors<T, TSimd, TVector> _gradient = new(c.Gradient);
            private readonly TVector _rho = TSimd.Broadcast(c.Rho);
            private readonly TVector _oneMinusRho = TSimd.Broadcast(c.OneMinusRho);
            private readonly TVector _epsilon = TSimd.Broadcast(c.Epsilon);
            private readonly TVector _negativeLearningRate = TSimd.Broadcast(c.NegativeLearningRate);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _gradient.Apply<TCoupled>(ref p, ref g);
                s0 = TSimd.FusedMultiplyAdd(TSimd.Multiply(_oneMinusRho, g), g, TSimd.Multiply(_rho, s0));
                TVector std = TSimd.Sqrt(TSimd.Add(s0, _epsilon));
                TVector delta = TSimd.Multiply(TSimd.Divide(TSimd.Sqrt(TSimd.Add(s1, _epsilon)), std), g);
                s1 = TSimd.FusedMultiplyAdd(TSimd.Multiply(_oneMinusRho, delta), delta, TSimd.Multiply(_rho, s1));
                p = TSimd.FusedMultiplyAdd(delta, _negativeLearningRate, p);
            }
        }
    }
}
