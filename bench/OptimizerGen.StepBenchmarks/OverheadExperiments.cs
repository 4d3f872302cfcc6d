using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

using OptimizerGen.Runtime;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// Where the generated update's time goes at N = 64, and what the second thread gives at 16M: variants timed interleaved in
/// one process (median of 200 rounds), each the same shape (a delegate, the refill countdown, one non-inlined call).
/// </summary>
internal static class OverheadExperiments
{
    private const int N = 64;
    private static readonly List<object> Keep = [];

    /// <summary>
    /// <c>--overhead-ladder</c>: the hand-written loop; the runtime's plain step on arrays and coefficients held by one
    /// object (what every generated model ends in, with its checks); then that step with one piece of the generated
    /// model's path added at a time (the step count, the states' own object between the holder and the state, the plain
    /// flag and the gradients' own object, the guard, all of them but the guard); then the generated models. Each process draws its own placement
    /// (<see cref="Placement"/>) and prints where the guarded model's guard lands against its arrays modulo 4 KiB
    /// (<see cref="PrintAliasing"/>); run it several times. <paramref name="rungs"/> (<c>--overhead-ladder 0</c>, or
    /// <c>7,8</c>): only those rungs, by their index in the list, e.g. one alone in its process, as BenchmarkDotNet runs it.
    /// </summary>
    public static void Ladder(int[]? rungs = null)
    {
        float[] g0 = Data.Uniform<float>(N, 2, 0.5);
        var placement = new Placement(Keep);
        float[] p = Pinned.Aligned64(Keep, Data.Uniform<float>(N, 1, 1.0)), g = Pinned.Aligned64(Keep, new float[N]);
        var guarded = new ArrayF { W = p };
        guarded.Grad.W = g;
        guarded.ApplyGradients();
        placement.Gap();
        guarded.OptimizerState.W.Restore(Pinned.Aligned64(Keep, guarded.OptimizerState.W.SquareAvg!), null, null);
        placement.Gap();
        var unguarded = new ArrayFUnguarded { W = p };
        unguarded.Grad.W = g;
        unguarded.ApplyGradients();
        placement.Gap();
        unguarded.OptimizerState.W.Restore(Pinned.Aligned64(Keep, unguarded.OptimizerState.W.SquareAvg!), null, null);
        placement.Gap();
        var holder = new Holder(p, g);
        holder.State.Restore(Pinned.Aligned64(Keep, new float[N]), null, null);
        holder.States.W.Restore(Pinned.Aligned64(Keep, new float[N]), null, null);
        placement.Gap();
        float[] v = Pinned.Aligned64(Keep, new float[N]);
        Console.WriteLine($"// placement: {placement}");
        PrintAliasing(guarded, p, g, guarded.OptimizerState.W.SquareAvg!);

        var refill = new RefillCountdown(g0, g);

        (string Name, Action Call)[] variants =
        [
            ("hand-written", () => { refill.Tick(); SweepLoops.HandWrittenPlain(p, g, v); }),
            ("plain step", () => { refill.Tick(); PlainStep(holder); }),
            ("+ count", () => { refill.Tick(); WithCount(holder); }),
            ("+ states object", () => { refill.Tick(); ThroughStates(holder); }),
            ("+ flag, gradients object", () => { refill.Tick(); WithFlagAndGradients(holder); }),
            ("+ the guard", () => { refill.Tick(); Guarded(holder); }),
            ("+ all four", () => { refill.Tick(); All(holder); }),
            ("generated, guarded", () => { refill.Tick(); guarded.ApplyGradients(); }),   // one call (the plain step), as the others
            ("generated, unguarded", () => { refill.Tick(); unguarded.ApplyGradients(); }),
        ];
        if (rungs is not null)
        {
            variants = rungs.Select(k => variants[k]).ToArray();
        }

        double[] t = LoopExperiments.RoundByRound(variants.Select(v => v.Call).ToArray(), callsPerSample: 65_536);
        Console.WriteLine($"N = 64, median ns/call and t_{variants[0].Name}/t:");
        for (int k = 0; k < variants.Length; k++)
        {
            Console.WriteLine($"  {variants[k].Name,-26} {t[k],6:F2}  {t[0] / t[k],5:F2}");
        }
    }

