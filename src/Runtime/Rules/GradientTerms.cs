using System.Numerics;
using System.Runtime.CompilerServices;
using OptimizerGen.Simd;

namespace OptimizerGen.Rules;

/// <summary>
/// The terms every built-in rule starts with, in one place: g ← GradientScale·g (the maximize sign; a gradient-clipping
/// factor folds in here too), g ← clamp(g, −c, c) (<see cref="GradientClipping.MaxValue"/>), g ← g + λ·p (coupled weight decay, only in loops compiled with it) and
/// p ← p·(1 − lr·λ) (decoupled weight decay; 1 when off, an exact identity).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct GradientTerms<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>What g is multiplied by first: −1 when maximizing, else 1.</summary>
    public T GradientScale { get; init; }

    /// <summary>Whether the scaled gradient is clamped to ±<see cref="ClipValue"/> (<see cref="GradientClipping.MaxValue"/> is set).</summary>
    public bool ClipsValue { get; init; }

    /// <summary>The clamp bound c: g ← clamp(g, −c, c) when <see cref="ClipsValue"/>.</summary>
    public T ClipValue { get; init; }

    /// <summary>Coupled weight decay λ (0 when off or decoupled): g ← g + λ·p.</summary>
    public T CoupledDecay { get; init; }

    /// <summary>Decoupled weight decay factor 1 − lr·λ (1 when off or coupled): p ← p·(1 − lr·λ).</summary>
    public T ParameterScale { get; init; }

    /// <summary>Whether g is multiplied by something other than 1 (maximize, or a norm-clipping factor below 1).</summary>
    public bool ScalesGradient => GradientScale != T.One;

    /// <summary>Whether coupled decay is on (selects the loop that reads p into g).</summary>
    public bool HasCoupledDecay => CoupledDecay != T.Zero;

    /// <summary>The terms for these options; hyperparameter arithmetic in double, then rounded to <typeparamref name="T"/>.</summary>
    public static GradientTerms<T> Create(bool maximize, double learningRate, double weightDecay, bool decoupled) => new()
    {
        GradientScale = maximize ? -T.One : T.One,
        CoupledDecay = T.CreateChecked(decoupled ? 0 : weightDecay),
        ParameterScale = T.CreateChecked(decoupled ? 1 - (learningRate * weightDecay) : 1),
    };

    /// <summary>The same terms with <paramref name="clipping"/>'s value clamp (norm clipping multiplies in later, per parameter).</summary>
    public GradientTerms<T> WithClipping(in GradientClipping clipping) =>
        clipping.MaxValue is double c ? this with { ClipsValue = true, ClipValue = T.CreateChecked(c) } : this;

    /// <summary>The same terms with the gradient also multiplied by <paramref name="factor"/> (a norm-clipping factor).</summary>
    public GradientTerms<T> WithGradientFactor(double factor) => this with { GradientScale = GradientScale * T.CreateChecked(factor) };

    /// <summary>The same terms with weight decay off (for fields marked <see cref="ExcludeFromWeightDecayAttribute"/>).</summary>
    public GradientTerms<T> WithoutWeightDecay() => this with { CoupledDecay = T.Zero, ParameterScale = T.One };
}

/// <summary>
/// <see cref="GradientTerms{T}"/> broadcast to one vector width, built once before a loop (a rule's kernel holds one), so
/// the loop body reads the terms from registers.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <typeparam name="TSimd">The width's vocabulary.</typeparam>
/// <typeparam name="TVector">The width's register type.</typeparam>
/// <param name="terms">The step's terms.</param>
public readonly struct GradientVectors<T, TSimd, TVector>(in GradientTerms<T> terms)
    where T : unmanaged, IFloatingPointIeee754<T>
    where TSimd : struct, ISimd<TVector, T>
    where TVector : struct
{
    private readonly TVector _scale = TSimd.Broadcast(terms.GradientScale);
    private readonly TVector _low = TSimd.Broadcast(-terms.ClipValue);
    private readonly TVector _high = TSimd.Broadcast(terms.ClipValue);
    private readonly TVector _coupledDecay = TSimd.Broadcast(terms.CoupledDecay);
    private readonly TVector _parameterScale = TSimd.Broadcast(terms.ParameterScale);
    private readonly bool _clips = terms.ClipsValue;

    /// <summary>
    /// g ← scale·g, g ← clamp(g, −c, c) (when clipping by value), g ← g + λ·p (when <typeparamref name="TCoupled"/> is
    /// on), p ← p·(1 − lr·λ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TCoupled>(ref TVector p, ref TVector g)
        where TCoupled : struct, IFlag
    {
        g = TSimd.Multiply(_scale, g);
        if (_clips)
        {
            g = TSimd.Min(TSimd.Max(g, _low), _high);
        }

        if (TCoupled.On)
        {
            g = TSimd.FusedMultiplyAdd(p, _coupledDecay, g);
        }

        p = TSimd.Multiply(p, _parameterScale);
    }

    /// <summary>
    /// Only the gradient's terms, for users' rules (which write their own weight decay): g ← scale·g when
    /// <typeparamref name="TScaled"/> is on (<see cref="GradientTerms{T}.ScalesGradient"/>), then the value clamp when
    /// <typeparamref name="TClamped"/> is on (<see cref="GradientTerms{T}.ClipsValue"/>). The loops compiled without them
    /// do no work for them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ApplyToGradient<TScaled, TClamped>(ref TVector g)
        where TScaled : struct, IFlag
        where TClamped : struct, IFlag
    {
        if (TScaled.On)
        {
            g = TSimd.Multiply(_scale, g);
        }

        if (TClamped.On)
        {
            g = TSimd.Min(TSimd.Max(g, _low), _high);
        }
    }
}
