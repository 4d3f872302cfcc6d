using System.Collections.Generic;
using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// <c>--loop-experiments</c>: copies of the plain float update loop, changed one way each, timed interleaved in one
/// process against the generated update and the stream ceiling (median wall time of single calls). Used to find out why
/// a target is missed (docs/benchmarks.md); run with <c>DOTNET_JitDisasm</c> to see the loops' code.
/// </summary>
internal static unsafe class LoopExperiments
{
    public static void Run()
    {
        SmallOverhead();
        foreach (int n in new[] { 4_096, 262_144, 16_777_216 })
        {
            int rounds = n >= 1 << 20 ? 25 : 400;
            int callsPerSample = Math.Max(1, (1 << 22) / n);
            var run = new SweepRunner<float>(new SweepCase("float", UpdateKind.Plain, n));
            run.Check();
            // Native 64-byte-aligned buffers: "same offset" puts p, g and v at the same address modulo 4 KiB;
            // "staggered" moves g and v by 1 088 and 2 176 bytes (still 64-byte aligned).
            float* pb = Buffer(n), gb = Buffer(n), vb = Buffer(n);
            float* gs = gb + 272, vs = vb + 544;
            for (int i = 0; i < n; i++)
            {
                pb[i] = 1f;
                gb[i] = gs[i] = 0.001f * ((i % 97) - 48);
            }

            (string Name, Action Call)[] variants =
            [
                ("Generated (model's arrays)", run.Generated),
                ("HandWritten (own arrays)", run.HandWritten),
                ("Stream 3R/2W (own arrays)", run.Stream),
                ("HandWritten, aligned, same offset", () => Plain(pb, gb, vb, n, nonTemporal: false)),
                ("HandWritten, aligned, staggered", () => Plain(pb, gs, vs, n, nonTemporal: false)),
                ("NT stores, aligned, same offset", () => Plain(pb, gb, vb, n, nonTemporal: true)),
                ("NT stores, aligned, staggered", () => Plain(pb, gs, vs, n, nonTemporal: true)),
                ("x2 unrolled, aligned, staggered", () => Unrolled(pb, gs, vs, n)),
            ];
            var samples = variants.Select(_ => new double[rounds]).ToArray();
            for (int warm = 0; warm < 300; warm++)
            {
                foreach (var (_, call) in variants)
                {
                    if (n < 1 << 20 || warm < 3) call();
                }
            }

            for (int r = 0; r < rounds; r++)
            {
                for (int k = 0; k < variants.Length; k++)
                {
                    run.Refill();
                    long t0 = Stopwatch.GetTimestamp();
                    for (int c = 0; c < callsPerSample; c++) variants[k].Call();
                    samples[k][r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / callsPerSample;
                }
            }

            double hand = Median(samples[1]);
            Console.WriteLine($"N = {n}: median ns/call, ratio t_hand-written/t, GB/s (24 B/element; 20 for the stream)");
            for (int k = 0; k < variants.Length; k++)
            {
                double t = Median(samples[k]);
                double bytes = (k == 2 ? 20.0 : 24.0) * n;
                Console.WriteLine($"  {variants[k].Name,-34} {t,14:F1} {hand / t,6:F2} {bytes / t,7:F1}");
            }

            NativeMemory.AlignedFree(pb);
            NativeMemory.AlignedFree(gb);
            NativeMemory.AlignedFree(vb);

            run.Dispose();
        }
    }

    /// <summary>
    /// Where the generated update's fixed cost per call goes at N = 2 and 64: the whole call, and its pieces alone —
    /// the coefficients (<c>RmsPropCoefficients.Create</c>, once per call) and the runtime kernel on the same arrays.
    /// </summary>
    /// <summary>The fixed cost per call at N = 2 and 64, piece by piece (also alone: <c>--small-experiments</c>).</summary>
    public static void SmallOverhead()
    {

        var scalars = new ScalarsF { W = 0.5f, B = -0.5f };
        var array = new ArrayF { W = new float[64] };
        var options = new RmsProp();
        float[] p = new float[64], g = new float[64], v = new float[64], p2 = [0.5f, -0.5f], g2 = new float[2], v2 = new float[2];
        var state = new RmsPropState<float>();
        long step = 0;
        float sink = 0;
        var coefficients = RmsPropCoefficients<float>.Create(options, 1);
        (string Name, Action Call)[] variants =
        [
            ("ScalarsF.ApplyGradients (N = 2)", () => scalars.ApplyGradients()),
            ("the same without the concurrent-use guard", () => WithoutGuard(scalars)),
            ("hand-written loop, float[2]", () => SweepLoops.HandWrittenPlain(p2, g2, v2)),
            ("RmsPropCoefficients<float>.Create only", () => sink += RmsPropCoefficients<float>.Create(options, ++step).Decay),
            ("ArrayF.ApplyGradients (N = 64)", () => array.ApplyGradients()),
            ("the same without the concurrent-use guard", () => WithoutGuard(array)),
            ("RmsPropState.Update, float[64]", () => state.Update(p, g, RmsPropCoefficients<float>.Create(options, 1), 1)),
            ("RmsPropState.Update, float[64], given c", () => state.Update(p, g, coefficients, 1)),
            ("the same on ArrayF's own arrays and state", () => array.OptimizerState.W.Update(array.W, array.Grad.W, coefficients, 1)),
            ("hand-written loop, float[64]", () => SweepLoops.HandWrittenPlain(p, g, v)),
        ];
        const int rounds = 200, calls = 2_000;
        var samples = variants.Select(_ => new double[rounds]).ToArray();
        for (int r = -50; r < rounds; r++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                Action call = variants[k].Call;
                long t0 = Stopwatch.GetTimestamp();
                for (int c = 0; c < calls; c++) call();
                if (r >= 0) samples[k][r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / calls;
            }
        }

        Console.WriteLine($"fixed cost per call (median ns, through a delegate, ~1-2 ns of it the delegate call) {sink > 0}");
        for (int k = 0; k < variants.Length; k++)
        {
            Console.WriteLine($"  {variants[k].Name,-40} {Median(samples[k]),8:F1}");
        }
    }

    /// <summary>
    /// <see cref="GuardSweep"/>'s own benchmark methods (the gradient refilled every 256 calls, as there) timed round by round
    /// in one process (one N per process, as in BenchmarkDotNet, so the JIT's profile of each method sees one model):
    /// the three then share one draw of placement (<see cref="OptimizerGen.StepBenchmarks.Placement"/>), where BenchmarkDotNet gives each benchmark
    /// process its own (docs/benchmarks.md, runs 9 and 13). Median ns per call over 200 samples of 65 536 calls.
    /// </summary>
    public static void GuardSweepInterleaved(int n)
    {
        if (n is not (2 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "GuardSweep has N = 2 (GuardSweepScalars) and N = 64 (GuardSweepArray).");
        }

        Action[] variants;
        if (n == 2)
        {
            var scalars = new GuardSweepScalars();
            scalars.Setup();
            variants = [scalars.HandWritten, scalars.Guarded, scalars.Unguarded];
        }
        else
        {
            var array = new GuardSweepArray();
            array.Setup();
            variants = [array.HandWritten, array.Guarded, array.Unguarded];
        }

        // Each variant is one delegate call of the same shape (void, as in GuardSweep): wrapping two of the three in lambdas (an
        // extra call each) moved the ratios by up to 0.3 when tried.
        double[] t = RoundByRound(variants, callsPerSample: 65_536);
        Console.WriteLine($"GuardSweep interleaved, N = {n}: median ns/call hand-written {t[0]:F2}, guarded {t[1]:F2}, unguarded {t[2]:F2}; t_hand/t: guarded {t[0] / t[1]:F2}, unguarded {t[0] / t[2]:F2}");
    }

    /// <summary>
    /// The median ns per call of each of <paramref name="variants"/>, timed round by round (50 rounds of warm-up, then 200):
    /// each round calls every variant <paramref name="callsPerSample"/> times (a multiple of 16) through a 16-call unrolled
    /// loop, so the host's drift falls on all of them alike.
    /// </summary>
    internal static double[] RoundByRound(Action[] variants, int callsPerSample)
    {
        const int rounds = 200;
        var samples = variants.Select(_ => new double[rounds]).ToArray();
        for (int r = -50; r < rounds; r++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                Action call = variants[k];
                long t0 = Stopwatch.GetTimestamp();
                for (int c = 0; c < callsPerSample / 16; c++)
                {
                    call(); call(); call(); call(); call(); call(); call(); call();
                    call(); call(); call(); call(); call(); call(); call(); call();
                }

                if (r >= 0) samples[k][r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / callsPerSample;
            }
        }

        return samples.Select(Median).ToArray();
    }

    /// <summary>The generated update's body without its guard (the private method the public one calls inside it).</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "__ApplyGradients")]
    private static extern bool WithoutGuard(ScalarsF model);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "__ApplyGradients")]
    private static extern bool WithoutGuard(ArrayF model);

    /// <summary>
    /// <c>--family-experiments</c>: each family optimizer's generated update and hand-written loop at N = 4 096, timed
    /// interleaved (median ns per call over 200 rounds of 200 calls, the gradient refilled before each round); then each
    /// user rule against its built-in at N = 64, 4 096 and 65 536.
    /// </summary>
    public static void Family()
    {
        Console.WriteLine("family at N = 4096: median ns/call generated, hand-written, ratio t_hand/t_generated");
        foreach (FamilyKind kind in Enum.GetValues<FamilyKind>())
        {
            var run = new FamilyRunner(new FamilyCase(kind, 4_096));
            double[] times = Interleaved([run.Generated, run.HandWritten], run.Refill);
            double g = times[0], h = times[1];
            Console.WriteLine($"  {kind,-12} {g,8:F1} {h,8:F1} {h / g,6:F2}");
            run.Dispose();
        }

        Console.WriteLine("user rule vs built-in: median ns/call user rule, built-in, ratio t_built-in/t_user");
        foreach (UserRuleKind kind in Enum.GetValues<UserRuleKind>())
        {
            foreach (int n in (int[])[64, 4_096, 65_536])
            {
                var run = new UserRuleRunner(new UserRuleCase(kind, n));
                double[] times = Interleaved([run.UserRule, run.BuiltIn], run.Refill);
                Console.WriteLine($"  {kind,-8} N={n,-6} {times[0],9:F1} {times[1],9:F1} {times[1] / times[0],6:F2}");
            }
        }
    }

    /// <summary>
    /// <c>--placement-experiments</c>: Adam's generated update at N = 4 096 (four 16 KiB streams) with its state buffers
    /// allocated 0, 1, …, 15 × 256 B after the parameter and gradient arrays (a pad array in between), so the streams'
    /// offsets modulo 4 KiB differ; the hand-written loop on its own arrays alongside. Median ns per call, interleaved.
    /// </summary>
    public static void Placement()
    {
        Console.WriteLine("Adam at N = 4096: pad (B), generated ns, hand-written ns, ratio t_hand/t_generated");
        var runs = new List<(int Pad, FamilyRunner Run, byte[] Keep)>();
        for (int k = 0; k < 16; k++)
        {
            var run = new FamilyRunner(new FamilyCase(FamilyKind.Adam, 4_096));
            byte[] pad = new byte[k * 256];
            run.Generated(); // allocates the state buffers after the pad
            runs.Add((k * 256, run, pad));
        }

        foreach (var (pad, run, keep) in runs)
        {
            double[] times = Interleaved([run.Generated, run.HandWritten], run.Refill);
            Console.WriteLine($"  {pad,5} {times[0],8:F1} {times[1],8:F1} {times[1] / times[0],6:F2}   {keep.Length}");
        }
    }

    /// <summary>
    /// Median ns per call of each variant, over 200 rounds of 200 calls timed in turn, after 300 rounds of warm-up: a
    /// one-array RMSprop model's plain step (one method with the loop inlined) runs tier-0 code, ~240 ns a call at N = 64,
    /// for its first ~60 ms, and with 50 rounds of warm-up the N = 64 user-rule comparison timed that code.
    /// </summary>
    private static double[] Interleaved(Action[] variants, Action refill) =>
        RefilledRounds(variants, refill, warmUpRounds: 300, rounds: 200, calls: 200).Select(Median).ToArray();

    /// <summary>
    /// ns per call of each of <paramref name="variants"/> in each of <paramref name="rounds"/> rounds (after
    /// <paramref name="warmUpRounds"/> not kept): every round runs <paramref name="refill"/> and then
    /// <paramref name="calls"/> calls, variant after variant, so the host's drift falls on all of them alike.
    /// </summary>
    internal static double[][] RefilledRounds(Action[] variants, Action refill, int warmUpRounds, int rounds, int calls)
    {
        var samples = variants.Select(_ => new double[rounds]).ToArray();
        for (int r = -warmUpRounds; r < rounds; r++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                refill();
                long t0 = Stopwatch.GetTimestamp();
                for (int c = 0; c < calls; c++) variants[k]();
                if (r >= 0) samples[k][r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / calls;
            }
        }

        return samples;
    }

    internal static double Median(double[] xs)
    {
        double[] s = xs.OrderBy(x => x).ToArray();
        return s[s.Length / 2];
    }

    /// <summary>A page-aligned native buffer of n floats plus 4 KiB of slack for the staggered offsets.</summary>
    private static float* Buffer(int n) => (float*)NativeMemory.AlignedAlloc((nuint)n * 4 + 4096, 4096);

    /// <summary>The hand-written loop on 64-byte-aligned pointers, with ordinary or non-temporal stores.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Plain(float* pp, float* gp, float* vp, int length, bool nonTemporal)
    {
        nuint n = (nuint)length;
        var negLr = Vector512.Create(-0.01f);
        var a = Vector512.Create(0.99f);
        var oma = Vector512.Create((float)(1 - 0.99));
        var eps = Vector512.Create(1e-8f);
        if (nonTemporal)
        {
            for (nuint i = 0; i + 16 <= n; i += 16)
            {
                var gi = Avx512F.LoadAlignedVector512(gp + i);
                Avx512F.StoreAlignedNonTemporal(gp + i, Vector512<float>.Zero);
                var vi = Vector512.FusedMultiplyAdd(oma * gi, gi, a * Avx512F.LoadAlignedVector512(vp + i));
                Avx512F.StoreAlignedNonTemporal(vp + i, vi);
                Avx512F.StoreAlignedNonTemporal(pp + i, Avx512F.LoadAlignedVector512(pp + i) + negLr * gi / (Vector512.Sqrt(vi) + eps));
            }

            return;
        }

        for (nuint i = 0; i + 16 <= n; i += 16)
        {
            var gi = Vector512.Load(gp + i);
            Vector512<float>.Zero.Store(gp + i);
            var vi = Vector512.FusedMultiplyAdd(oma * gi, gi, a * Vector512.Load(vp + i));
            vi.Store(vp + i);
            (Vector512.Load(pp + i) + negLr * gi / (Vector512.Sqrt(vi) + eps)).Store(pp + i);
        }
    }

    /// <summary>The hand-written loop unrolled ×2 (two vectors per iteration), on pointers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Unrolled(float* pp, float* gp, float* vp, int length)
    {
        nuint n = (nuint)length;
        var negLr = Vector512.Create(-0.01f);
        var a = Vector512.Create(0.99f);
        var oma = Vector512.Create((float)(1 - 0.99));
        var eps = Vector512.Create(1e-8f);
        for (nuint i = 0; i + 32 <= n; i += 32)
        {
            var g0 = Vector512.Load(gp + i);
            var g1 = Vector512.Load(gp + i + 16);
            Vector512<float>.Zero.Store(gp + i);
            Vector512<float>.Zero.Store(gp + i + 16);
            var v0 = Vector512.FusedMultiplyAdd(oma * g0, g0, a * Vector512.Load(vp + i));
            var v1 = Vector512.FusedMultiplyAdd(oma * g1, g1, a * Vector512.Load(vp + i + 16));
            v0.Store(vp + i);
            v1.Store(vp + i + 16);
            (Vector512.Load(pp + i) + negLr * g0 / (Vector512.Sqrt(v0) + eps)).Store(pp + i);
            (Vector512.Load(pp + i + 16) + negLr * g1 / (Vector512.Sqrt(v1) + eps)).Store(pp + i + 16);
        }
    }
}
