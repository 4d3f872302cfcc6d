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
            float[] p = Aligned(n), g = Aligned(n), v = Aligned(n);
            for (int i = 0; i < n; i++)
            {
                p[i] = 1f;
                g[i] = 0.001f * ((i % 97) - 48);
            }

            (string Name, Action Call)[] variants =
            [
                ("Generated (model's arrays)", run.Generated),
                ("HandWritten (own arrays)", run.HandWritten),
                ("Stream 3R/2W (own arrays)", run.Stream),
                ("HandWritten, 64-B aligned arrays", () => SweepLoops.HandWrittenPlain(p, g, v)),
                ("HandWritten x2 unrolled, aligned", () => Unrolled(p, g, v)),
                ("HandWritten NT stores, aligned", () => NonTemporal(p, g, v)),
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

            run.Dispose();
        }
    }

    /// <summary>
    /// Where the generated update's fixed cost per call goes at N = 2 and 64: the whole call, and its pieces alone —
    /// the coefficients (<c>RmsPropCoefficients.Create</c>, once per call) and the runtime kernel on the same arrays.
    /// </summary>
    private static void SmallOverhead()
    {
        var scalars = new ScalarsF { W = 0.5f, B = -0.5f };
        var array = new ArrayF { W = new float[64] };
        var options = new RmsProp();
        float[] p = new float[64], g = new float[64], v = new float[64], p2 = [0.5f, -0.5f], g2 = new float[2], v2 = new float[2];
        var state = new RmsPropState<float>();
        long step = 0;
        float sink = 0;
        (string Name, Action Call)[] variants =
        [
            ("ScalarsF.ApplyGradients (N = 2)", () => scalars.ApplyGradients()),
            ("hand-written loop, float[2]", () => SweepLoops.HandWrittenPlain(p2, g2, v2)),
            ("RmsPropCoefficients<float>.Create only", () => sink += RmsPropCoefficients<float>.Create(options, ++step).Decay),
            ("ArrayF.ApplyGradients (N = 64)", () => array.ApplyGradients()),
            ("RmsPropState.Update, float[64]", () => state.Update(p, g, RmsPropCoefficients<float>.Create(options, 1), 1)),
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

    private static double Median(double[] xs)
    {
        double[] s = xs.OrderBy(x => x).ToArray();
        return s[s.Length / 2];
    }

    /// <summary>A pinned array whose data starts on a 64-byte boundary (pinned arrays keep their address).</summary>
    private static float[] Aligned(int n)
    {
        for (int attempt = 0; ; attempt++)
        {
            float[] a = GC.AllocateArray<float>(n, pinned: true);
            if (((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(a)) & 63) == 0)
            {
                return a;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Unrolled(float[] p, float[] g, float[] v)
    {
        nuint n = (nuint)p.Length;
        ref float pRef = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref float vRef = ref MemoryMarshal.GetArrayDataReference(v);
        var negLr = Vector512.Create(-0.01f);
        var a = Vector512.Create(0.99f);
        var oma = Vector512.Create((float)(1 - 0.99));
        var eps = Vector512.Create(1e-8f);
        nuint i = 0;
        for (; i + 32 <= n; i += 32)
        {
            var g0 = Vector512.LoadUnsafe(ref gRef, i);
            var g1 = Vector512.LoadUnsafe(ref gRef, i + 16);
            Vector512<float>.Zero.StoreUnsafe(ref gRef, i);
            Vector512<float>.Zero.StoreUnsafe(ref gRef, i + 16);
            var v0 = Vector512.FusedMultiplyAdd(oma * g0, g0, a * Vector512.LoadUnsafe(ref vRef, i));
            var v1 = Vector512.FusedMultiplyAdd(oma * g1, g1, a * Vector512.LoadUnsafe(ref vRef, i + 16));
            v0.StoreUnsafe(ref vRef, i);
            v1.StoreUnsafe(ref vRef, i + 16);
            (Vector512.LoadUnsafe(ref pRef, i) + negLr * g0 / (Vector512.Sqrt(v0) + eps)).StoreUnsafe(ref pRef, i);
            (Vector512.LoadUnsafe(ref pRef, i + 16) + negLr * g1 / (Vector512.Sqrt(v1) + eps)).StoreUnsafe(ref pRef, i + 16);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NonTemporal(float[] p, float[] g, float[] v)
    {
        nuint n = (nuint)p.Length;
        float* pp = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p));
        float* gp = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(g));
        float* vp = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(v));
        var negLr = Vector512.Create(-0.01f);
        var a = Vector512.Create(0.99f);
        var oma = Vector512.Create((float)(1 - 0.99));
        var eps = Vector512.Create(1e-8f);
        for (nuint i = 0; i + 16 <= n; i += 16)
        {
            var gi = Avx512F.LoadAlignedVector512(gp + i);
            Avx512F.StoreAlignedNonTemporal(gp + i, Vector512<float>.Zero);
            var vi = Vector512.FusedMultiplyAdd(oma * gi, gi, a * Avx512F.LoadAlignedVector512(vp + i));
            Avx512F.StoreAlignedNonTemporal(vp + i, vi);
            Avx512F.StoreAlignedNonTemporal(pp + i, Avx512F.LoadAlignedVector512(pp + i) + negLr * gi / (Vector512.Sqrt(vi) + eps));
        }
    }
}
