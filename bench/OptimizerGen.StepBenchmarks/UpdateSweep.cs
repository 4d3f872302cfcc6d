using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OptimizerGen.StepBenchmarks;

/// <summary>One case of the sweep: element type, RMSprop variant and N.</summary>
public sealed record SweepCase(string Type, UpdateKind Kind, int N)
{
    public int ElementSize => Type == "double" ? 8 : 4;

    /// <summary>Arrays one update reads and writes: p, g, v (+ b or m), each read and written once.</summary>
    public int UpdateStreams => Kind == UpdateKind.Plain ? 6 : 8;

    public override string ToString() => $"{Type} {Kind} N={N}";
}

/// <summary>
/// Issue 5's sweep: one RMSprop update at N = 2 (two scalar fields), 64, 4 096, 262 144, 4 194 304 and 16 777 216 float
/// elements (plain), and at N = 2, 4 096 and 16 777 216 for momentum, centered and double; for the generated
/// <c>ApplyGradients</c> (also with <c>UpdateThreads = 2</c>), a naive scalar loop, a hand-written single-pass Vector512
/// loop (the baseline), TensorPrimitives composed as a user would, TorchSharp <c>RMSProp.step()</c> with 1 and 2
/// threads, and a 3-read/2-write stream loop (the bandwidth ceiling). Every variant works on its own copy of the
/// same data; the setup checks that they compute the same numbers (bits for the hand-written loop and the threaded
/// update, closeness for the others). The gradient is refilled every 256 calls (every variant the same way): in
/// between the update runs on g = 0, which does the same arithmetic and traffic while keeping v and b far from
/// subnormals.
/// </summary>
[Config(typeof(SweepConfig))]
public class UpdateSweep
{
    private const int RefillEvery = 256;

    private SweepRunner _run = null!;
    private int _untilRefill = RefillEvery;

    [ParamsSource(nameof(Cases))]
    public SweepCase Case { get; set; } = null!;

    public static IEnumerable<SweepCase> Cases()
    {
        foreach (int n in new[] { 2, 64, 4_096, 262_144, 4_194_304, 16_777_216 })
        {
            yield return new SweepCase("float", UpdateKind.Plain, n);
        }

        foreach (int n in new[] { 4_096, 16_777_216 })
        {
            yield return new SweepCase("float", UpdateKind.Momentum, n);
            yield return new SweepCase("float", UpdateKind.Centered, n);
            yield return new SweepCase("double", UpdateKind.Plain, n);
        }
    }

    internal static SweepRunner NewRunner(SweepCase c) => c.Type == "double" ? new SweepRunner<double>(c) : new SweepRunner<float>(c);

    private void Setup(int? torchThreads, bool check) => _run = Prepare(Case, torchThreads, check);

    /// <summary>
    /// The runner of <paramref name="sweepCase"/>: libtorch limited to <paramref name="torchThreads"/> (null: a process
    /// that measures no TorchSharp variant and so never loads libtorch), the variants checked against each other when
    /// <paramref name="check"/> (in one process per case; against TorchSharp too unless <paramref name="checkTorch"/> is
    /// false), and, for large N, every loop brought to tier-1 code first.
    /// </summary>
    internal static SweepRunner Prepare(SweepCase sweepCase, int? torchThreads, bool check, bool checkTorch = true)
    {
        if (torchThreads is int threads)
        {
            torch.set_num_threads(threads);
            Console.WriteLine($"// torch.get_num_threads() = {torch.get_num_threads()}, Environment.ProcessorCount = {Environment.ProcessorCount}");
        }

        SweepRunner run = NewRunner(sweepCase);
        if (check)
        {
            run.Check(checkTorch); // once per case: in the baseline's process (ThreadsSweep checks the threaded update)
        }

        if (sweepCase.N >= 262_144)
        {
            // One call takes from 20 µs to 50 ms here: bring every loop to tier-1 code on a small case of the same types
            // first, so no measured call runs tier-0 or OSR code (the loops are the same methods at every N).
            SweepRunner small = NewRunner(sweepCase with { N = 4_096 });
            Data.WarmUpOnSmallCase(small.Refill, small.Generated, small.GeneratedThreads2, small.HandWritten, small.Naive, small.TensorPrimitives, small.Stream);

            small.Dispose();
        }

        if (sweepCase.N >= 4_194_304 && torchThreads is not null)
        {
            // Does libtorch really use the threads it was given? Process CPU time over wall time of a few steps.
            var process = Process.GetCurrentProcess();
            TimeSpan cpu0 = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            for (int k = 0; k < 5; k++)
            {
                run.Torch();
            }

            process.Refresh();
            Console.WriteLine($"// TorchSharp with {torchThreads} thread(s): CPU/wall over 5 steps = {(process.TotalProcessorTime - cpu0).TotalMilliseconds / wall.Elapsed.TotalMilliseconds:F2}");
        }

        return run;
    }

