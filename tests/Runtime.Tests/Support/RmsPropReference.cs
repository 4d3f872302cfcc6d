using System;
using System.Numerics;

namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>
/// An independent, element-by-element RMSprop, written from the formulas in <see cref="RmsProp"/>'s remarks and
/// nothing else: it reads the options directly (no <see cref="RmsPropCoefficients{T}"/>, no kernel, no SIMD) and
/// computes in the parameter's type <typeparamref name="T"/>, with the hyperparameter arithmetic in
/// <see cref="double"/> rounded to <typeparamref name="T"/>, as the remarks specify.
/// </summary>
/// <remarks>
/// <para>
/// Two expressions are computed with a single rounding (<c>T.FusedMultiplyAdd</c>) instead of two:
/// <c>g + λ·p</c> and <c>v̂ − m̂²</c>. The second cancels catastrophically whenever the gradients seen so far are equal
/// — at step 1 with bias correction and v₀ = 0, v̂ = g² and m̂ = g exactly, so s = v̂ − m̂² is nothing but rounding
/// noise, and the update divides by √noise + ε. Any correct implementation may produce a different noise there, so a
/// tolerance cannot compare them; a single rounding of both is the one result every correctly rounded fused
/// implementation agrees on, bit for bit, and with it the reference reproduces that noise exactly. The first is
/// single-rounded because it feeds the second. Every other operation is the plain one, and the test compares with a
/// tolerance.
/// </para>
/// <para>
/// Buffers the options do not use (m when not centered, b without momentum) are neither read nor written.
/// </para>
/// </remarks>
public static class RmsPropReference
{
    /// <summary>Runs step <paramref name="t"/> (1-based) over every element, updating p, v, m, b in place and zeroing g.</summary>
    public static void Step<T>(in RmsProp o, long t, T[] p, T[] g, T[] v, T[] m, T[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != p.Length || v.Length != p.Length || m.Length != p.Length || b.Length != p.Length)
        {
            throw new ArgumentException("reference: every array must have the parameter's length");
        }

        // Hyperparameters: arithmetic in double, rounded to T.
        T lr = T.CreateChecked(o.LearningRate);
        T rho = T.CreateChecked(o.Decay);
        T oneMinusRho = T.CreateChecked(1 - o.Decay);
        T eps = T.CreateChecked(o.Epsilon);
        T mu = T.CreateChecked(o.Momentum);
        T lambda = T.CreateChecked(o.WeightDecay);
        T lrTimesLambda = T.CreateChecked(o.LearningRate * o.WeightDecay);
        T correction = T.CreateChecked(1 / (1 - Math.Pow(o.Decay, t)));
        bool useMomentum = o.Momentum > 0;

        for (int i = 0; i < p.Length; i++)
        {
            // g ← maximize ? −g : g
            T gi = o.Maximize ? -g[i] : g[i];
            T pi = p[i];

            if (o.DecoupledWeightDecay)
            {
                // p ← p·(1 − lr·λ)   (PyTorch's AdamW form; Keras' p − lr·λ·p differs by rounding only)
                pi *= T.One - lrTimesLambda;
            }
            else if (o.WeightDecay != 0)
            {
                // g ← g + λ·p   (one rounding; see remarks)
                gi = T.FusedMultiplyAdd(lambda, pi, gi);
            }

            // v ← ρ·v + (1−ρ)·g²
            T vi = (rho * v[i]) + (oneMinusRho * gi * gi);
            v[i] = vi;

            // v̂ = v / (1−ρᵗ)
            T vHat = o.BiasCorrection ? vi * correction : vi;

            T s = vHat;
            if (o.Centered)
            {
                // m ← ρ·m + (1−ρ)·g ;  m̂ = m / (1−ρᵗ) ;  s = v̂ − m̂²  (one rounding; see remarks), clamped at 0 on request
                T mi = (rho * m[i]) + (oneMinusRho * gi);
                m[i] = mi;
                T mHat = o.BiasCorrection ? mi * correction : mi;
                s = T.FusedMultiplyAdd(-mHat, mHat, vHat);
                if (o.ClampCenteredVariance && s < T.Zero)
                {
                    s = T.Zero;
                }
            }

            // d = √(s + ε)  or  √s + ε ;  u = g / d
            T d = o.EpsilonInsideSqrt ? T.Sqrt(s + eps) : T.Sqrt(s) + eps;
            T u = gi / d;

            if (!useMomentum)
            {
                // p ← p − lr·u
                pi -= lr * u;
            }
            else if (o.MomentumStyle == MomentumStyle.LearningRateOutsideBuffer)
            {
                // b ← μ·b + u ;  p ← p − lr·(nesterov ? u + μ·b : b)
                T bi = (mu * b[i]) + u;
                b[i] = bi;
                pi -= lr * (o.Nesterov ? u + (mu * bi) : bi);
            }
            else
            {
                // b ← μ·b + lr·u ;  p ← p − (nesterov ? lr·u + μ·b : b)
                T bi = (mu * b[i]) + (lr * u);
                b[i] = bi;
                pi -= o.Nesterov ? (lr * u) + (mu * bi) : bi;
            }

            p[i] = pi;
            g[i] = T.Zero;
        }
    }
}
