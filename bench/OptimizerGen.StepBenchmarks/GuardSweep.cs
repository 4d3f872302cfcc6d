using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// The small-N comparison, like for like: the plain float RMSprop update at N = 2 (two scalar fields) and N = 64, generated
/// with the concurrent-use guard (the default) and with <c>[Optimize(…, DetectConcurrentUse = false)]</c>, against the
/// sweep's hand-written loop, each called directly.
/// <para>
/// Placement. At N = 64 the time follows where the three arrays sit: a 512-bit access that crosses a cache line costs more
/// (docs/benchmarks.md, run 9: the hand-written loop alone took 13.1 ns with all three 64-byte aligned and up to 24.5 ns
/// without), and each BenchmarkDotNet process allocates its arrays wherever its heap happens to be. When each side had
/// arrays of its own, a ratio compared two draws of placement rather than two pieces of code. So at N = 64 every stream is a
/// pinned array starting at a 64-byte boundary, in every process: the guarded model's parameter, gradient and v (installed
/// with <c>RmsPropState.Restore</c>), which the hand-written loop runs on too, and the unguarded model's, which shares the
/// parameter and gradient and has an aligned v of its own. At N = 2 the hand-written loop keeps arrays of its own: eight
/// bytes never cross a line.
/// </para>
/// <para>
/// Where the rest sits. The same code runs at different speeds depending on where its objects and its machine code land:
/// at N = 64, 16 placements drawn in one process put the guarded update at 0.63–1.08 of the unguarded one, interleaved
/// (docs/benchmarks.md, "Run 13"), and a BenchmarkDotNet process otherwise puts its objects at the same offsets in every
/// launch (the heap's layout is deterministic: the same low 12 address bits in three processes). So each
/// process draws its own placement (<see cref="Placement"/>): a random number of bytes allocated between the models and the
/// hand-written loop's arrays, and a random amount of optimized code compiled before theirs. One launch is one draw; the
/// suite runs 5 (<see cref="GuardSweepConfig"/>) and reports the median.
/// </para>
/// The gradient is refilled every 256 calls, as in <see cref="UpdateSweep"/>; the setup checks, on fresh instances, that the
/// three variants compute the same bits.
/// </summary>
public abstract class GuardSweep
{
    private const int RefillEvery = 256;

    private float[] _g0 = null!;
    private protected ScalarsF _scalars = null!;
    private protected ScalarsFUnguarded _scalarsUnguarded = null!;
    private protected ArrayF _array = null!;
    private protected ArrayFUnguarded _arrayUnguarded = null!;
    private protected float[] _p = null!, _g = null!, _v = null!;   // the hand-written loop's streams
    private readonly List<object> _pads = [];             // the pinned pads and misses Pinned.Aligned64 leaves (kept alive)
    private int _untilRefill = RefillEvery;

    private protected GuardSweep(int n) => N = n;

    /// <summary>2: two scalar fields (<see cref="GuardSweepScalars"/>); 64: one array (<see cref="GuardSweepArray"/>).</summary>
    public int N { get; }

    [GlobalSetup]
    public void Setup()
    {
        float[] p0 = Data.Uniform<float>(N, 1, 1.0);
        _g0 = Data.Uniform<float>(N, 2, 0.5);
        CheckSameBits(p0);

        var placement = new Placement(_pads);
        _scalars = new ScalarsF { W = p0[0], B = p0[1] };
        placement.Gap();
        _scalarsUnguarded = new ScalarsFUnguarded { W = p0[0], B = p0[1] };
        placement.Gap();
        _scalars.ApplyGradients();   // builds the state and the coefficients
        placement.Gap();
        _scalarsUnguarded.ApplyGradients();
        placement.Gap();
        _array = new ArrayF { W = Pinned.Aligned64(_pads, p0) };
        _array.Grad.W = Pinned.Aligned64(_pads, new float[N]);
        _array.ApplyGradients();
        _array.OptimizerState.W.Restore(Pinned.Aligned64(_pads, _array.OptimizerState.W.SquareAvg!), null, null);
        _arrayUnguarded = new ArrayFUnguarded { W = _array.W };
        _arrayUnguarded.Grad.W = _array.Grad.W;
        _arrayUnguarded.ApplyGradients();
        _arrayUnguarded.OptimizerState.W.Restore(Pinned.Aligned64(_pads, _arrayUnguarded.OptimizerState.W.SquareAvg!), null, null);
        (_p, _g, _v) = N == 2
            ? ((float[])p0.Clone(), placement.Gap(new float[N]), placement.Gap(new float[N]))
            : (_array.W, _array.Grad.W, _array.OptimizerState.W.SquareAvg!);
        Console.WriteLine($"// GuardSweep placement: {placement}");
        Refill();
    }