    [GlobalSetup(Target = nameof(HandWritten))]
    public void SetupAndCheck() => Setup(1, check: true);

    [GlobalSetup(Targets = [nameof(Generated), nameof(Naive), nameof(TensorPrimitives), nameof(Stream)])]
    public void SetupOnly() => Setup(null, check: false);

    [GlobalSetup(Target = nameof(TorchSharp1))]
    public void SetupOneThread() => Setup(1, check: false);

    [GlobalCleanup]
    public void Cleanup() => _run?.Dispose();

    private void Tick()
    {
        if (--_untilRefill == 0)
        {
            _run.Refill();
            _untilRefill = RefillEvery;
        }
    }

    [Benchmark(Baseline = true)]
    public void HandWritten()
    {
        Tick();
        _run.HandWritten();
    }

    [Benchmark]
    public void Generated()
    {
        Tick();
        _run.Generated();
    }

    [Benchmark]
    public void Naive()
    {
        Tick();
        _run.Naive();
    }

    [Benchmark]
    public void TensorPrimitives()
    {
        Tick();
        _run.TensorPrimitives();
    }

    [Benchmark]
    public void TorchSharp1() => _run.Torch();

    [Benchmark]
    public void Stream()
    {
        Tick();
        _run.Stream();
    }
}

/// <summary>
/// TorchSharp with <c>torch.set_num_threads(2)</c> at every N of the float sweep; compare with <see cref="UpdateSweep"/>'s
/// TorchSharp1 and Generated at the same N. The generated update's second thread is <see cref="ThreadsSweep"/>.
/// </summary>
[Config(typeof(SweepConfig))]
public class UpdateThreadsSweep
{
    private SweepRunner _run = null!;

    [ParamsSource(nameof(Cases))]
    public SweepCase Case { get; set; } = null!;

    public static IEnumerable<SweepCase> Cases() => UpdateSweep.Cases().Where(c => c is { Type: "float", Kind: UpdateKind.Plain });

    [GlobalSetup]
    public void Setup() => _run = UpdateSweep.Prepare(Case, 2, check: false);

    [GlobalCleanup]
    public void Cleanup() => _run?.Dispose();

    [Benchmark]
    public void TorchSharp2() => _run.Torch();
}

/// <summary>
/// The generated float update with <c>UpdateThreads = 2</c> against the same model type with <c>UpdateThreads = 1</c>, in
/// one class, at the sizes where the setting applies (at least <c>RmsPropState.MinParallelLength</c>, 131 072 elements;
/// below it both are the single-threaded update). The setup of the two-thread side checks that its results are
/// bit-identical to one thread's.
/// </summary>
[Config(typeof(SweepConfig))]
public class ThreadsSweep
{
    private const int RefillEvery = 256;

    private SweepRunner _run = null!;
    private int _untilRefill = RefillEvery;

    [ParamsSource(nameof(Cases))]
    public SweepCase Case { get; set; } = null!;

    public static IEnumerable<SweepCase> Cases() => UpdateThreadsSweep.Cases().Where(c => c.N >= RmsPropState<float>.MinParallelLength);

