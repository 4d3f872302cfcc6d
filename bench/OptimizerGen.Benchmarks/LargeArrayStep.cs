using System;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.Benchmarks;

/// <summary>
/// (c) One float[16 777 216] (64 MiB per stream, far beyond the caches), plus two pure-bandwidth anchors. Every
/// benchmark here works on the very same three arrays (the model's p, Grad and optimizer state), so alignment and
/// page placement cannot favour any of them. One step takes milliseconds, so the gradient is refilled in
/// [IterationSetup], outside the measurement (BDN then runs one call per iteration): every benchmark gets the same
/// 64 MiB refill before its call and starts from the same cache state.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(40)]
public class LargeArrayStep
{
    private const int Length = LargeArray.Length;

    /// <summary>RMSprop step and 3-read/3-write stream: p, g, v read, p, v, g written (4 B each).</summary>
    private const long StepBytes = 24L * Length;

    /// <summary>3-read/2-write stream: 3 reads, 2 writes of 4 B.</summary>
    private const long Stream3Read2WriteBytes = 20L * Length;

    private float[] _source = null!;
    private LargeArray _model = null!;
    private float[] _p = null!;
    private float[] _g = null!;
    private float[] _v = null!;

    [GlobalSetup]
    public void Setup()
    {
        Data.RequireVector512();
        _source = Data.Gradient(Length, seed: 1);
        _model = new LargeArray();
        Data.Gradient(Length, seed: 2).CopyTo(_model.W);
        Data.CheckSameWork(_model.W, _model.Grad.W, () => _model.OptimizerState.W.SquareAvg, () => _model.ApplyGradients(), _source);

        _p = _model.W;
        _g = _model.Grad.W;
        _v = _model.OptimizerState.W.SquareAvg!;
        WarmUpLoops();
        Console.WriteLine($"// p, g, v start {Data.Misalignment(_p)}, {Data.Misalignment(_g)}, {Data.Misalignment(_v)} bytes past a 64-byte boundary");
    }

    /// <summary>
    /// Brings the loops to their final (tier-1) code before BenchmarkDotNet starts timing. With one multi-millisecond
    /// call per iteration, the run is only ~50 calls long; left alone, the first ~30 of them would time tier-0 code
    /// that on-stack replacement patches mid-loop, differently for each variant. The loops are the same methods at
    /// every length (the kernel's generic instantiation, <see cref="HandWritten"/>'s methods), so 4 096-element calls
    /// warm them; the pauses let the tiered-compilation delay pass and the background JIT finish.
    /// </summary>
    private static void WarmUpLoops()
    {
        const int n = SmallArray.Length;
        var model = new SmallArray();
        float[] source = Data.Gradient(n, seed: 3);
        float[] p = new float[n], g = new float[n], v = new float[n];
        float[] a = new float[n], b = new float[n], c = new float[n];
        for (int round = 0; round < 3; round++)
        {
            for (int call = 0; call < 100; call++)
            {
                source.AsSpan().CopyTo(model.Grad.W);
                model.ApplyGradients();
                source.AsSpan().CopyTo(g);
                HandWritten.RmsPropStep(p, g, v, HandWritten.LearningRate, HandWritten.Alpha, HandWritten.OneMinusAlpha, HandWritten.Epsilon);
                HandWritten.Stream3Read2Write(a, b, c);
                HandWritten.Stream3Read3Write(a, b, c);
            }

            Thread.Sleep(300);
        }
    }

    [IterationSetup]
    public void Refill() => _source.AsSpan().CopyTo(_g);

    [Benchmark(Baseline = true, Description = "HandWritten")]
    [BytesMoved(StepBytes)]
    public void HandWrittenLoop() =>
        HandWritten.RmsPropStep(_p, _g, _v, HandWritten.LearningRate, HandWritten.Alpha, HandWritten.OneMinusAlpha, HandWritten.Epsilon);

    [Benchmark]
    [BytesMoved(StepBytes)]
    public void Generated() => _model.ApplyGradients();

    [Benchmark]
    [BytesMoved(Stream3Read2WriteBytes)]
    public void Stream3Read2Write() => HandWritten.Stream3Read2Write(_p, _g, _v);

    [Benchmark]
    [BytesMoved(StepBytes)]
    public void Stream3Read3Write() => HandWritten.Stream3Read3Write(_p, _g, _v);
}