    /// <summary>Two steps of each variant from the same data, on fresh instances: the same bits, or the setup throws.</summary>
    private void CheckSameBits(float[] p0)
    {
        float[] p = (float[])p0.Clone(), g = new float[N], v = new float[N];
        float[] pUnrolled = (float[])p0.Clone(), gUnrolled = new float[N], vUnrolled = new float[N];
        var scalars = new ScalarsF { W = p0[0], B = p0[1] };
        var scalarsUnguarded = new ScalarsFUnguarded { W = p0[0], B = p0[1] };
        var array = new ArrayF { W = (float[])p0.Clone() };
        var arrayUnguarded = new ArrayFUnguarded { W = (float[])p0.Clone() };
        for (int step = 0; step < 2; step++)
        {
            _g0.AsSpan().CopyTo(g);
            (scalars.Grad.W, scalars.Grad.B) = (_g0[0], _g0[1]);
            (scalarsUnguarded.Grad.W, scalarsUnguarded.Grad.B) = (_g0[0], _g0[1]);
            _g0.AsSpan().CopyTo(array.Grad.W);
            _g0.AsSpan().CopyTo(arrayUnguarded.Grad.W);
            SweepLoops.HandWrittenPlain(p, g, v);
            _g0.AsSpan().CopyTo(gUnrolled);
            SweepLoops.HandWrittenPlainUnrolled(pUnrolled, gUnrolled, vUnrolled);
            scalars.ApplyGradients();
            scalarsUnguarded.ApplyGradients();
            array.ApplyGradients();
            arrayUnguarded.ApplyGradients();
        }

        float[] guarded = N == 2 ? [scalars.W, scalars.B] : array.W;
        float[] unguarded = N == 2 ? [scalarsUnguarded.W, scalarsUnguarded.B] : arrayUnguarded.W;
        SweepCheck.SameBits<float>(guarded, p, $"p, hand-written vs generated, N = {N}");
        SweepCheck.SameBits<float>(unguarded, p, $"p, hand-written vs generated without the guard, N = {N}");
        SweepCheck.SameBits<float>(pUnrolled, p, $"p, hand-written vs hand-written four vectors an iteration, N = {N}");
    }

    /// <summary>Puts the gradient back into every variant's arrays (the update zeroes it).</summary>
    private void Refill()
    {
        _g0.AsSpan().CopyTo(_g);
        (_scalars.Grad.W, _scalars.Grad.B) = (_g0[0], _g0[1]);
        (_scalarsUnguarded.Grad.W, _scalarsUnguarded.Grad.B) = (_g0[0], _g0[1]);
        _g0.AsSpan().CopyTo(_array.Grad.W);
        _g0.AsSpan().CopyTo(_arrayUnguarded.Grad.W);
    }

    private protected void Tick()
    {
        if (--_untilRefill == 0)
        {
            Refill();
            _untilRefill = RefillEvery;
        }
    }

    /// <summary>The baseline of both sizes, the same shape as their generated sides: the refill countdown and one call.</summary>
    [Benchmark(Baseline = true)]
    public void HandWritten()
    {
        Tick();
        SweepLoops.HandWrittenPlain(_p, _g, _v);
    }
}

/// <summary>
/// <see cref="GuardSweep"/> at N = 2: two scalar fields. Each benchmark is the refill countdown and one non-inlined call, the
/// same shape on every side (the generated <c>ApplyGradients</c> is inlined into its call). When the two sizes shared one
/// class, the generated sides chose their model by <c>N</c> on every call and the hand-written side did not: that test cost
/// the guarded update 0.25 ns a step at N = 2 (0.89 against 0.95 of the hand-written loop, 8 launches each; docs/benchmarks.md,
/// "Run 13") and the update without the guard nothing measurable.
/// </summary>
[Config(typeof(GuardSweepConfig))]
public class GuardSweepScalars : GuardSweep
{
    public GuardSweepScalars()
        : base(2)
    {
    }

    [Benchmark]
    public void Guarded()
    {
        Tick();
        Step(_scalars);
    }

