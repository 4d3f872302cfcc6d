using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// One step of <see cref="Adam"/> (and <see cref="AdamW"/>) in the parameter's type. State buffers: 0 <c>exp_avg</c>,
/// 1 <c>exp_avg_sq</c>, 2 <c>max_exp_avg_sq</c> (AMSGrad only).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct AdamRule<T> : IUpdateRule<AdamRule<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The gradient scale (maximize) and weight-decay terms.</summary>
    public GradientTerms<T> Gradient { get; init; }

    /// <summary>β₁.</summary>
    public T Beta1 { get; init; }

    /// <summary>1 − β₁.</summary>
    public T OneMinusBeta1 { get; init; }

    /// <summary>β₂.</summary>
    public T Beta2 { get; init; }

    /// <summary>1 − β₂.</summary>
    public T OneMinusBeta2 { get; init; }

    /// <summary>−lr / (1 − β₁ᵗ).</summary>
    public T NegativeStepSize { get; init; }

    /// <summary>√(1 − β₂ᵗ).</summary>
    public T BiasCorrection2Sqrt { get; init; }

    /// <summary>ε (PyTorch), or ε / √(1 − β₂ᵗ) with <see cref="Adam.EpsilonHat"/>.</summary>
    public T Epsilon { get; init; }

    /// <summary>Whether AMSGrad's running maximum is kept.</summary>
    public bool AmsGrad { get; init; }

    /// <inheritdoc/>
    public static string Name => "Adam";

    /// <summary>The rule of step <paramref name="step"/> with <paramref name="clipping"/>'s value clamp (see <see cref="GradientTerms{T}.WithClipping"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdamRule<T> Create(in Adam options, long step, in GradientClipping clipping)
    {
        AdamRule<T> rule = Create(options, step);
        return rule with { Gradient = rule.Gradient.WithClipping(clipping) };
    }

    /// <summary>The AdamW rule of step <paramref name="step"/> with <paramref name="clipping"/>'s value clamp.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdamRule<T> Create(in AdamW options, long step, in GradientClipping clipping) => Create(options.ToAdam(), step, clipping);

    /// <summary>The rule of step <paramref name="step"/> (1-based) under <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static AdamRule<T> Create(in Adam options, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1L);
        double bc1 = 1 - Math.Pow(options.Beta1, step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(options.Beta2, step));
        return new AdamRule<T>
        {
            Gradient = GradientTerms<T>.Create(options.Maximize, options.LearningRate, options.WeightDecay, options.DecoupledWeightDecay),
            Beta1 = T.CreateChecked(options.Beta1),
            OneMinusBeta1 = T.CreateChecked(1 - options.Beta1),
            Beta2 = T.CreateChecked(options.Beta2),
            OneMinusBeta2 = T.CreateChecked(1 - options.Beta2),
            NegativeStepSize = T.CreateChecked(-options.LearningRate / bc1),
            BiasCorrection2Sqrt = T.CreateChecked(bc2Sqrt),
            Epsilon = T.CreateChecked(options.EpsilonHat ? options.Epsilon / bc2Sqrt : options.Epsilon),
            AmsGrad = options.AmsGrad,
        };
    }

    /// <summary>The rule of step <paramref name="step"/> under <see cref="AdamW"/> options.</summary>
    public static AdamRule<T> Create(in AdamW options, long step) => Create(options.ToAdam(), step);

    /// <inheritdoc/>
    public bool UsesBuffer(int index) => index is 0 or 1 || (index == 2 && AmsGrad);

    /// <inheritdoc/>
    public T InitialValue(int index) => T.Zero;

    /// <inheritdoc/>
    public AdamRule<T> WithoutWeightDecay() => this with { Gradient = Gradient.WithoutWeightDecay() };

    /// <inheritdoc/>
    public AdamRule<T> WithGradientFactor(double factor) => this with { Gradient = Gradient.WithGradientFactor(factor) };

    /// <inheritdoc/>
    public void Update(Span<T> parameter, Span<T> gradient, Span<T> s0, Span<T> s1, Span<T> s2)
    {
        switch ((Gradient.HasCoupledDecay, AmsGrad))
        {
            case (false, false): ElementwiseLoop.Run(new Element<No>(this), parameter, gradient, s0, s1, s2); break;
            case (true, false): ElementwiseLoop.Run(new Element<Yes>(this), parameter, gradient, s0, s1, s2); break;
            case (false, true): ElementwiseLoop.Run(new AmsGradElement<No>(this), parameter, gradient, s0, s1, s2); break;
            case (true, true): ElementwiseLoop.Run(new AmsGradElement<Yes>(this), parameter, gradient, s0, s1, s2); break;
        }
    }

    /// <summary>Adam's coefficients broadcast to one width, and its two halves: the moments and the step.</summary>
    private readonly struct Vectors<TSimd, TVector>(AdamRule<T> c)
        where TSimd : struct, ISimd<TVector, T>
        where TVector : struct
    {
        public readonly GradientVectors<T, TSimd, TVector> Gradient = new(c.Gradient);
        private readonly TVector _beta1 = TSimd.Broadcast(c.Beta1);
        private readonly TVector _oneMinusBeta1 = TSimd.Broadcast(c.OneMinusBeta1);
        private readonly TVector _beta2 = TSimd.Broadcast(c.Beta2);
        private readonly TVector _oneMinusBeta2 = TSimd.Broadcast(c.OneMinusBeta2);
        private readonly TVector _negativeStepSize = TSimd.Broadcast(c.NegativeStepSize);
        private readonly TVector _biasCorrection2Sqrt = TSimd.Broadcast(c.BiasCorrection2Sqrt);
        private readonly TVector _epsilon = TSimd.Broadcast(c.Epsilon);

        /// <summary>m ← β₁·m + (1 − β₁)·g ;  v ← β₂·v + (1 − β₂)·g² ; returns the denominator's v.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Moments(TVector g, ref TVector m, ref TVector v)
        {
            m = TSimd.FusedMultiplyAdd(g, _oneMinusBeta1, TSimd.Multiply(_beta1, m));
            v = TSimd.FusedMultiplyAdd(TSimd.Multiply(_oneMinusBeta2, g), g, TSimd.Multiply(_beta2, v));
            return v;
        }

        /// <summary>p ← p − step·m / (√v / √(1 − β₂ᵗ) + ε).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Step(TVector p, TVector m, TVector v)
        {
            TVector denominator = TSimd.Add(TSimd.Divide(TSimd.Sqrt(v), _biasCorrection2Sqrt), _epsilon);
            return TSimd.Add(p, TSimd.Divide(TSimd.Multiply(_negativeStepSize, m), denominator));
        }
    }

    private readonly struct Element<TCoupled>(AdamRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
    {
        public static int StateCount => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(AdamRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly Vectors<TSimd, TVector> _c = new(c);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _c.Gradient.Apply<TCoupled>(ref p, ref g);
                TVector v = _c.Moments(g, ref s0, ref s1);
                p = _c.Step(p, s0, v);
            }
        }
    }

    /// <summary>As <see cref="Element{TCoupled}"/> with v̄ ← max(v̄, v) in the denominator.</summary>
    private readonly struct AmsGradElement<TCoupled>(AdamRule<T> c) : IElementwiseUpdate<T>
        where TCoupled : struct, IFlag
    {
        public static int StateCount => 3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nuint Vectors<TSimd, TVector>(in ElementStreams<T> streams, nuint start, nuint length)
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct =>
            ElementwiseLoop<T, TSimd, TVector>.Run(new Kernel<TSimd, TVector>(c), StateCount, streams, start, length);

        private readonly struct Kernel<TSimd, TVector>(AdamRule<T> c) : IVectorUpdate<TVector>
            where TSimd : struct, ISimd<TVector, T>
            where TVector : struct
        {
            private readonly Vectors<TSimd, TVector> _c = new(c);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Apply(ref TVector p, TVector g, ref TVector s0, ref TVector s1, ref TVector s2)
            {
                _c.Gradient.Apply<TCoupled>(ref p, ref g);
                TVector v = _c.Moments(g, ref s0, ref s1);
                s2 = TSimd.Max(s2, v);
                p = _c.Step(p, s0, s2);
            }
        }
    }
}