    /// <summary>
    /// <c>--aliasing-probe</c>: the runtime's plain step at N = 64 with, around it, what the guard does to its <c>Owner</c>
    /// (a load and a test at the start of the call, a store of 1 before the step and of 0 after it) on an int placed two ways
    /// against the three 256-byte arrays: with its address bits 11:0 equal to those of a byte the previous call stored to
    /// (v's first element), or equal to none of them. Interleaved, median ns per call.
    /// </summary>
    public static unsafe void Aliasing()
    {
        float[] g0 = Data.Uniform<float>(N, 2, 0.5);
        float[] p = Pinned.Aligned64(Keep, Data.Uniform<float>(N, 1, 1.0)), g = Pinned.Aligned64(Keep, new float[N]);
        var holder = new Holder(p, g);
        float[] v = Pinned.Aligned64(Keep, new float[N]);
        holder.State.Restore(v, null, null);
        nint[] starts = [Address(p), Address(g), Address(v)];

        // 12 KiB of pinned bytes: any low-12-bit offset is available at least once, away from the arrays themselves.
        byte[] pad = GC.AllocateArray<byte>(3 * 4096, pinned: true);
        Keep.Add(pad);
        nint padStart = Address(pad);
        nint At(int low12)
        {
            nint a = (padStart & ~(nint)4095) + 4096 + low12;
            return a + 4 <= padStart + pad.Length ? a : a - 4096;
        }

        bool Aliases(int low12) => starts.Any(s => ((low12 - (int)(s & 4095)) & 4095) < N * sizeof(float));
        int aliasing = (int)(Address(v) & 4095);
        int clear = Enumerable.Range(0, 4096 / 64).Select(k => k * 64).First(o => !Aliases(o) && !Aliases(o + 60));
        int* aliased = (int*)At(aliasing), apart = (int*)At(clear);

        var refill = new RefillCountdown(g0, g);

        (string Name, Action Call)[] variants =
        [
            ("plain step", () => { refill.Tick(); PlainStep(holder); }),
            ($"+ mark at an aliasing offset (0x{aliasing:X3})", () => { refill.Tick(); Marked(holder, aliased); }),
            ($"+ mark at a clear offset (0x{clear:X3})", () => { refill.Tick(); Marked(holder, apart); }),
        ];
        double[] t = LoopExperiments.RoundByRound(variants.Select(x => x.Call).ToArray(), callsPerSample: 65_536);
        Console.WriteLine($"N = 64, arrays at low-12-bit offsets {string.Join(", ", starts.Select(a => $"0x{a & 4095:X3}"))}; median ns/call:");
        for (int k = 0; k < variants.Length; k++)
        {
            Console.WriteLine($"  {variants[k].Name,-44} {t[k],6:F2}");
        }
    }