    [Benchmark]
    public void Unguarded()
    {
        Tick();
        Step(_scalarsUnguarded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Step(ScalarsF model) => model.ApplyGradients();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Step(ScalarsFUnguarded model) => model.ApplyGradients();
}

/// <summary>
/// <see cref="GuardSweep"/> at N = 64: one array, every stream 64-byte aligned. Each benchmark is the refill countdown and one
/// non-inlined call, as in <see cref="GuardSweepScalars"/>: here <c>ApplyGradients</c> is inlined into the benchmark (as the
/// JIT disassembly shows; it is not forced) and the call is its plain step, which the generator keeps from being inlined
/// for a model with one array so that the array's loop is inlined into it (docs/benchmarks.md, "Run 17"). A wrapper like
/// <see cref="GuardSweepScalars"/>' would add a second call that the hand-written side does not have.
/// </summary>
[Config(typeof(GuardSweepConfig))]
public class GuardSweepArray : GuardSweep
{
    public GuardSweepArray()
        : base(64)
    {
    }

    [Benchmark]
    public void Guarded()
    {
        Tick();
        _array.ApplyGradients();
    }

    /// <summary>
    /// The hand-written loop taking four vectors an iteration, as the generated plain loop does since run 17: not the
    /// baseline (that stays the issue's single-pass loop, one vector an iteration), but the comparison with the same
    /// unrolling on both sides.
    /// </summary>
    [Benchmark]
    public void HandWrittenUnrolled()
    {
        Tick();
        SweepLoops.HandWrittenPlainUnrolled(_p, _g, _v);
    }

    [Benchmark]
    public void Unguarded()
    {
        Tick();
        _arrayUnguarded.ApplyGradients();
    }
}

/// <summary>
/// One process's random placement for <see cref="GuardSweep"/>: gaps of 24–528 bytes (a byte array of 0–504, in steps of 8) between the objects
/// allocated after it, and 0–31 small methods compiled fully optimized first, so that the code compiled after them starts
/// elsewhere. What a BenchmarkDotNet process would otherwise fix the same way in every launch.
/// </summary>
internal sealed class Placement
{
    private readonly Random _random = new();
    private readonly List<object> _keep;
    private readonly List<int> _gaps = [];
    private readonly int _methods;

    public Placement(List<object> keep)
    {
        _keep = keep;
        _methods = _random.Next(32);
        CodePad.Compile<byte>(_methods);
        Gap();
    }

    /// <summary>Allocates a gap of 24–528 bytes (a kept-alive byte array of 0–504), so the next object starts elsewhere.</summary>
    public void Gap()
    {
        int bytes = 8 * _random.Next(64);
        _gaps.Add(bytes);
        _keep.Add(new byte[bytes]);
    }

    /// <summary><paramref name="value"/> (allocated by the caller just before), then a gap after it.</summary>
    public T Gap<T>(T value)
    {
        Gap();
        return value;
    }

    public override string ToString() => $"{_methods} methods compiled first; gaps {string.Join(", ", _gaps)} bytes";
}

/// <summary>Pinned arrays at a 64-byte boundary, for streams whose placement must not vary between processes.</summary>
internal static class Pinned
{
    /// <summary>
    /// A pinned copy of <paramref name="values"/> whose first element is at a 64-byte boundary: each try that misses leaves a
    /// pinned pad behind in <paramref name="keep"/>, 8 bytes longer each time, so the next array starts elsewhere.
    /// </summary>
    public static unsafe float[] Aligned64(List<object> keep, float[] values)
    {
        for (int tries = 0; tries < 64; tries++)
        {
            float[] array = GC.AllocateArray<float>(values.Length, pinned: true);
            if (((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) & 63) == 0)
            {
                values.CopyTo(array, 0);
                return array;
            }

            keep.Add(array);
            keep.Add(GC.AllocateArray<byte>(8 * (1 + (tries % 8)), pinned: true));
        }

        throw new InvalidOperationException("No 64-byte-aligned pinned array in 64 tries.");
    }
}

/// <summary>Distinct fully optimized methods, one per value type <c>Nest&lt;…&gt;</c>, compiled on first call.</summary>
internal static class CodePad
{
    private struct Nest<T>
    {
    }

    public static void Compile<T>(int count)
        where T : struct
    {
        if (count == 0)
        {
            return;
        }

        Filler<T>(count);
        Compile<Nest<T>>(count - 1);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Filler<T>(int seed)
        where T : struct
    {
        int h = seed;
        for (int i = 0; i < 3; i++)
        {
            h = (h * 31) ^ (h >> 3) ^ typeof(T).GetHashCode();
        }

        return h;
    }
}