    // Neither process loads libtorch (a process that has loaded it keeps its threads): the check against TorchSharp is made
    // in UpdateSweep's baseline process.
    [GlobalSetup(Target = nameof(GeneratedThreads2))]
    public void SetupAndCheck() => _run = UpdateSweep.Prepare(Case, null, check: true, checkTorch: false);

    [GlobalSetup(Target = nameof(GeneratedThreads1))]
    public void SetupOnly() => _run = UpdateSweep.Prepare(Case, null, check: false);

    [GlobalCleanup]
    public void Cleanup() => _run?.Dispose();

    private void Tick()
    {
        if (--_untilRefill == 0)
        {
            _run.Refill();
            _untilRefill = RefillEvery;
        }
    }

    [Benchmark(Baseline = true)]
    public void GeneratedThreads1()
    {
        Tick();
        _run.Generated();
    }

    [Benchmark]
    public void GeneratedThreads2()
    {
        Tick();
        _run.GeneratedThreads2();
    }
}

/// <summary>Effective bandwidth of a sweep case: the bytes the call must move / mean time (10⁹ B/s).</summary>
public sealed class SweepBandwidthColumn : IColumn
{
    public string Id => nameof(SweepBandwidthColumn);
    public string ColumnName => "GB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Effective bandwidth: N·sizeof(T)·streams / mean time (6 streams plain, 8 with a buffer, 5 for Stream), 10^9 B/s";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (benchmarkCase.Parameters["Case"] is not SweepCase c || mean is not > 0)
        {
            return "-";
        }

        int streams = benchmarkCase.Descriptor.WorkloadMethod.Name switch
        {
            nameof(UpdateSweep.Stream) => 5,
            nameof(UpdateSweep.TorchSharp1) or nameof(UpdateThreadsSweep.TorchSharp2) => c.UpdateStreams - 1, // g is not zeroed
            _ => c.UpdateStreams,
        };
        return ((double)c.N * c.ElementSize * streams / mean!.Value).ToString("F1", CultureInfo.InvariantCulture);
    }
}

/// <summary>The state of one sweep case and its variants (a class per element type; virtual calls cost every variant the same).</summary>
public abstract class SweepRunner : IDisposable
{
    /// <summary>
    /// Two steps of every variant from the same start: the same bits from the hand-written loop and from
    /// <c>UpdateThreads = 2</c>, values within rounding from the others (TorchSharp only when <paramref name="withTorch"/>:
    /// loading libtorch leaves its threads in the process).
    /// </summary>
    public abstract void Check(bool withTorch = true);
    public abstract void Refill();
    public abstract void Generated();
    public abstract void GeneratedThreads2();
    public abstract void HandWritten();
    public abstract void Naive();
    public abstract void TensorPrimitives();
    public abstract void Stream();
    public abstract void Torch();
    public abstract void Dispose();
}

/// <summary>The arrays of one variant: p, g, v and the buffer (b or m; empty for plain).</summary>
internal sealed class SweepArrays<T>(T[] p, T[] g, T[] v, T[] extra)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T[] P = p, G = g, V = v, Extra = extra;
}