    /// <summary>
    /// Where the guarded model's guard sits against its three arrays modulo 4 KiB: the low 12 address bits of the guard's
    /// <c>Owner.InCall</c> (which every call reads and stores), of the model's guard field and of its plain coefficients,
    /// and whether each lies within a 256-byte array's bytes modulo 4 KiB (4 KiB aliasing with the previous call's stores).
    /// </summary>
    private static unsafe void PrintAliasing(ArrayF model, float[] p, float[] g, float[] v)
    {
        nint[] starts = [Address(p), Address(g), Address(v)];
        ref ConcurrentUseGuard guard = ref GuardOf(model);
        ConcurrentUse.Owner owner = OwnerOf(ref guard)!;
        (string Name, nint Address)[] places =
        [
            ("Owner.InCall", (nint)Unsafe.AsPointer(ref InCallOf(owner))),
            ("the model's guard field", (nint)Unsafe.AsPointer(ref guard)),
            ("the plain coefficients", (nint)Unsafe.AsPointer(ref PlainCoefficientsOf(model))),
        ];
        string Aliases(nint a) => starts.Any(s => ((a - s) & 4095) < N * sizeof(float)) ? "on an array's bytes" : "clear";
        Console.WriteLine(
            $"// modulo 4 KiB: arrays at {string.Join(", ", starts.Select(a => $"0x{a & 4095:X3}"))}; " +
            string.Join("; ", places.Select(x => $"{x.Name} 0x{x.Address & 4095:X3} {Aliases(x.Address)}")));
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__concurrentUse")]
    private static extern ref ConcurrentUseGuard GuardOf(ArrayF model);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "__f32Plain")]
    private static extern ref RmsPropPlainCoefficients<float> PlainCoefficientsOf(ArrayF model);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "Owner")]
    private static extern ref ConcurrentUse.Owner? OwnerOf(ref ConcurrentUseGuard guard);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "InCall")]
    private static extern ref int InCallOf(ConcurrentUse.Owner owner);

    private static unsafe nint Address<T>(T[] array) where T : unmanaged => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    // The guard's traffic on its Owner, without the rest of the guard: test the mark, set it, the step, clear it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void Marked(Holder h, int* mark)
    {
        if (Volatile.Read(ref *mark) != 0)
        {
            return;
        }

        Volatile.Write(ref *mark, 1);
        h.State.TryPlainStep(h.P, h.G, in h.Coefficients, 1);
        Volatile.Write(ref *mark, 0);
    }

    /// <summary>
    /// <c>--threads-experiments [N]</c>: the generated float update at N elements (16M unless given) with
    /// <c>UpdateThreads</c> 1 and 2 and the hand-written loop, interleaved (median of 30 rounds of calls worth ~32 ms at
    /// 16M's rate, at least 4), with the spread of the per-round 1→2 ratio.
    /// </summary>
    public static void Threads(int n = 16_777_216)
    {
        var run = UpdateSweep.NewRunner(new SweepCase("float", UpdateKind.Plain, n));
        run.Check();
        Action[] variants = [run.Generated, run.GeneratedThreads2, run.HandWritten];
        const int rounds = 30;
        int calls = Math.Max(4, 4 * (16_777_216 / n));
        double[][] samples = LoopExperiments.RefilledRounds(variants, run.Refill, warmUpRounds: 3, rounds, calls)
            .Select(ns => ns.Select(x => x / 1e6).ToArray()).ToArray();   // ms
        double[] t = samples.Select(LoopExperiments.Median).ToArray();
        double[] perRound = Enumerable.Range(0, rounds).Select(r => samples[0][r] / samples[1][r]).Order().ToArray();
        Console.WriteLine(
            $"N = {n}, median ms/call: UpdateThreads = 1 {t[0]:F4}, = 2 {t[1]:F4}, hand-written {t[2]:F4}; 1 → 2 threads {t[0] / t[1]:F2}× " +
            $"(per round: min {perRound[0]:F2}, median {perRound[rounds / 2]:F2}, max {perRound[^1]:F2})");
        run.Dispose();
    }

    /// <summary>
    /// <c>--sweep-experiments</c>: every <see cref="UpdateSweep"/> case from 4 096 up (plain, momentum, centered, double), the
    /// generated update against the hand-written loop round by round in one process: median of 60 rounds (16M) or 400
    /// rounds (4 096) of t_hand / t per round, so a slow stretch of the host slows both sides of a round alike.
    /// </summary>
    public static void Sweep()
    {
        Console.WriteLine("UpdateSweep cases interleaved: median ns/call generated, hand-written, median per-round t_hand/t (10th–90th percentile)");
        foreach (SweepCase sweepCase in UpdateSweep.Cases().Where(c => c.N >= 4_096))
        {
            using SweepRunner run = UpdateSweep.NewRunner(sweepCase);
            run.Check();
            bool large = sweepCase.N >= 1 << 20;
            int rounds = large ? 60 : 400, calls = large ? 2 : 256;
            Action[] variants = [run.Generated, run.HandWritten];
            double[][] samples = LoopExperiments.RefilledRounds(variants, run.Refill, warmUpRounds: large ? 3 : 40, rounds, calls);
            double[] perRound = Enumerable.Range(0, rounds).Select(r => samples[1][r] / samples[0][r]).Order().ToArray();
            Console.WriteLine(
                $"  {sweepCase,-42} {LoopExperiments.Median(samples[0]),14:N1} {LoopExperiments.Median(samples[1]),14:N1}   {perRound[rounds / 2]:F2} ({perRound[rounds / 10]:F2}–{perRound[rounds - 1 - (rounds / 10)]:F2})");
        }
    }

    // The runtime's plain step alone: the coefficients' IsPlain, the three arrays' null and length checks, the thread
    // count, the state's v, the loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PlainStep(Holder h) => h.State.TryPlainStep(h.P, h.G, in h.Coefficients, 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WithCount(Holder h)
    {
        if (h.State.TryPlainStep(h.P, h.G, in h.Coefficients, 1))
        {
            h.StepCount++;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThroughStates(Holder h) => h.States.W.TryPlainStep(h.P, h.G, in h.Coefficients, 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WithFlagAndGradients(Holder h)
    {
        if (h.PlainFlag)
        {
            h.State.TryPlainStep(h.P, h.Grad.W, in h.Coefficients, 1);
        }
    }

    // The concurrent-use guard around the runtime's step, as the generated ApplyGradients has it: TryEnter, the step, Exit;
    // anything else (the first call, which makes the owner) out of line.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Guarded(Holder h)
    {
        if (ConcurrentUse.TryEnter(ref h.Guard, out var owner, out nint stackMark) && h.State.TryPlainStep(h.P, h.G, in h.Coefficients, 1))
        {
            ConcurrentUse.Exit(owner);
            return;
        }

        GuardedSlow(h, owner, stackMark);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void GuardedSlow(Holder h, ConcurrentUse.Owner? owner, nint stackMark)
    {
        owner ??= ConcurrentUse.Enter(ref h.Guard, stackMark, "Holder");
        try
        {
            h.State.TryPlainStep(h.P, h.G, in h.Coefficients, 1);
        }
        finally
        {
            ConcurrentUse.Exit(owner);
        }
    }

    // What the generated plain step reads, minus the guard: flag, gradients object, states object, thread count, count.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void All(Holder h)
    {
        if (h.PlainFlag && h.States.W.TryPlainStep(h.P, h.Grad.W, in h.Coefficients, h.Threads))
        {
            h.StepCount++;
        }
    }

    /// <summary>Puts the gradient back every 256 calls, as the sweep does (the update zeroes it).</summary>
    private sealed class RefillCountdown(float[] g0, float[] g)
    {
        private int _left = 256;

        public void Tick()
        {
            if (--_left == 0)
            {
                g0.AsSpan().CopyTo(g);
                _left = 256;
            }
        }
    }

    private sealed class Holder(float[] p, float[] g)
    {
        public readonly float[] P = p, G = g;
        public readonly RmsPropState<float> State = new();
        public readonly StatesObject States = new();
        public readonly GradientsObject Grad = new() { W = g };
        public RmsPropPlainCoefficients<float> Coefficients = RmsPropPlainCoefficients<float>.From(RmsPropCoefficients<float>.Create(new RmsProp(), 1));
        public bool PlainFlag = true;
        public int Threads = 1;
        public long StepCount;
        public ConcurrentUseGuard Guard;
    }

    private sealed class StatesObject
    {
        public readonly RmsPropState<float> W = new();
    }

    private sealed class GradientsObject
    {
        public float[] W = null!;
    }
}
