using System;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.Benchmarks;

/// <summary>
/// (a) Two scalar float parameters. Each call writes both gradients (two float stores, the same in both variants:
/// ApplyGradients zeroes them) and applies one step.
/// </summary>
[MemoryDiagnoser]
public class ScalarStep
{
    private TwoScalars _model = null!;
    private TwoScalars.Gradients _grad = null!;

    // The hand-written model: parameters, gradients and square averages as fields.
    private float _w;
    private float _b;
    private float _gradW;
    private float _gradB;
    private float _squareAvgW;
    private float _squareAvgB;

    // Hyperparameters as fields (a hand-written optimizer keeps them somewhere; constants would be folded).
    private float _lr = HandWritten.LearningRate;
    private float _alpha = HandWritten.Alpha;
    private float _oneMinusAlpha = HandWritten.OneMinusAlpha;
    private float _eps = HandWritten.Epsilon;

    // The gradient written before every step.
    private float _sourceW = 0.37f;
    private float _sourceB = -0.81f;

    [GlobalSetup]
    public void Setup()
    {
        _model = new TwoScalars { W = 0.5f, B = -0.25f };
        _grad = _model.Grad;
        _w = 0.5f;
        _b = -0.25f;

        // Three steps each from the same start: the results must be bit-identical.
        for (int i = 0; i < 3; i++)
        {
            Generated();
            HandWrittenInline();
        }

        Data.CheckSameBits([_model.W, _model.B, _model.OptimizerState.W.SquareAvg, _model.OptimizerState.B.SquareAvg], [_w, _b, _squareAvgW, _squareAvgB], "W, B, v");
        Data.CheckZero([_grad.W, _grad.B, _gradW, _gradB], "The gradient");
    }

    [Benchmark(Baseline = true, Description = "HandWritten")]
    public void HandWrittenInline()
    {
        _gradW = _sourceW;
        _gradB = _sourceB;

        // W:  v ← α·v + (1−α)·g² ;  W ← W + (−lr·g) / (√v + ε) ;  g ← 0
        float g = _gradW;
        _gradW = 0f;
        _squareAvgW = float.FusedMultiplyAdd(_oneMinusAlpha * g, g, _alpha * _squareAvgW);
        _w += -_lr * g / (MathF.Sqrt(_squareAvgW) + _eps);

        // B: the same
        g = _gradB;
        _gradB = 0f;
        _squareAvgB = float.FusedMultiplyAdd(_oneMinusAlpha * g, g, _alpha * _squareAvgB);
        _b += -_lr * g / (MathF.Sqrt(_squareAvgB) + _eps);
    }

    [Benchmark]
    public void Generated()
    {
        _grad.W = _sourceW;
        _grad.B = _sourceB;
        _model.ApplyGradients();
    }
}
