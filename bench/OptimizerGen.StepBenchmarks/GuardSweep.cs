using System;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// What the concurrent-use guard costs where it weighs most: the plain float RMSprop update at N = 2 (two scalar fields)
/// and N = 64, generated with the guard (the default) and with <c>[Optimize(…, DetectConcurrentUse = false)]</c>,
/// against the sweep's hand-written loop. Each variant on its own copy of the same data, refilled every 256 calls as in
/// <see cref="UpdateSweep"/>; the setup checks that all three compute the same bits.
/// </summary>
[Config(typeof(SweepConfig))]
public class GuardSweep
{
    private const int RefillEvery = 256;

    private float[] _p0 = null!, _g0 = null!;
    private float[] _p = null!, _g = null!, _v = null!;
    private ScalarsF _scalars = null!;
    private ScalarsFUnguarded _scalarsUnguarded = null!;
    private ArrayF _array = null!;
    private ArrayFUnguarded _arrayUnguarded = null!;
    private int _untilRefill = RefillEvery;

    [Params(2, 64)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _p0 = Data.Uniform<float>(N, 1, 1.0);
        _g0 = Data.Uniform<float>(N, 2, 0.5);
        (_p, _g, _v) = ((float[])_p0.Clone(), new float[N], new float[N]);
        _scalars = new ScalarsF { W = _p0[0], B = _p0[1] };
        _scalarsUnguarded = new ScalarsFUnguarded { W = _p0[0], B = _p0[1] };
        _array = new ArrayF { W = (float[])_p0.Clone() };
        _arrayUnguarded = new ArrayFUnguarded { W = (float[])_p0.Clone() };
        Refill();
        for (int step = 0; step < 2; step++)
        {
            HandWritten();
            Guarded();
            Unguarded();
            Refill();
        }

        float[] guarded = N == 2 ? [_scalars.W, _scalars.B] : _array.W;
        float[] unguarded = N == 2 ? [_scalarsUnguarded.W, _scalarsUnguarded.B] : _arrayUnguarded.W;
        SweepCheck.SameBits<float>(guarded, _p, $"p, hand-written vs generated, N = {N}");
        SweepCheck.SameBits<float>(unguarded, _p, $"p, hand-written vs generated without the guard, N = {N}");
    }

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
    public bool Guarded()
    {
        Tick();
        return N == 2 ? _scalars.ApplyGradients() : _array.ApplyGradients();
    }

    [Benchmark]
    public bool Unguarded()
    {
        Tick();
        return N == 2 ? _scalarsUnguarded.ApplyGradients() : _arrayUnguarded.ApplyGradients();
    }
}
