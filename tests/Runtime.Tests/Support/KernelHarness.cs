using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Kernels;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Support;

/// <summary>
/// Runs a few RMSprop steps of one option combination at one length through the runtime (the dispatcher, one SIMD
/// width, or <see cref="RmsPropState{T}"/>) and through <see cref="RmsPropReference"/>, and compares after every step.
/// </summary>
internal static class KernelHarness
{
    /// <summary>Steps per case: enough for the momentum buffer, the gradient average and bias correction to matter.</summary>
    public const int Steps = 3;

    /// <summary>The longest length tested: four whole Vector512s and one element over.</summary>
    public static int MaxLength<T>()
        where T : unmanaged => (4 * Vector512<T>.Count) + 1;

    /// <summary>
    /// Gradient clipping folded into the update: the gradient is multiplied by <paramref name="Factor"/> (a norm-clipping
    /// factor) and clamped to ±<paramref name="MaxValue"/>. The reference is given the gradient clipped beforehand, as
    /// PyTorch's <c>clip_grad_norm_</c> / <c>clip_grad_value_</c> leave it in <c>.grad</c>.
    /// </summary>
    public readonly record struct Clip(double Factor, double? MaxValue)
    {
        public override string ToString() => $" with clipping ×{Factor}, ±{MaxValue?.ToString() ?? "∞"}";
    }

    /// <summary>Step t's coefficients, with <paramref name="clip"/> folded in when given.</summary>
    public static RmsPropCoefficients<T> Coefficients<T>(in RmsProp options, long t, Clip? clip)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        clip is Clip x
            ? RmsPropCoefficients<T>.Create(options, t, new GradientClipping { MaxValue = x.MaxValue }).WithGradientFactor(x.Factor)
            : RmsPropCoefficients<T>.Create(options, t);

    /// <summary>The public entry point, <see cref="RmsPropKernel.Update"/>, which picks the width itself.</summary>
    public static void CheckDispatcher<T>(Combo combo, int n, Clip? clip = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = new KernelCase<T>(combo, n);
        string path = $"RmsPropKernel.Update<{typeof(T).Name}>{clip}";
        for (int t = 1; t <= Steps; t++)
        {
            var info = new CaseInfo(path, combo, n, t);
            k.NextGradient(t, clip);
            var c = Coefficients<T>(k.Options, t, clip);
            RmsPropKernel.Update(k.Span(k.P), k.Span(k.G), k.Span(k.V), k.Span(k.M), k.Span(k.B), c);
            k.ReferenceStep(t);
            k.AssertBuffersMatchReference(info);
            if (k.Diverged)
            {
                break;
            }
        }
    }

    /// <summary>
    /// One width directly: <c>Run</c> at <paramref name="width"/> from 0, then the scalar <c>Run</c> from where it
    /// stopped, as the dispatcher does. Checks the wide pass stops at the last whole vector and leaves the tail
    /// untouched, and the scalar pass leaves the wide pass's elements untouched, so every element is updated exactly
    /// once. Returns false (nothing checked) when the width is not accelerated here.
    /// </summary>
    public static bool CheckWidth<T>(Width width, Combo combo, int n, Clip? clip = null, bool plainTerms = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!SimdRunner.IsHardwareAccelerated<T>(width))
        {
            return false;
        }

