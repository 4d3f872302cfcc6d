using System;
using BenchmarkDotNet.Attributes;
using OptimizerGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// 2. Linear regression over 1 000 000 samples × 16 float features (64 MB of features, made once, deterministic):
/// one step = the mean loss's gradient over all samples, then one RMSprop update (PyTorch's defaults, passed
/// explicitly: lr 0.01, α 0.99, ε 1e-8 outside the root — the same formula in every variant). One step per invocation.
/// </summary>
[Config(typeof(StepConfig))]
public class LinearRegressionStep
{
    public const int Samples = 1_000_000;
    public const int Features = LinearRegression.Features;

    private float[] _x = null!;
    private float[] _y = null!;
    private LinearRegression _model = null!;
    private HandWrittenLinearRegression _handWritten = null!;
    private TorchLinearRegression? _torch;

    /// <summary>PyTorch's RMSprop defaults, set explicitly.</summary>
    private static LinearRegression NewModel() => new()
    {
        Optimizer = new RmsProp { LearningRate = 0.01, Decay = 0.99, Epsilon = 1e-8, EpsilonInsideSqrt = false },
    };

    private void MakeData()
    {
        (_x, _y) = Data.LinearRegression(Samples, Features);
        _model = NewModel();
        _handWritten = new HandWrittenLinearRegression();
    }

    /// <summary>
    /// Three steps of the generated and the scalar hand-written step from zero: the same bits (parameters, state, loss).
    /// The Vector512 variant sums in another order: close, not equal.
    /// </summary>
    private (float[] Parameters, float Loss) CheckManaged()
    {
        LinearRegression generated = NewModel();
        var handWritten = new HandWrittenLinearRegression();
        var vector = new HandWrittenLinearRegression();
        float generatedLoss = 0f, handWrittenLoss = 0f, vectorLoss = 0f;
        for (int step = 0; step < 3; step++)
        {
            generatedLoss = generated.Step(_x, _y);
            handWrittenLoss = handWritten.Step(_x, _y);
            vectorLoss = vector.StepVector512(_x, _y);
        }

        float[] parameters = [.. generated.W, generated.B];
        Data.CheckSameBits(
            [.. parameters, .. generated.OptimizerState.W.SquareAvg!, generated.OptimizerState.B.SquareAvg, generatedLoss],
            [.. handWritten.W, handWritten.B, .. handWritten.SquareAvgW, handWritten.SquareAvgB, handWrittenLoss],
            "W, B, their v and the loss after 3 steps");
        Data.CheckClose([.. vector.W, vector.B, vectorLoss], [.. parameters, generatedLoss], 1e-4f, "Vector512 vs generated W, B, loss after 3 steps");
        Console.WriteLine($"// loss after 3 steps: {generatedLoss}");
        return (parameters, generatedLoss);
    }

    [GlobalSetup(Targets = [nameof(HandWritten), nameof(Generated), nameof(HandWrittenVector512)])]
    public void SetupManaged()
    {
        MakeData();
        WarmUp();
        CheckManaged();
        Console.WriteLine($"// placement: (W − Grad.W) mod 4096 = {OffsetMod4K(_model.W, _model.Grad.W)} B; hand-written (W − its gradient) mod 4096 = {OffsetMod4K(_handWritten.W, _handWritten.GradientForPlacement)} B");
    }

    private static unsafe long OffsetMod4K(float[] a, float[] b)
    {
        fixed (float* pa = a, pb = b)
        {
            return (((long)pa - (long)pb) % 4096 + 4096) % 4096;
        }
    }

    /// <summary>
    /// A step over 1M samples is called only ~40 times by the job, so without this the measured calls would run the
    /// on-stack-replacement (Tier1-OSR) code of the per-sample loop and switch to tier 1 part-way (docs/benchmarks.md).
    /// 300 steps of every managed variant on a 100-sample batch (throwaway models) first — before any 1M-sample step, and
    /// short enough that no call triggers on-stack replacement, so tier 1 is compiled from the instrumented tier's
    /// profile — then a pause for the background JIT: the measured calls run tier-1 code, for every variant alike.
    /// </summary>
    private void WarmUp()
    {
        ReadOnlySpan<float> x = _x.AsSpan(0, 100 * Features), y = _y.AsSpan(0, 100);
        LinearRegression generated = NewModel();
        var handWritten = new HandWrittenLinearRegression();
        var vector = new HandWrittenLinearRegression();
        for (int i = 0; i < 300; i++)
        {
            generated.Step(x, y);
            handWritten.Step(x, y);
            vector.StepVector512(x, y);
        }

        System.Threading.Thread.Sleep(500);
    }

    [GlobalSetup(Target = nameof(TorchSharp1Thread))]
    public void SetupTorch1() => SetupTorch(1);

    [GlobalSetup(Target = nameof(TorchSharp2Threads))]
    public void SetupTorch2() => SetupTorch(2);

    private void SetupTorch(int threads)
    {
        MakeData();
        (float[] parameters, float loss) = CheckManaged();
        torch.set_num_threads(threads);
        Console.WriteLine($"// libtorch threads: {torch.get_num_threads()}");
        _torch = new TorchLinearRegression(_x, _y);
        float torchLoss = 0f;
        for (int step = 0; step < 3; step++)
        {
            torchLoss = _torch.Step();
        }

        // The losses differ by ~5e-4 (relative): Step sums 1M float losses one after another, libtorch sums pairwise.
        Data.CheckClose(_torch.Parameters(), parameters, 1e-5f, "TorchSharp vs generated W, B after 3 steps");
        Data.CheckClose([torchLoss], [loss], 1e-3f * loss, "TorchSharp vs generated loss of step 3");
    }

    [GlobalCleanup]
    public void Cleanup() => _torch?.Dispose();

    [Benchmark(Baseline = true)]
    public float HandWritten() => _handWritten.Step(_x, _y);

    [Benchmark]
    public float Generated() => _model.Step(_x, _y);

    /// <summary>Extra row: the hand-written step with Vector512 (not the same bits; see its summary).</summary>
    [Benchmark]
    public float HandWrittenVector512() => _handWritten.StepVector512(_x, _y);

    [Benchmark]
    public float TorchSharp1Thread() => _torch!.Step();

    [Benchmark]
    public float TorchSharp2Threads() => _torch!.Step();
}

/// <summary>
/// Linear regression in TorchSharp: X a [1 000 000, 16] tensor, y [1 000 000], w [16] and b (0-dim) with
/// requires_grad; loss = ((X @ w + b − y)² / 2).mean(), backward, RMSProp step, zero_grad; temporaries freed by a
/// dispose scope.
/// </summary>
internal sealed class TorchLinearRegression : IDisposable
{
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly Parameter _w = nn.Parameter(zeros(LinearRegression.Features));
    private readonly Parameter _b = nn.Parameter(tensor(0f));
    private readonly optim.Optimizer _optimizer;

    public TorchLinearRegression(float[] x, float[] y)
    {
        _x = tensor(x, [y.Length, LinearRegression.Features]);
        _y = tensor(y);
        _optimizer = optim.RMSProp([_w, _b], lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false);
    }

    public float Step()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor loss = ((_x.matmul(_w) + _b - _y).pow(2) / 2).mean();
        loss.backward();
        _optimizer.step();
        _optimizer.zero_grad();
        return loss.item<float>();
    }

    public float[] Parameters() => [.. _w.data<float>().ToArray(), _b.item<float>()];

    public void Dispose()
    {
        _optimizer.Dispose();
        _w.Dispose();
        _b.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