public sealed class SweepRunner<T> : SweepRunner
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SweepCase _case;
    private readonly T[] _p0, _g0;
    private readonly IGeneratedModel<T> _model, _modelThreads2;
    private readonly SweepArrays<T> _hand, _naive, _tensor;
    private readonly T[] _scratch;
    private TorchRmsProp<T>? _torch;   // made on first use: a process that measures no TorchSharp variant never loads libtorch

    public SweepRunner(SweepCase c)
    {
        _case = c;
        _p0 = Data.Uniform<T>(c.N, 1, 1.0);
        _g0 = Data.Uniform<T>(c.N, 2, 0.5);
        _model = NewModel(1);
        _modelThreads2 = NewModel(2);
        _hand = NewArrays();
        _naive = NewArrays();
        _tensor = NewArrays();
        _scratch = new T[c.N];
    }

    private TorchRmsProp<T> TorchRun => _torch ??= new TorchRmsProp<T>(_case, _p0, _g0);

    private IGeneratedModel<T> NewModel(int threads)
    {
        IGeneratedModel<T> model = _case.N == 2 ? new ScalarsModel<T>() : new ArrayModel<T>(_case.N);
        model.Set(_p0, SweepCoefficients<T>.Options(_case.Kind), threads);
        model.Refill(_g0);
        return model;
    }

    private SweepArrays<T> NewArrays()
    {
        var arrays = new SweepArrays<T>((T[])_p0.Clone(), (T[])_g0.Clone(), new T[_case.N], new T[_case.Kind == UpdateKind.Plain ? 0 : _case.N]);
        return arrays;
    }

    public override void Check(bool withTorch = true)
    {
        // Two steps from the same start (the refill between them is what the benchmark does every 256 calls).
        for (int step = 0; step < 2; step++)
        {
            Generated();
            GeneratedThreads2();
            HandWritten();
            Naive();
            TensorPrimitives();
            if (withTorch)
            {
                TorchRun.Step();
            }

            Refill();
        }

        T[] p = _model.Parameters(), v = _model.SquareAvg(), extra = _model.Extra(_case.Kind);
        string what = $"{_case} after 2 steps";
        SweepCheck.SameBits<T>(p, _hand.P, "p, hand-written vs generated, " + what);
        SweepCheck.SameBits<T>(v, _hand.V, "v, hand-written vs generated, " + what);
        SweepCheck.SameBits<T>(extra, _hand.Extra, "buffer, hand-written vs generated, " + what);
        SweepCheck.SameBits<T>(p, _modelThreads2.Parameters(), "p, UpdateThreads = 2 vs 1, " + what);
        SweepCheck.SameBits<T>(v, _modelThreads2.SquareAvg(), "v, UpdateThreads = 2 vs 1, " + what);
        SweepCheck.SameBits<T>(extra, _modelThreads2.Extra(_case.Kind), "buffer, UpdateThreads = 2 vs 1, " + what);
        double tol = typeof(T) == typeof(float) ? 1e-5 : 1e-12;
        SweepCheck.Close<T>(p, _naive.P, tol, "p, naive vs generated, " + what);
        SweepCheck.Close<T>(p, _tensor.P, tol, "p, TensorPrimitives vs generated, " + what);
        if (withTorch)
        {
            SweepCheck.Close<T>(p, TorchRun.Parameters(), tol, "p, TorchSharp vs generated, " + what);
        }
    }

    public override void Refill()
    {
        _model.Refill(_g0);
        _modelThreads2.Refill(_g0);
        _g0.AsSpan().CopyTo(_hand.G);
        _g0.AsSpan().CopyTo(_naive.G);
        _g0.AsSpan().CopyTo(_tensor.G);
    }

    public override void Generated() => _model.ApplyGradients();

    public override void GeneratedThreads2() => _modelThreads2.ApplyGradients();

    public override void HandWritten() => SweepLoops.HandWritten(_case.Kind, _hand.P, _hand.G, _hand.V, _hand.Extra);

    public override void Naive() => SweepLoops.Naive(_case.Kind, _naive.P, _naive.G, _naive.V, _naive.Extra);

    public override void TensorPrimitives() => SweepLoops.Tensor(_case.Kind, _tensor.P, _tensor.G, _tensor.V, _tensor.Extra, _scratch);

    public override void Stream() => SweepLoops.Stream(_hand.P, _hand.G, _hand.V);

    public override void Torch() => TorchRun.Step();

    public override void Dispose() => _torch?.Dispose();
}

/// <summary>The generated model of a case, behind one interface (the call is virtual for every variant alike).</summary>
internal interface IGeneratedModel<T>
{
    void Set(T[] p0, RmsProp options, int threads);
    void Refill(T[] g0);
    void ApplyGradients();
    T[] Parameters();
    T[] SquareAvg();
    T[] Extra(UpdateKind kind);
}

