using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// One step of <see cref="Sgd"/> in the parameter's type: coefficients computed once per step in double and rounded
/// to <typeparamref name="T"/>. State buffer 0 is <c>momentum_buffer</c> (only with momentum).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct SgdRule<T> : IUpdateRule<SgdRule<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The gradient scale (maximize) and weight-decay terms.</summary>
    public GradientTerms<T> Gradient { get; init; }

    /// <summary>μ, or 0 on the first step (PyTorch starts the buffer as a copy of g).</summary>
    public T BufferDecay { get; init; }

    /// <summary>What g is scaled by entering the buffer: 1 − τ (lr outside), lr·(1 − τ) (lr inside); 1 or lr on the first step.</summary>
    public T BufferGain { get; init; }

    /// <summary>How much of the buffer p moves by: lr (outside), 1 (inside); times μ with Nesterov.</summary>
    public T BufferStep { get; init; }

    /// <summary>How much of g p moves by directly: lr without momentum or with Nesterov, else 0.</summary>
    public T DirectStep { get; init; }

    /// <summary>Whether the momentum buffer is used (μ &gt; 0).</summary>
    public bool HasMomentum { get; init; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; init; }

    /// <inheritdoc/>
    public static string Name => "SGD";

    /// <summary>The rule of step <paramref name="step"/> with <paramref name="clipping"/>'s value clamp (see <see cref="GradientTerms{T}.WithClipping"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static SgdRule<T> Create(in Sgd options, long step, in GradientClipping clipping)
    {
        SgdRule<T> rule = Create(options, step);
        return rule with { Gradient = rule.Gradient.WithClipping(clipping) };
    }

    /// <summary>The rule of step <paramref name="step"/> (1-based) under <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static SgdRule<T> Create(in Sgd options, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1L);
        double lr = options.LearningRate, mu = options.Momentum;
        bool momentum = mu > 0, nesterov = momentum && options.Nesterov;
        bool inside = options.MomentumStyle == MomentumStyle.LearningRateInsideBuffer;
        double gain = (step == 1 ? 1 : 1 - options.Dampening) * (inside ? lr : 1);
        return new SgdRule<T>
        {
            Gradient = GradientTerms<T>.Create(options.Maximize, options.LearningRate, options.WeightDecay, options.DecoupledWeightDecay),
            BufferDecay = T.CreateChecked(step == 1 ? 0 : mu),
            BufferGain = T.CreateChecked(gain),
            BufferStep = T.CreateChecked((inside ? 1 : lr) * (nesterov ? mu : 1)),
            DirectStep = T.CreateChecked(!momentum || nesterov ? lr : 0),
            HasMomentum = momentum,
            Nesterov = nesterov,
        };
    }

    /// <inheritdoc/>
    public bool UsesBuffer(int index) => index == 0 && HasMomentum;

    /// <inheritdoc/>
    public T InitialValue(int index) => T.Zero;

    /// <inheritdoc/>
    public SgdRule<T> WithoutWeightDecay() => this with { Gradient = Gradient.WithoutWeightDecay() };

    /// <inheritdoc/>
    public SgdRule<T> WithGradientFactor(double factor) => this with { Gradient = Gradient.WithGradientFactor(factor) };

    /// <inheritdoc/>
    public void Update(Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
    {
        bool coupled = Gradient.HasCoupledDecay;
        switch ((coupled, HasMomentum, Nesterov))
        {
            case (false, false, _): ElementwiseLoop.Run(new Plain<No>(this), parameter, gradient, s0, s1, s2); break;
            case (true, false, _): ElementwiseLoop.Run(new Plain<Yes>(this), parameter, gradient, s0, s1, s2); break;
            case (false, true, false): ElementwiseLoop.Run(new Momentum<No, No>(this), parameter, gradient, s0, s1, s2); break;
            case (true, true, false): ElementwiseLoop.Run(new Momentum<Yes, No>(this), parameter, gradient, s0, s1, s2); break;
            case (false, true, true): ElementwiseLoop.Run(new Momentum<No, Yes>(this), parameter, gradient, s0, s1, s2); break;
            case (true, true, true): ElementwiseLoop.Run(new Momentum<Yes, Yes>(this), parameter, gradient, s0, s1, s2); break;
        }
    }

    /// <summary>p ← p − lr·g.</summary>
    private readonly struct Plain<TCoupled>(SgdRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
    {
        public static int StateCount => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(SgdRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly GradientVectors<T, TSimd, TVector> _gradient = new(c.Gradient);
            private readonly TVector _negativeDirectStep = TSimd.Broadcast(-c.DirectStep);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _gradient.Apply<TCoupled>(ref p, ref g);
                p = TSimd.FusedMultiplyAdd(g, _negativeDirectStep, p);
            }
        }
    }

    /// <summary>b ← μ·b + gain·g ;  p ← p − step_b·b (− lr·g with Nesterov).</summary>
    private readonly struct Momentum<TCoupled, TNesterov>(SgdRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
        where TNesterov : struct, IFlag
    {
        public static int StateCount => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(SgdRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly GradientVectors<T, TSimd, TVector> _gradient = new(c.Gradient);
            private readonly TVector _bufferGain = TSimd.Broadcast(c.BufferGain);
            private readonly TVector _bufferDecay = TSimd.Broadcast(c.BufferDecay);
            private readonly TVector _negativeDirectStep = TSimd.Broadcast(-c.DirectStep);
            private readonly TVector _negativeBufferStep = TSimd.Broadcast(-c.BufferStep);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _gradient.Apply<TCoupled>(ref p, ref g);
                s0 = TSimd.FusedMultiplyAdd(g, _bufferGain, TSimd.Multiply(_bufferDecay, s0));
                if (TNesterov.On)
                {
                    p = TSimd.FusedMultiplyAdd(g, _negativeDirectStep, p);
                }

                p = TSimd.FusedMultiplyAdd(s0, _negativeBufferStep, p);
            }
        }
    }
}
