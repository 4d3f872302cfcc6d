using System;
using System.Numerics;
using OptimizerGen.Rules;

namespace OptimizerGen;

/// <summary>
/// The per-step constants of one RMSprop update in the parameter's element type, computed once per step from
/// <see cref="RmsProp"/> and the step count (hyperparameter arithmetic in <see cref="double"/>, then rounded to
/// <typeparamref name="T"/>, as libtorch does). Every option becomes a coefficient, so the element loop has no
/// branches on hyperparameter values; only the buffers in use (centered, momentum) select a loop variant.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct RmsPropCoefficients<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The gradient's terms, shared with the other optimizers' rules: g ← clamp(scale·g, −c, c) + λ·p (the maximize sign
    /// and a norm-clipping factor in the scale, <see cref="GradientClipping.MaxValue"/> as c, coupled weight decay) and
    /// p ← p·(1 − lr·λ) (decoupled weight decay).
    /// </summary>
    public GradientTerms<T> Gradient { get; init; }

    /// <summary>ρ.</summary>
    public T Decay { get; init; }

    /// <summary>1 − ρ.</summary>
    public T OneMinusDecay { get; init; }

    /// <summary>Bias correction 1 / (1 − ρᵗ), or 1 when off: v̂ = v·c, m̂ = m·c.</summary>
    public T Correction { get; init; }

    /// <summary>ε when it goes inside the root, else 0: d = √(s + ε_in) + ε_out.</summary>
    public T EpsilonInside { get; init; }

    /// <summary>ε when it goes outside the root, else 0.</summary>
    public T EpsilonOutside { get; init; }

    /// <summary>μ.</summary>
    public T Momentum { get; init; }

    /// <summary>What u = g/d is scaled by entering the buffer: b ← μ·b + gain·u (1 with lr outside, lr inside).</summary>
    public T BufferGain { get; init; }

    /// <summary>How much of the buffer the parameter moves by: p ← p − bufferStep·b − directStep·u.</summary>
    public T BufferStep { get; init; }

    /// <summary>How much of u = g/d the parameter moves by directly (lr without momentum; lr with Nesterov).</summary>
    public T DirectStep { get; init; }

    /// <summary>Whether the centered variance v − m² is used (needs the gradient-average buffer).</summary>
    public bool Centered { get; init; }

    /// <summary>Whether v − m² is clamped at 0 (only with <see cref="Centered"/>).</summary>
    public bool ClampVariance { get; init; }

    /// <summary>Whether the momentum buffer is used (μ &gt; 0).</summary>
    public bool HasMomentum { get; init; }

    /// <summary>
    /// Whether this step is the plain update: the gradient, parameter and average enter unscaled (no maximize, value clamp,
    /// weight decay or bias correction), not centered, no momentum — each framework's preset without options. Code may then
    /// leave out the terms that are exact identities (g·1, p·1, v·1): the results are the same bits. A norm-clipping factor
    /// (<see cref="WithGradientFactor"/>) is the caller's to check.
    /// </summary>
    public bool IsPlain =>
        Gradient.GradientScale == T.One && !Gradient.ClipsValue && !Gradient.HasCoupledDecay && Gradient.ParameterScale == T.One && Correction == T.One && !Centered && !HasMomentum;

    /// <summary>The initial value of the squared-gradient average.</summary>
    public T InitialAccumulatorValue { get; init; }

    /// <summary>The coefficients of step <paramref name="step"/> (1-based) under <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static RmsPropCoefficients<T> Create(in RmsProp options, long step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1L);
        double lr = options.LearningRate, rho = options.Decay, mu = options.Momentum, wd = options.WeightDecay;
        bool momentum = mu > 0;
        bool lrInside = options.MomentumStyle == MomentumStyle.LearningRateInsideBuffer;
        double bufferStep = !momentum ? 0 : options.Nesterov ? (lrInside ? mu : lr * mu) : (lrInside ? 1 : lr);
        double directStep = !momentum || options.Nesterov ? lr : 0;
        return new RmsPropCoefficients<T>
        {
            Gradient = GradientTerms<T>.Create(options.Maximize, lr, wd, options.DecoupledWeightDecay),
            Decay = T.CreateChecked(rho),
            OneMinusDecay = T.CreateChecked(1 - rho),
            Correction = T.CreateChecked(options.BiasCorrection ? 1 / (1 - Math.Pow(rho, step)) : 1),
            EpsilonInside = T.CreateChecked(options.EpsilonInsideSqrt ? options.Epsilon : 0),
            EpsilonOutside = T.CreateChecked(options.EpsilonInsideSqrt ? 0 : options.Epsilon),
            Momentum = T.CreateChecked(mu),
            BufferGain = T.CreateChecked(lrInside ? lr : 1),
            BufferStep = T.CreateChecked(bufferStep),
            DirectStep = T.CreateChecked(directStep),
            Centered = options.Centered,
            ClampVariance = options.Centered && options.ClampCenteredVariance,
            HasMomentum = momentum,
            InitialAccumulatorValue = T.CreateChecked(options.InitialAccumulatorValue),
        };
    }

    /// <summary>
    /// The coefficients of step <paramref name="step"/> under <paramref name="options"/>, with <paramref name="clipping"/>'s
    /// value clamp; norm clipping multiplies in later, per parameter, with <see cref="WithGradientFactor"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public static RmsPropCoefficients<T> Create(in RmsProp options, long step, in GradientClipping clipping)
    {
        RmsPropCoefficients<T> c = Create(options, step);
        return c with { Gradient = c.Gradient.WithClipping(clipping) };
    }

    /// <summary>
    /// The same coefficients for a gradient scaled by <paramref name="factor"/> first (a clipping factor from
    /// <see cref="GradientClipping"/>, computed in <see cref="double"/> and rounded to <typeparamref name="T"/>).
    /// </summary>
    public RmsPropCoefficients<T> WithGradientFactor(double factor) => this with { Gradient = Gradient.WithGradientFactor(factor) };

    /// <summary>The same coefficients with weight decay switched off, for fields marked <see cref="ExcludeFromWeightDecayAttribute"/>.</summary>
    public RmsPropCoefficients<T> WithoutWeightDecay() => this with { Gradient = Gradient.WithoutWeightDecay() };
}
