using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace OptimizerGen;

/// <summary>
/// Gradient clipping applied by every update of a model (its generated <c>GradientClipping</c> property): by value
/// (PyTorch <c>clip_grad_value_</c>, Keras <c>clipvalue</c>), by each parameter's norm (Keras <c>clipnorm</c>) or by
/// the norm of all gradients together (PyTorch <c>clip_grad_norm_</c>, Keras <c>global_clipnorm</c>). A value type;
/// <c>default</c> clips nothing.
/// </summary>
/// <remarks>
/// Per step, before the optimizer's own arithmetic and in the same pass over memory:
/// <code>
/// ‖g‖ₚ of each gradient (one read pass, only when a norm limit is set);  total = (Σ ‖g‖ₚᵖ)^(1/p)  (max for p = ∞)
/// f = min(1, MaxGlobalNorm / (total + ε))   or   f = min(1, MaxNorm / (‖g‖ₚ + ε))   (per parameter)
/// g ← f·g ;  g ← clamp(g, −MaxValue, MaxValue)
/// </code>
/// ε is <see cref="NormEpsilon"/>: 1e-6 as in PyTorch; 0 gives Keras' and TensorFlow's <c>c·g / max(‖g‖, c)</c>. The
/// factor is computed in <see cref="double"/> and rounded to the parameter's type. The clipped gradient is what the
/// optimizer sees: maximize flips its sign, coupled weight decay is added to it afterwards — exactly as when
/// <c>clip_grad_norm_</c> (then <c>clip_grad_value_</c>) runs before <c>optimizer.step()</c>. The model's <c>Grad</c>
/// gradient buffers are never rewritten: the update reads them once and zeroes them.
/// </remarks>
public readonly record struct GradientClipping
{
    /// <summary>No clipping (the same as <c>default</c>).</summary>
    public static GradientClipping None => default;

    /// <summary>Clamps every gradient element to [−<paramref name="maxValue"/>, <paramref name="maxValue"/>] (PyTorch <c>clip_grad_value_</c>, Keras <c>clipvalue</c>).</summary>
    public static GradientClipping ByValue(double maxValue) => new() { MaxValue = maxValue };

    /// <summary>Scales each parameter's gradient so its L2 norm is at most <paramref name="maxNorm"/> (Keras <c>clipnorm</c>; TF <c>clip_by_norm</c>: ε = 0).</summary>
    public static GradientClipping ByNorm(double maxNorm) => new() { MaxNorm = maxNorm, NormEpsilon = 0 };

    /// <summary>
    /// Scales all gradients together so their joint <paramref name="normType"/>-norm is at most <paramref name="maxNorm"/>:
    /// PyTorch <c>torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type)</c> (ε = 1e-6).
    /// </summary>
    public static GradientClipping ByGlobalNorm(double maxNorm, double normType = 2) => new() { MaxGlobalNorm = maxNorm, NormType = normType };

    /// <summary>
    /// Largest magnitude a gradient element may have after norm clipping; null (the default) clamps nothing. PyTorch
    /// <c>clip_grad_value_(…, clip_value)</c>, Keras <c>clipvalue</c>. Greater than 0 (∞ allowed, a no-op).
    /// </summary>
    public double? MaxValue
    {
        get;
        init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxValue), value, $"MaxValue must be greater than 0 (or null for no value clipping), but was {value}.");
    }

    /// <summary>
    /// Largest norm each parameter's gradient may have, on its own; null (the default) for none. Keras <c>clipnorm</c>.
    /// Greater than 0. Cannot be combined with <see cref="MaxGlobalNorm"/> (neither in Keras).
    /// </summary>
    public double? MaxNorm
    {
        get;
        init => field = CheckNorm(value, nameof(MaxNorm), MaxGlobalNorm, nameof(MaxGlobalNorm));
    }

    /// <summary>
    /// Largest norm all gradients together may have; null (the default) for none. PyTorch <c>clip_grad_norm_(…,
    /// max_norm)</c>, Keras <c>global_clipnorm</c>. Greater than 0. Cannot be combined with <see cref="MaxNorm"/>.
    /// </summary>
    public double? MaxGlobalNorm
    {
        get;
        init => field = CheckNorm(value, nameof(MaxGlobalNorm), MaxNorm, nameof(MaxNorm));
    }

    /// <summary>
    /// p of the p-norm the norm limits measure: 2 (the default), 1, any p &gt; 0, or ∞ (the largest magnitude).
    /// PyTorch <c>norm_type</c>; Keras always uses 2.
    /// </summary>
    public double NormType
    {
        get => _normType == 0 ? 2 : _normType;
        init => _normType = value > 0 && !double.IsNaN(value) ? value : throw new ArgumentOutOfRangeException(nameof(NormType), value, $"NormType must be greater than 0 (or +∞), but was {value}.");
    }

    private readonly double _normType;

    /// <summary>
    /// ε in the factor min(1, limit / (norm + ε)): 1e-6 (the default) as PyTorch's <c>clip_grad_norm_</c>; 0 gives
    /// Keras' and TensorFlow's limit / max(norm, limit). Finite, ≥ 0.
    /// </summary>
    public double NormEpsilon
    {
        get => _normEpsilon ?? 1e-6;
        init => _normEpsilon = Check.FiniteNonNegative(value, nameof(NormEpsilon));
    }

    private readonly double? _normEpsilon;

    /// <summary>
    /// Throw <see cref="InvalidOperationException"/> instead of updating when the norm of the gradients is NaN or ±∞;
    /// nothing changes, the gradient stays as it was. PyTorch <c>error_if_nonfinite</c>. (To skip such steps instead,
    /// use the model's <c>SkipNonFiniteGradients</c>.)
    /// </summary>
    public bool ErrorIfNonFinite { get; init; }

    /// <summary>Whether a norm limit is set, so the update needs the gradients' norms first (one read pass).</summary>
    public bool ClipsNorm => MaxNorm is not null || MaxGlobalNorm is not null;

    /// <summary>
    /// The p-norm (<see cref="NormType"/>) of one parameter's gradient, accumulated in <see cref="double"/> whatever
    /// <typeparamref name="T"/> is (float gradients are widened chunk by chunk), so one norm over fields of both types
    /// is as accurate as the double ones.
    /// </summary>
    public double Norm<T>(ReadOnlySpan<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double p = NormType;
        if (double.IsPositiveInfinity(p))
        {
            return gradient.IsEmpty ? 0 : double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(gradient)));
        }

        if (p == 2)
        {
            return Math.Sqrt(SumInDouble(gradient, static x => TensorPrimitives.SumOfSquares(x)));
        }

        if (p == 1)
        {
            return SumInDouble(gradient, static x => TensorPrimitives.SumOfMagnitudes(x));
        }

        double sum = 0;
        foreach (T g in gradient)
        {
            sum += Math.Pow(double.Abs(double.CreateTruncating(g)), p);
        }

        return Math.Pow(sum, 1 / p);
    }

    /// <summary><paramref name="sum"/> of <paramref name="x"/> as doubles: directly for double, over widened chunks of 512 otherwise.</summary>
    private static double SumInDouble<T>(ReadOnlySpan<T> x, Func<ReadOnlySpan<double>, double> sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return sum(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(x));
        }

        Span<double> chunk = stackalloc double[512];
        double total = 0;
        for (int start = 0; start < x.Length; start += chunk.Length)
        {
            ReadOnlySpan<T> part = x.Slice(start, Math.Min(chunk.Length, x.Length - start));
            TensorPrimitives.ConvertTruncating(part, chunk[..part.Length]);
            total += sum(chunk[..part.Length]);
        }

        return total;
    }

    /// <summary>The norm of a scalar parameter's gradient: |g|.</summary>
    public double Norm(double gradient) => Math.Abs(gradient);

    /// <summary>
    /// The factor every gradient is scaled by when <see cref="MaxGlobalNorm"/> is set: min(1, MaxGlobalNorm / (total + ε)),
    /// with total the p-norm of the parameters' <paramref name="norms"/>; 1 otherwise. Call it before changing anything:
    /// it is where <see cref="ErrorIfNonFinite"/> throws (for per-parameter limits too).
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="ErrorIfNonFinite"/> is on and the total norm is NaN or ±∞.</exception>
    public double GlobalFactor(ReadOnlySpan<double> norms)
    {
        double p = NormType;
        double total = 0;
        if (double.IsPositiveInfinity(p))
        {
            foreach (double n in norms)
            {
                total = double.IsNaN(n) ? n : Math.Max(total, n);
            }
        }
        else if (p == 2)
        {
            foreach (double n in norms)
            {
                total += n * n;
            }

            total = Math.Sqrt(total);
        }
        else
        {
            foreach (double n in norms)
            {
                total += Math.Pow(n, p);
            }

            total = Math.Pow(total, 1 / p);
        }

        if (ErrorIfNonFinite && !double.IsFinite(total))
        {
            throw new InvalidOperationException(
                $"The total {p}-norm of the gradients is {total}, so they cannot be clipped (GradientClipping.ErrorIfNonFinite is on). " +
                "Nothing was changed; the gradients are as they were.");
        }

        return MaxGlobalNorm is double limit ? Limit(limit, total) : 1;
    }

    /// <summary>
    /// The factor one parameter's gradient is scaled by: <paramref name="globalFactor"/> (from <see cref="GlobalFactor"/>)
    /// times, when <see cref="MaxNorm"/> is set, min(1, MaxNorm / (‖g‖ + ε)) of its own <paramref name="norm"/>.
    /// </summary>
    public double Factor(double norm, double globalFactor) =>
        MaxNorm is double limit ? globalFactor * Limit(limit, norm) : globalFactor;

    /// <summary>min(1, limit / (norm + ε)): NaN when the norm is NaN (as PyTorch's clamp), 0 when it is +∞.</summary>
    private double Limit(double limit, double norm)
    {
        double f = limit / (norm + NormEpsilon);
        return double.IsNaN(f) ? f : Math.Min(f, 1);
    }

    private static double? CheckNorm(double? value, string name, double? other, string otherName)
    {
        if (value is not null and not > 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than 0 (or null for none), but was {value}.");
        }

        if (value is not null && other is not null)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} and {otherName} cannot both be set: clip each parameter's norm or the norm of all of them.");
        }

        return value;
    }
}
