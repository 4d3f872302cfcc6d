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
/// The gradient is refilled every 256 calls, as in <see cref="UpdateSweep"/>; the setup checks, on fresh instances, that the
/// three variants compute the same bits.
/// </summary>
[Config(typeof(SweepConfig))]
public class GuardSweep
{
    private const int RefillEvery = 256;

    private float[] _g0 = null!;
    private ScalarsF _scalars = null!;
    private ScalarsFUnguarded _scalarsUnguarded = null!;
    private ArrayF _array = null!;
    private ArrayFUnguarded _arrayUnguarded = null!;
    private float[] _p = null!, _g = null!, _v = null!;   // the hand-written loop's streams
    private readonly List<object> _pads = [];             // the pinned pads and misses Aligned leaves (kept alive)
    private int _untilRefill = RefillEvery;

    [Params(2, 64)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        float[] p0 = Data.Uniform<float>(N, 1, 1.0);
        _g0 = Data.Uniform<float>(N, 2, 0.5);
        CheckSameBits(p0);

        _scalars = new ScalarsF { W = p0[0], B = p0[1] };
        _scalarsUnguarded = new ScalarsFUnguarded { W = p0[0], B = p0[1] };
        _scalars.ApplyGradients();   // builds the state and the coefficients
        _scalarsUnguarded.ApplyGradients();
        _array = new ArrayF { W = Aligned(p0) };
        _array.Grad.W = Aligned(new float[N]);
        _array.ApplyGradients();
        _array.OptimizerState.W.Restore(Aligned(_array.OptimizerState.W.SquareAvg!), null, null);
        _arrayUnguarded = new ArrayFUnguarded { W = _array.W };
        _arrayUnguarded.Grad.W = _array.Grad.W;
        _arrayUnguarded.ApplyGradients();
        _arrayUnguarded.OptimizerState.W.Restore(Aligned(_arrayUnguarded.OptimizerState.W.SquareAvg!), null, null);
        (_p, _g, _v) = N == 2
            ? ((float[])p0.Clone(), new float[N], new float[N])
            : (_array.W, _array.Grad.W, _array.OptimizerState.W.SquareAvg!);
        Refill();
    }

    /// <summary>
    /// A pinned copy of <paramref name="values"/> whose first element is at a 64-byte boundary: each try that misses leaves a
    /// pinned pad behind, 8 bytes longer each time, so the next array starts elsewhere.
    /// </summary>
    private unsafe float[] Aligned(float[] values)
    {
        for (int tries = 0; tries < 64; tries++)
        {
            float[] array = GC.AllocateArray<float>(values.Length, pinned: true);
            if (((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) & 63) == 0)
            {
                values.CopyTo(array, 0);
                return array;
            }

            _pads.Add(array);
            _pads.Add(GC.AllocateArray<byte>(8 * (1 + (tries % 8)), pinned: true));
        }

        throw new InvalidOperationException("No 64-byte-aligned pinned array in 64 tries.");
    }

    /// <summary>Two steps of each variant from the same data, on fresh instances: the same bits, or the setup throws.</summary>
    private void CheckSameBits(float[] p0)
    {
        float[] p = (float[])p0.Clone(), g = new float[N], v = new float[N];
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
            scalars.ApplyGradients();
            scalarsUnguarded.ApplyGradients();
            array.ApplyGradients();
            arrayUnguarded.ApplyGradients();
        }

        float[] guarded = N == 2 ? [scalars.W, scalars.B] : array.W;
        float[] unguarded = N == 2 ? [scalarsUnguarded.W, scalarsUnguarded.B] : arrayUnguarded.W;
        SweepCheck.SameBits<float>(guarded, p, $"p, hand-written vs generated, N = {N}");
        SweepCheck.SameBits<float>(unguarded, p, $"p, hand-written vs generated without the guard, N = {N}");
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

    private void Tick()
    {
        if (--_untilRefill == 0)
        {
            Refill();
            _untilRefill = RefillEvery;
        }
    }

    [Benchmark(Baseline = true)]
    public void HandWritten()
    {
        Tick();
        SweepLoops.HandWrittenPlain(_p, _g, _v);
    }

    [Benchmark]
    public void Guarded()
    {
        Tick();
        if (N == 2) StepScalars(_scalars); else StepArray(_array);
    }

    [Benchmark]
    public void Unguarded()
    {
        Tick();
        if (N == 2) StepScalars(_scalarsUnguarded); else StepArray(_arrayUnguarded);
    }

    // One call per step on each side, as the hand-written loop has: the generated ApplyGradients may be inlined into its
    // caller, and inlined here beside the other size's model it would pay in this method's prologue for that model's
    // registers (six pushed at N = 2, for the N = 64 loop, when both were inlined into one benchmark method).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepScalars(ScalarsF model) => model.ApplyGradients();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepScalars(ScalarsFUnguarded model) => model.ApplyGradients();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepArray(ArrayF model) => model.ApplyGradients();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StepArray(ArrayFUnguarded model) => model.ApplyGradients();
}