        int count = SimdRunner.Count<T>(width);
        var k = new KernelCase<T>(combo, n);
        string path = $"Run<{typeof(T).Name}, {width}> then Run<Scalar>{clip}{(plainTerms ? " (the plain step's loop)" : string.Empty)}";
        string afterWidePass = $"after Run<{width}> (it must not touch the tail)";
        string afterScalarPass = $"after Run<Scalar> (it must not touch what Run<{width}> updated)";
        int wide = n - (n % count);
        T[][] before = k.NewSnapshot();
        T[][] afterWide = k.NewSnapshot();
        for (int t = 1; t <= Steps; t++)
        {
            var info = new CaseInfo(path, combo, n, t);
            k.NextGradient(t, clip);
            var c = Coefficients<T>(k.Options, t, clip);
            var s = new RmsPropKernel.Streams<T>(k.Span(k.P), k.Span(k.G), k.Span(k.V), k.Span(k.M), k.Span(k.B), (nuint)n);
            k.SnapshotInto(before);

            if (plainTerms && !c.IsPlain)
            {
                Assert.Fail($"the plain step's loop needs plain coefficients; {info}");
            }

            nuint done = plainTerms ? SimdRunner.RunPlain(width, s, c, 0) : SimdRunner.Run(width, s, c, 0);
            if (done != (nuint)wide)
            {
                Assert.Fail($"Run<{width}> returned {done}, expected {wide} (whole vectors of {count}); {info}");
            }

            k.AssertUnchanged(before, KernelCase<T>.Lead + wide, k.P.Length, afterWidePass, info);
            Approx.AssertAll<T>(k.Span(k.G)[..wide], T.Zero, afterWidePass, info);

            k.SnapshotInto(afterWide);
            nuint end = plainTerms ? SimdRunner.RunPlain(Width.Scalar, s, c, done) : SimdRunner.Run(Width.Scalar, s, c, done);
            if (end != (nuint)n)
            {
                Assert.Fail($"Run<Scalar> from {done} returned {end}, expected {n}; {info}");
            }

            k.AssertUnchanged(afterWide, 0, KernelCase<T>.Lead + wide, afterScalarPass, info);

            k.ReferenceStep(t);
            k.AssertBuffersMatchReference(info);
            if (k.Diverged)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="RmsPropState{T}.PlainStep"/> through its own dispatcher (so at the widest width this process accelerates, then
    /// the scalar tail), for a combination whose coefficients are plain: step 1 by <see cref="RmsPropState{T}.Update(T[], T[], in RmsPropCoefficients{T}, int)"/>,
    /// which builds v, the rest by the plain step, compared with the reference after each. Returns false, checking nothing,
    /// for a combination that is not plain.
    /// </summary>
    public static bool CheckPlainStep<T>(Combo combo, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Coefficients<T>(combo.ToOptions(), 1, null).IsPlain)
        {
            return false;
        }

        var k = new KernelCase<T>(combo, n);
        var state = new RmsPropState<T>();
        T[] p = k.Span(k.P).ToArray(), g = new T[n];
        for (int t = 1; t <= Steps; t++)
        {
            var info = new CaseInfo($"RmsPropState<{typeof(T).Name}>.PlainStep", combo, n, t);
            k.NextGradient(t);
            k.Span(k.G).CopyTo(g);
            var c = Coefficients<T>(k.Options, t, null);
            if (t == 1)
            {
                state.Update(p, g, c);
            }
            else
            {
                // Every other step through TryPlainStep, the one-array models' single call: the same loop, inlined.
                Assert.True(state.IsReadyForPlainStep(p, g, threads: 1), info.ToString());
                var plain = RmsPropPlainCoefficients<T>.From(c);
                Assert.True(plain.IsPlain, info.ToString());
                if (t % 2 == 0)
                {
                    state.PlainStep(p, g, plain);
                }
                else
                {
                    Assert.True(state.TryPlainStep(p, g, plain, threads: 1), info.ToString());
                }
            }

            k.ReferenceStep(t);
            Approx.AssertClose<T>(k.RefP, p, "parameter", info);
            Approx.AssertAll<T>(g, T.Zero, "gradient", info);
            Approx.AssertClose<T>(k.RefV, state.SquareAvg!, "SquareAvg", info);
            if (k.Diverged)
            {
                break;
            }
        }

        return true;
    }

    /// <summary><see cref="RmsPropState{T}.Update"/>: lazily allocated buffers, compared with the reference after each step.</summary>
    public static void CheckState<T>(Combo combo, int n, Clip? clip = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = new KernelCase<T>(combo, n);
        var state = new RmsPropState<T>();
        string path = $"RmsPropState<{typeof(T).Name}>.Update{clip}";
        for (int t = 1; t <= Steps; t++)
        {
            var info = new CaseInfo(path, combo, n, t);
            k.NextGradient(t, clip);
            var c = Coefficients<T>(k.Options, t, clip);
            state.Update(k.Span(k.P), k.Span(k.G), c);
            k.ReferenceStep(t);

            Approx.AssertClose<T>(k.RefP, k.Span(k.P), "parameter", info);
            Approx.AssertAll<T>(k.Span(k.G), T.Zero, "gradient", info);
            k.AssertGuardsIntact(k.P, "parameter", info);
            k.AssertGuardsIntact(k.G, "gradient", info);

            Assert.NotNull(state.SquareAvg);
            Approx.AssertClose<T>(k.RefV, state.SquareAvg, "SquareAvg", info);
            if (combo.Centered)
            {
                Assert.NotNull(state.GradAvg);
                Approx.AssertClose<T>(k.RefM, state.GradAvg, "GradAvg", info);
            }
            else
            {
                Assert.Null(state.GradAvg);
            }

            if (combo.Momentum)
            {
                Assert.NotNull(state.MomentumBuffer);
                Approx.AssertClose<T>(k.RefB, state.MomentumBuffer, "MomentumBuffer", info);
            }
            else
            {
                Assert.Null(state.MomentumBuffer);
            }

            if (k.Diverged)
            {
                break;
            }
        }
    }
}

/// <summary>
/// The arrays of one case. The runtime's arrays have <see cref="Lead"/> guard elements before and a whole Vector512
/// plus one after the span under test (so the span also starts unaligned), all holding <see cref="Sentinel"/>; the
/// reference's arrays are exactly as long as the span. Buffers the options do not use are sentinel throughout, so a
/// kernel that wrote to them is caught.
/// </summary>
internal sealed class KernelCase<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int Lead = 3;

    /// <summary>How much larger or smaller the gradients of steps 1, 2, 3 (then again) are.</summary>
    private static readonly double[] StepFactors = [1.0, 2.5, 0.6];

    private SplitMix _random;
    private readonly double[] _sign;
    private readonly double[] _magnitude;

    public KernelCase(Combo combo, int n)
        : this(combo.ToOptions(), n, seed: combo.Index)
    {
    }

    public KernelCase(RmsProp options, int n, int seed)
    {
        Options = options;
        N = n;
        int total = Lead + n + Vector512<T>.Count + 1;
        P = Guarded(total);
        G = Guarded(total);
        V = Guarded(total);
        M = Guarded(total);
        B = Guarded(total);
        RefP = new T[n];
        RefG = new T[n];
        RefV = new T[n];
        RefM = new T[n];
        RefB = new T[n];

        _random = new SplitMix((ulong)((seed * 1009L) + (n * 2L) + (typeof(T) == typeof(float) ? 0 : 1)));
        _sign = new double[n];
        _magnitude = new double[n];
        T v0 = T.CreateChecked(Options.InitialAccumulatorValue);
        for (int i = 0; i < n; i++)
        {
            _sign[i] = _random.NextSign();
            _magnitude[i] = 0.5 + _random.NextDouble();

            // p's sign is opposite to the (maximized or not) gradient's, so the updates move p away from 0: it never
            // passes near 0, and coupled decay λ·p (|λ·p| ≤ 0.12) never cancels most of g (|g| ≥ 0.24).
            double descent = Options.Maximize ? _sign[i] : -_sign[i];
            RefP[i] = T.CreateChecked(descent * (1 + _random.NextDouble()));
            RefV[i] = v0;
        }

        RefP.CopyTo(Span(P));
        RefV.CopyTo(Span(V));
        if (Options.Centered)
        {
            Span(M).Clear();
        }

        if (Options.Momentum > 0)
        {
            Span(B).Clear();
        }
    }

    public static T Sentinel { get; } = T.CreateChecked(-1234.5);

    public RmsProp Options { get; }

    public int N { get; }

    public T[] P { get; }

    public T[] G { get; }

    public T[] V { get; }

    public T[] M { get; }

    public T[] B { get; }

    public T[] RefP { get; }

    public T[] RefG { get; }

    public T[] RefV { get; }

    public T[] RefM { get; }

    public T[] RefB { get; }

    public Span<T> Span(T[] guarded) => guarded.AsSpan(Lead, N);

    /// <summary>
    /// Step t's gradient: a fixed sign and base magnitude per element (in [0.5, 1.5)), scaled by a factor per step
    /// (1, 2.5, 0.6, …) and a random ±10 %. No gradient or running average crosses 0, so nothing cancels and an
    /// element-wise relative tolerance holds; successive gradients differ enough that the centered variance
    /// v̂ − m̂² is well conditioned after step 1.
    /// </summary>
    public void NextGradient(int t, KernelHarness.Clip? clip = null)
    {
        double factor = StepFactors[(t - 1) % StepFactors.Length];
        for (int i = 0; i < N; i++)
        {
            RefG[i] = T.CreateChecked(_sign[i] * _magnitude[i] * factor * (0.9 + (0.2 * _random.NextDouble())));
        }

        RefG.CopyTo(Span(G));
        if (clip is KernelHarness.Clip x)
        {
            // What clip_grad_norm_ then clip_grad_value_ leave in .grad: g·f in T, then clamped to ±c.
            T f = T.CreateChecked(x.Factor);
            T c = x.MaxValue is double value ? T.CreateChecked(value) : T.PositiveInfinity;
            for (int i = 0; i < N; i++)
            {
                T g = RefG[i] * f;
                RefG[i] = g > c ? c : g < -c ? -c : g;
            }
        }
    }

    /// <summary>
    /// Whether a reference parameter is NaN (a diverged step: with v₀ = 0, bias correction and no clamp, step 1's
    /// centered variance is pure rounding noise and may be negative). Later steps are then not compared.
    /// </summary>
    public bool Diverged
    {
        get
        {
            foreach (T x in RefP)
            {
                if (T.IsNaN(x))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void ReferenceStep(int t) => RmsPropReference.Step(Options, t, RefP, RefG, RefV, RefM, RefB);

    public T[][] NewSnapshot() => [new T[P.Length], new T[P.Length], new T[P.Length], new T[P.Length], new T[P.Length]];

    public void SnapshotInto(T[][] snapshot)
    {
        P.CopyTo(snapshot[0], 0);
        G.CopyTo(snapshot[1], 0);
        V.CopyTo(snapshot[2], 0);
        M.CopyTo(snapshot[3], 0);
        B.CopyTo(snapshot[4], 0);
    }

    public void AssertBuffersMatchReference(in CaseInfo info)
    {
        Approx.AssertClose<T>(RefP, Span(P), "parameter", info);
        Approx.AssertAll<T>(Span(G), T.Zero, "gradient", info);
        Approx.AssertClose<T>(RefV, Span(V), "squareAvg", info);
        if (Options.Centered)
        {
            Approx.AssertClose<T>(RefM, Span(M), "gradAvg", info);
        }
        else
        {
            Approx.AssertAll<T>(M, Sentinel, "gradAvg (not centered: must not be touched)", info);
        }

        if (Options.Momentum > 0)
        {
            Approx.AssertClose<T>(RefB, Span(B), "momentumBuffer", info);
        }
        else
        {
            Approx.AssertAll<T>(B, Sentinel, "momentumBuffer (no momentum: must not be touched)", info);
        }

        AssertGuardsIntact(P, "parameter", info);
        AssertGuardsIntact(G, "gradient", info);
        AssertGuardsIntact(V, "squareAvg", info);
        AssertGuardsIntact(M, "gradAvg", info);
        AssertGuardsIntact(B, "momentumBuffer", info);
    }

    public void AssertGuardsIntact(T[] guarded, string what, in CaseInfo info)
    {
        Approx.AssertAll<T>(guarded.AsSpan(0, Lead), Sentinel, $"{what}: guard element before the span, at offset", info);
        Approx.AssertAll<T>(guarded.AsSpan(Lead + N), Sentinel, $"{what}: guard element after the span, at offset", info);
    }

    /// <summary>Every array is bit-identical to <paramref name="snapshot"/> at array indices [from, to).</summary>
    public void AssertUnchanged(T[][] snapshot, int from, int to, string stage, in CaseInfo info)
    {
        AssertUnchanged(snapshot[0], P, from, to, "parameter", stage, info);
        AssertUnchanged(snapshot[1], G, from, to, "gradient", stage, info);
        AssertUnchanged(snapshot[2], V, from, to, "squareAvg", stage, info);
        AssertUnchanged(snapshot[3], M, from, to, "gradAvg", stage, info);
        AssertUnchanged(snapshot[4], B, from, to, "momentumBuffer", stage, info);
    }

    private static void AssertUnchanged(T[] before, T[] now, int from, int to, string name, string stage, in CaseInfo info)
    {
        var was = before.AsSpan(from, to - from);
        var @is = now.AsSpan(from, to - from);
        if (!MemoryMarshal.AsBytes(was).SequenceEqual(MemoryMarshal.AsBytes(@is)))
        {
            Approx.AssertIdentical<T>(was, @is, $"{stage}: {name} from array offset {from} (the span starts at {Lead}), element", info);
        }
    }

    private static T[] Guarded(int length)
    {
        var array = new T[length];
        array.AsSpan().Fill(Sentinel);
        return array;
    }
}
