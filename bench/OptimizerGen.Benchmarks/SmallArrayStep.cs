using System;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.Benchmarks;

/// <summary>
/// (b) One float[4096] (16 KiB per stream: p, g and v fit in L1 together). Both variants update the very same arrays
/// (the model's p, Grad and optimizer state), so alignment and placement cannot favour either. ApplyGradients zeroes
/// the gradient, and a step on a zero gradient is not the work we mean to measure (v would decay towards
/// subnormals), so every call first copies a fixed gradient back in: both variants pay exactly the same 16 KiB copy,
/// and <see cref="RefillOnly"/> measures it on its own.
/// </summary>
[MemoryDiagnoser]
public class SmallArrayStep
{
    private const int Length = SmallArray.Length;

    private float[] _source = null!;
    private SmallArray _model = null!;
    private float[] _p = null!;
    private float[] _g = null!;
    private float[] _v = null!;

    [GlobalSetup]
    public void Setup()
    {
        Data.RequireVector512();
        _source = Data.Gradient(Length, seed: 1);
        _model = new SmallArray();
        Data.Gradient(Length, seed: 2).CopyTo(_model.W);
        Data.CheckSameWork(_model.W, _model.Grad.W, () => _model.OptimizerState.W.SquareAvg, () => _model.ApplyGradients(), _source);

        _p = _model.W;
        _g = _model.Grad.W;
        _v = _model.OptimizerState.W.SquareAvg!;
        Console.WriteLine($"// p, g, v start {Data.Misalignment(_p)}, {Data.Misalignment(_g)}, {Data.Misalignment(_v)} bytes past a 64-byte boundary");
    }

    [Benchmark(Baseline = true, Description = "HandWritten")]
    public void HandWrittenLoop()
    {
        _source.AsSpan().CopyTo(_g);
        HandWritten.RmsPropStep(_p, _g, _v, HandWritten.LearningRate, HandWritten.Alpha, HandWritten.OneMinusAlpha, HandWritten.Epsilon);
    }

    [Benchmark]
    public void Generated()
    {
        _source.AsSpan().CopyTo(_g);
        _model.ApplyGradients();
    }

    [Benchmark]
    public void RefillOnly() => _source.AsSpan().CopyTo(_g);
}