internal sealed class ScalarsModel<T> : IGeneratedModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ScalarsF? _f = typeof(T) == typeof(float) ? new ScalarsF() : null;
    private readonly ScalarsD? _d = typeof(T) == typeof(double) ? new ScalarsD() : null;

    public void Set(T[] p0, RmsProp options, int threads)
    {
        if (_f is not null)
        {
            (_f.W, _f.B, _f.Optimizer) = (float.CreateChecked(p0[0]), float.CreateChecked(p0[1]), options); // no UpdateThreads for scalars
        }
        else
        {
            (_d!.W, _d.B, _d.Optimizer) = (double.CreateChecked(p0[0]), double.CreateChecked(p0[1]), options);
        }
    }

    public void Refill(T[] g0)
    {
        if (_f is not null)
        {
            _f.Grad.W = float.CreateChecked(g0[0]);
            _f.Grad.B = float.CreateChecked(g0[1]);
        }
        else
        {
            _d!.Grad.W = double.CreateChecked(g0[0]);
            _d.Grad.B = double.CreateChecked(g0[1]);
        }
    }

    public void ApplyGradients()
    {
        if (_f is not null)
        {
            _f.ApplyGradients();
        }
        else
        {
            _d!.ApplyGradients();
        }
    }

    public T[] Parameters() => _f is not null ? [T.CreateChecked(_f.W), T.CreateChecked(_f.B)] : [T.CreateChecked(_d!.W), T.CreateChecked(_d.B)];

    public T[] SquareAvg() => _f is not null
        ? [T.CreateChecked(_f.OptimizerState.W.SquareAvg), T.CreateChecked(_f.OptimizerState.B.SquareAvg)]
        : [T.CreateChecked(_d!.OptimizerState.W.SquareAvg), T.CreateChecked(_d.OptimizerState.B.SquareAvg)];

    public T[] Extra(UpdateKind kind)
    {
        if (kind == UpdateKind.Plain)
        {
            return [];
        }

        bool momentum = kind == UpdateKind.Momentum;
        return _f is not null
            ? [T.CreateChecked(momentum ? _f.OptimizerState.W.MomentumBuffer : _f.OptimizerState.W.GradAvg), T.CreateChecked(momentum ? _f.OptimizerState.B.MomentumBuffer : _f.OptimizerState.B.GradAvg)]
            : [T.CreateChecked(momentum ? _d!.OptimizerState.W.MomentumBuffer : _d!.OptimizerState.W.GradAvg), T.CreateChecked(momentum ? _d.OptimizerState.B.MomentumBuffer : _d.OptimizerState.B.GradAvg)];
    }
}

internal sealed class ArrayModel<T>(int n) : IGeneratedModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ArrayF? _f = typeof(T) == typeof(float) ? new ArrayF { W = new float[n] } : null;
    private readonly ArrayD? _d = typeof(T) == typeof(double) ? new ArrayD { W = new double[n] } : null;

    public void Set(T[] p0, RmsProp options, int threads)
    {
        if (_f is not null)
        {
            MemoryMarshal.Cast<T, float>(p0).CopyTo(_f.W);
            (_f.Optimizer, _f.UpdateThreads) = (options, threads);
        }
        else
        {
            MemoryMarshal.Cast<T, double>(p0).CopyTo(_d!.W);
            (_d.Optimizer, _d.UpdateThreads) = (options, threads);
        }
    }

    public void Refill(T[] g0)
    {
        if (_f is not null)
        {
            MemoryMarshal.Cast<T, float>(g0).CopyTo(_f.Grad.W);
        }
        else
        {
            MemoryMarshal.Cast<T, double>(g0).CopyTo(_d!.Grad.W);
        }
    }

    public void ApplyGradients()
    {
        if (_f is not null)
        {
            _f.ApplyGradients();
        }
        else
        {
            _d!.ApplyGradients();
        }
    }

    public T[] Parameters() => _f is not null ? (T[])(object)_f.W : (T[])(object)_d!.W;

    public T[] SquareAvg() => _f is not null ? (T[])(object)_f.OptimizerState.W.SquareAvg! : (T[])(object)_d!.OptimizerState.W.SquareAvg!;

    public T[] Extra(UpdateKind kind) => kind switch
    {
        UpdateKind.Plain => [],
        UpdateKind.Momentum => _f is not null ? (T[])(object)_f.OptimizerState.W.MomentumBuffer! : (T[])(object)_d!.OptimizerState.W.MomentumBuffer!,
        _ => _f is not null ? (T[])(object)_f.OptimizerState.W.GradAvg! : (T[])(object)_d!.OptimizerState.W.GradAvg!,
    };
}

