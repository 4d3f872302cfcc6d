using System;
using System.Numerics;

namespace OptimizerGen;

/// <summary>
/// The coefficients of a plain RMSprop step (<see cref="RmsPropCoefficients{T}.IsPlain"/>: no option on), checked once when
/// they are made: v ← ρ·v + (1−ρ)·g² ;  p ← p − lr·g / (√(v + ε_in) + ε_out). The plain step
/// (<see cref="RmsPropState{T}.TryPlainStep"/>) then tests one flag instead of every option on every call; at N = 64 that
/// test was a fifth of the update's instructions.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct RmsPropPlainCoefficients<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RmsPropCoefficients<T> _coefficients;

    private RmsPropPlainCoefficients(in RmsPropCoefficients<T> coefficients)
    {
        _coefficients = coefficients;
        NegativeDirectStep = -coefficients.DirectStep;
        IsPlain = true;
    }

    /// <summary>
    /// The plain coefficients of <paramref name="coefficients"/>; when those are not plain, the default value, whose
    /// <see cref="IsPlain"/> is false and which no plain step runs with.
    /// </summary>
    public static RmsPropPlainCoefficients<T> From(in RmsPropCoefficients<T> coefficients) =>
        coefficients.IsPlain ? new RmsPropPlainCoefficients<T>(coefficients) : default;

    /// <summary>True when made by <see cref="From"/> from plain coefficients; false for the default value.</summary>
    public bool IsPlain { get; }

    /// <summary>
    /// The coefficients these were made from (the general update's, for a step the plain one cannot take); all zero for the
    /// default value, which was made from none.
    /// </summary>
    public RmsPropCoefficients<T> Coefficients => _coefficients;

    /// <summary>ρ.</summary>
    public T Decay => _coefficients.Decay;

    /// <summary>1 − ρ.</summary>
    public T OneMinusDecay => _coefficients.OneMinusDecay;

    /// <summary>ε when it goes inside the root, else 0.</summary>
    public T EpsilonInside => _coefficients.EpsilonInside;

    /// <summary>ε when it goes outside the root, else 0.</summary>
    public T EpsilonOutside => _coefficients.EpsilonOutside;

    /// <summary>−lr: the step is p ← p + (−lr·g)/d, the same bits as p − lr·g/d.</summary>
    public T NegativeDirectStep { get; }

    /// <summary>Throws unless <see cref="IsPlain"/>.</summary>
    internal void CheckPlain()
    {
        if (!IsPlain)
        {
            throw new ArgumentException(
                "These are not plain RMSprop coefficients (the default value, or made from coefficients with an option on): make them with RmsPropPlainCoefficients<T>.From from plain coefficients, or run the general update.",
                "c");
        }
    }
}