/// <summary>
/// The same update in TorchSharp, as a TorchSharp user writes it: the parameters as tensors (two 0-dim tensors at N = 2,
/// one 1-D tensor otherwise) whose <c>.grad</c> holds the gradient, and <c>torch.optim.RMSProp.step()</c> with every
/// hyperparameter passed explicitly. PyTorch's step does not zero the gradient, so it is set once.
/// </summary>
internal sealed class TorchRmsProp<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter[] _parameters;
    private readonly optim.Optimizer _optimizer;

    public TorchRmsProp(SweepCase c, T[] p0, T[] g0)
    {
        ScalarType type = typeof(T) == typeof(float) ? ScalarType.Float32 : ScalarType.Float64;
        Tensor[] values = c.N == 2 ? [Scalar(p0[0], type), Scalar(p0[1], type)] : [Vector(p0, type)];
        Tensor[] grads = c.N == 2 ? [Scalar(g0[0], type), Scalar(g0[1], type)] : [Vector(g0, type)];
        _parameters = new Parameter[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            _parameters[k] = nn.Parameter(values[k]);
            using Tensor loss = (_parameters[k] * grads[k]).sum(); // d loss / d p = g
            loss.backward();
        }

        _optimizer = optim.RMSProp(_parameters, lr: SweepCoefficients<T>.LearningRate, alpha: SweepCoefficients<T>.Alpha, eps: SweepCoefficients<T>.Epsilon,
            weight_decay: 0, momentum: c.Kind == UpdateKind.Momentum ? SweepCoefficients<T>.MomentumValue : 0, centered: c.Kind == UpdateKind.Centered, maximize: false);
    }

    private static Tensor Scalar(T value, ScalarType type) =>
        type == ScalarType.Float32 ? tensor(float.CreateChecked(value)) : tensor(double.CreateChecked(value));

    private static Tensor Vector(T[] values, ScalarType type) =>
        type == ScalarType.Float32 ? tensor((float[])(object)values) : tensor((double[])(object)values);

    public void Step() => _optimizer.step();

    public T[] Parameters()
    {
        var result = new List<T>();
        foreach (Parameter p in _parameters)
        {
            if (typeof(T) == typeof(float))
            {
                foreach (float x in p.data<float>().ToArray()) result.Add(T.CreateChecked(x));
            }
            else
            {
                foreach (double x in p.data<double>().ToArray()) result.Add(T.CreateChecked(x));
            }
        }

        return [.. result];
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        foreach (Parameter p in _parameters)
        {
            p.Dispose();
        }
    }
}

internal static class SweepCheck
{
    public static void SameBits<T>(T[] a, T[] b, string what)
        where T : unmanaged
    {
        if (!MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan())))
        {
            throw new InvalidOperationException($"Not the same bits: {what}.");
        }
    }

    public static void Close<T>(T[] a, T[] b, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double largest = 0;
        if (a.Length != b.Length)
        {
            throw new InvalidOperationException($"{what}: lengths {a.Length} vs {b.Length}.");
        }

        for (int i = 0; i < a.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(double.CreateChecked(a[i] - b[i])));
        }

        Console.WriteLine($"// {what}: largest difference {largest:G3} (tolerance {tolerance:G3})");
        if (!(largest <= tolerance))
        {
            throw new InvalidOperationException($"{what}: differ by {largest}, more than {tolerance}.");
        }
    }
}
