using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OptimizerGen.StepBenchmarks;

/// <summary>One optimizer of the built-in family (issue 4 item 4).</summary>
public enum FamilyKind
{
    /// <summary>SGD with momentum 0.9 (lr 0.01, dampening 0, no Nesterov).</summary>
    SgdMomentum,

    /// <summary>AdaGrad (lr 0.01, lr_decay 0, ε 1e-10).</summary>
    AdaGrad,

    /// <summary>AdaDelta (lr 1, ρ 0.9, ε 1e-6).</summary>
    AdaDelta,

    /// <summary>Adam (lr 1e-3, β 0.9/0.999, ε 1e-8).</summary>
    Adam,

    /// <summary>AdamW (lr 1e-3, β 0.9/0.999, ε 1e-8, weight decay 0.01).</summary>
    AdamW,
}

/// <summary>One case of the family sweep: optimizer and N (float32).</summary>
public sealed record FamilyCase(FamilyKind Kind, int N)
{
    /// <summary>Arrays one update reads and writes once each: p, g and the state buffers (SGD 1, AdaGrad 1, AdaDelta 2, Adam 2).</summary>
    public int Streams => 2 * (2 + (Kind is FamilyKind.SgdMomentum or FamilyKind.AdaGrad ? 1 : 2));

    public override string ToString() => $"{Kind} N={N}";
}

[Optimize(typeof(Sgd))]
public partial class SgdArrayF
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdaGrad))]
public partial class AdaGradArrayF
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdaDelta))]
public partial class AdaDeltaArrayF
{
    [Param] public float[] W = [];
}

[Optimize(typeof(Adam))]
public partial class AdamArrayF
{
    [Param] public float[] W = [];
}

[Optimize(typeof(AdamW))]
public partial class AdamWArrayF
{
    [Param] public float[] W = [];
}

/// <summary>
/// Issue 4 item 4: each built-in family optimizer's generated <c>ApplyGradients</c> (one float array) at 4 096 and
/// 16 777 216 elements, against a hand-written single-pass Vector512 loop of the same formula (the baseline) and
/// TorchSharp's <c>torch.optim</c> implementation with one thread, every hyperparameter passed explicitly. The setup of
/// each case (in the baseline's process) runs three steps of every variant from the same start and throws unless the
/// hand-written loop gives the generated update's bits and TorchSharp agrees within 1e-5. The gradient is refilled
/// every 256 calls, as in <see cref="UpdateSweep"/>.
/// </summary>
[Config(typeof(SweepConfig))]
public class FamilySweep
{
    private const int RefillEvery = 256;

    private FamilyRunner _run = null!;
    private int _untilRefill = RefillEvery;

    [ParamsSource(nameof(Cases))]
    public FamilyCase Case { get; set; } = null!;

    public static IEnumerable<FamilyCase> Cases()
    {
        foreach (FamilyKind kind in Enum.GetValues<FamilyKind>())
        {
            yield return new FamilyCase(kind, 4_096);
            yield return new FamilyCase(kind, 16_777_216);
        }
    }

    private void Setup(bool check, bool torchSharp)
    {
        if (torchSharp || check)
        {
            torch.set_num_threads(1);
            Console.WriteLine($"// torch.get_num_threads() = {torch.get_num_threads()}");
        }

        _run = new FamilyRunner(Case);
        if (check)
        {
            _run.Check();
        }

        if (Case.N >= 262_144)
        {
            var small = new FamilyRunner(Case with { N = 4_096 });
            Data.WarmUpOnSmallCase(small.Refill, small.Generated, small.HandWritten);
            small.Dispose();
        }
    }

    [GlobalSetup(Target = nameof(HandWritten))]
    public void SetupAndCheck() => Setup(check: true, torchSharp: false);

    [GlobalSetup(Target = nameof(Generated))]
    public void SetupOnly() => Setup(check: false, torchSharp: false);

    [GlobalSetup(Target = nameof(TorchSharp1))]
    public void SetupTorchSharp() => Setup(check: false, torchSharp: true);

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
    public void TorchSharp1() => _run.Torch();
}

/// <summary>The variants of one family case, each on its own copy of the same start.</summary>
public sealed class FamilyRunner : IDisposable
{
    private readonly FamilyCase _case;
    private readonly float[] _p0, _g0;
    private readonly float[] _p, _g, _s0, _s1;
    private readonly FamilyModel _model;
    private (Parameter Parameter, optim.Optimizer Optimizer)? _torch;   // made on first use: see TorchRun
    private long _handStep;

    public FamilyRunner(FamilyCase c)
    {
        _case = c;
        _p0 = Data.Uniform<float>(c.N, 1, 1.0);
        _g0 = Data.Uniform<float>(c.N, 2, 0.5);
        _p = (float[])_p0.Clone();
        _g = (float[])_g0.Clone();
        _s0 = new float[c.N];
        _s1 = new float[c.N];
        _model = new FamilyModel(c.Kind, (float[])_p0.Clone());
        _model.Refill(_g0);
    }

    /// <summary>The TorchSharp variant, made on first use: a process that measures no TorchSharp variant never loads libtorch.</summary>
    private (Parameter Parameter, optim.Optimizer Optimizer) TorchRun => _torch ??= CreateTorch(_case, _p0, _g0);

    private static (Parameter, optim.Optimizer) CreateTorch(FamilyCase c, float[] p0, float[] g0)
    {
        Parameter parameter = nn.Parameter(tensor((float[])p0.Clone()));
        using (Tensor grad = tensor(g0))
        using (Tensor loss = (parameter * grad).sum())
        {
            loss.backward(); // d loss / d p = g; PyTorch's step does not zero .grad, so it stays set
        }

        Parameter[] ps = [parameter];
        optim.Optimizer optimizer = c.Kind switch
        {
            FamilyKind.SgdMomentum => optim.SGD(ps, learningRate: 0.01, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false),
            FamilyKind.AdaGrad => optim.Adagrad(ps, lr: 0.01, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10),
            FamilyKind.AdaDelta => optim.Adadelta(ps, lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false),
            FamilyKind.Adam => optim.Adam(ps, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false),
            _ => optim.AdamW(ps, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, amsgrad: false, maximize: false),
        };
        return (parameter, optimizer);
    }

    /// <summary>Three steps of every variant from the same start (a refill between them, as the benchmark does).</summary>
    public void Check()
    {
        for (int step = 0; step < 3; step++)
        {
            Generated();
            HandWritten();
            TorchRun.Optimizer.step();
            Refill();
        }

        float[] generated = _model.Parameters;
        SweepCheck.SameBits(generated, _p, $"p, hand-written vs generated, {_case} after 3 steps");
        Console.WriteLine($"// {_case}: hand-written and generated give the same bits after 3 steps");
        SweepCheck.Close(generated, TorchRun.Parameter.data<float>().ToArray(), 1e-5, $"p, TorchSharp vs generated, {_case} after 3 steps");
    }

    public void Refill()
    {
        _model.Refill(_g0);
        _g0.AsSpan().CopyTo(_g);
    }

    public void Generated() => _model.ApplyGradients();

    public void HandWritten() => FamilyLoops.Run(_case.Kind, _p, _g, _s0, _s1, ++_handStep);

    public void Torch() => TorchRun.Optimizer.step();

    public void Dispose()
    {
        if (_torch is var (parameter, optimizer))
        {
            optimizer.Dispose();
            parameter.Dispose();
        }
    }
}

/// <summary>The generated model of a family case (one float array), behind one class.</summary>
internal sealed class FamilyModel
{
    private readonly SgdArrayF? _sgd;
    private readonly AdaGradArrayF? _adaGrad;
    private readonly AdaDeltaArrayF? _adaDelta;
    private readonly AdamArrayF? _adam;
    private readonly AdamWArrayF? _adamW;

    public FamilyModel(FamilyKind kind, float[] p)
    {
        switch (kind)
        {
            case FamilyKind.SgdMomentum:
                _sgd = new SgdArrayF { W = p, Optimizer = new Sgd { LearningRate = 0.01, Momentum = 0.9, Dampening = 0, Nesterov = false, WeightDecay = 0 } };
                break;
            case FamilyKind.AdaGrad:
                _adaGrad = new AdaGradArrayF { W = p, Optimizer = new AdaGrad { LearningRate = 0.01, LearningRateDecay = 0, Epsilon = 1e-10, InitialAccumulatorValue = 0, WeightDecay = 0 } };
                break;
            case FamilyKind.AdaDelta:
                _adaDelta = new AdaDeltaArrayF { W = p, Optimizer = new AdaDelta { LearningRate = 1.0, Rho = 0.9, Epsilon = 1e-6, WeightDecay = 0 } };
                break;
            case FamilyKind.Adam:
                _adam = new AdamArrayF { W = p, Optimizer = new Adam { LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8, WeightDecay = 0 } };
                break;
            default:
                _adamW = new AdamWArrayF { W = p, Optimizer = new AdamW { LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8, WeightDecay = 0.01 } };
                break;
        }
    }

    public float[] Parameters => _sgd?.W ?? _adaGrad?.W ?? _adaDelta?.W ?? _adam?.W ?? _adamW!.W;

    private float[] Gradient => _sgd?.Grad.W ?? _adaGrad?.Grad.W ?? _adaDelta?.Grad.W ?? _adam?.Grad.W ?? _adamW!.Grad.W;

    public void Refill(float[] g0) => g0.AsSpan().CopyTo(Gradient);

    public void ApplyGradients()
    {
        if (_sgd is not null) _sgd.ApplyGradients();
        else if (_adaGrad is not null) _adaGrad.ApplyGradients();
        else if (_adaDelta is not null) _adaDelta.ApplyGradients();
        else if (_adam is not null) _adam.ApplyGradients();
        else _adamW!.ApplyGradients();
    }
}

/// <summary>
/// The hand-written baselines: for each optimizer one single-pass Vector512 loop (one vector per iteration) and a scalar
/// tail, the formula of PyTorch's implementation with the hyperparameters of <see cref="FamilyModel"/> as constants,
/// hyperparameter arithmetic in double rounded to float (as libtorch and the generated code do); the gradient is zeroed
/// in the same pass, as the generated update does.
/// </summary>
public static class FamilyLoops
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run(FamilyKind kind, float[] p, float[] g, float[] s0, float[] s1, long step)
    {
        switch (kind)
        {
            case FamilyKind.SgdMomentum: SgdMomentum(p, g, s0, step); break;
            case FamilyKind.AdaGrad: AdaGrad(p, g, s0); break;
            case FamilyKind.AdaDelta: AdaDelta(p, g, s0, s1); break;
            case FamilyKind.Adam: Adam(p, g, s0, s1, step, 0); break;
            default: Adam(p, g, s0, s1, step, 0.01); break;
        }
    }

    /// <summary>b ← μ·b + g (b ← g on the first step) ;  p ← p − lr·b.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SgdMomentum(float[] p, float[] g, float[] b, long step)
    {
        float mu = step == 1 ? 0f : 0.9f, negLr = (float)-0.01;
        var vMu = Vector512.Create(mu);
        var vNegLr = Vector512.Create(negLr);
        ref float pr = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
        ref float br = ref MemoryMarshal.GetArrayDataReference(b);
        nuint n = (nuint)p.Length, i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var gi = Vector512.LoadUnsafe(ref gr, i);
            Vector512<float>.Zero.StoreUnsafe(ref gr, i);
            var bi = Vector512.FusedMultiplyAdd(gi, Vector512<float>.One, vMu * Vector512.LoadUnsafe(ref br, i));
            bi.StoreUnsafe(ref br, i);
            Vector512.FusedMultiplyAdd(bi, vNegLr, Vector512.LoadUnsafe(ref pr, i)).StoreUnsafe(ref pr, i);
        }

        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref gr, i);
            Unsafe.Add(ref gr, i) = 0f;
            float bi = MathF.FusedMultiplyAdd(gi, 1f, mu * Unsafe.Add(ref br, i));
            Unsafe.Add(ref br, i) = bi;
            Unsafe.Add(ref pr, i) = MathF.FusedMultiplyAdd(bi, negLr, Unsafe.Add(ref pr, i));
        }
    }

    /// <summary>s ← s + g² ;  p ← p − lr·g / (√s + ε).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void AdaGrad(float[] p, float[] g, float[] s)
    {
        float negLr = (float)-0.01, eps = (float)1e-10;
        var vNegLr = Vector512.Create(negLr);
        var vEps = Vector512.Create(eps);
        ref float pr = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
        ref float sr = ref MemoryMarshal.GetArrayDataReference(s);
        nuint n = (nuint)p.Length, i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var gi = Vector512.LoadUnsafe(ref gr, i);
            Vector512<float>.Zero.StoreUnsafe(ref gr, i);
            var si = Vector512.FusedMultiplyAdd(gi, gi, Vector512.LoadUnsafe(ref sr, i));
            si.StoreUnsafe(ref sr, i);
            var std = Vector512.Sqrt(si) + vEps;
            (Vector512.LoadUnsafe(ref pr, i) + ((vNegLr * gi) / std)).StoreUnsafe(ref pr, i);
        }

        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref gr, i);
            Unsafe.Add(ref gr, i) = 0f;
            float si = MathF.FusedMultiplyAdd(gi, gi, Unsafe.Add(ref sr, i));
            Unsafe.Add(ref sr, i) = si;
            Unsafe.Add(ref pr, i) += (negLr * gi) / (MathF.Sqrt(si) + eps);
        }
    }

    /// <summary>v ← ρ·v + (1−ρ)·g² ;  δ = √(a + ε)/√(v + ε)·g ;  a ← ρ·a + (1−ρ)·δ² ;  p ← p − lr·δ.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void AdaDelta(float[] p, float[] g, float[] v, float[] a)
    {
        float rho = (float)0.9, oneMinusRho = (float)(1 - 0.9), eps = (float)1e-6, negLr = (float)-1.0;
        var vRho = Vector512.Create(rho);
        var vOneMinusRho = Vector512.Create(oneMinusRho);
        var vEps = Vector512.Create(eps);
        var vNegLr = Vector512.Create(negLr);
        ref float pr = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
        ref float vr = ref MemoryMarshal.GetArrayDataReference(v);
        ref float ar = ref MemoryMarshal.GetArrayDataReference(a);
        nuint n = (nuint)p.Length, i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var gi = Vector512.LoadUnsafe(ref gr, i);
            Vector512<float>.Zero.StoreUnsafe(ref gr, i);
            var vi = Vector512.FusedMultiplyAdd(vOneMinusRho * gi, gi, vRho * Vector512.LoadUnsafe(ref vr, i));
            vi.StoreUnsafe(ref vr, i);
            var ai = Vector512.LoadUnsafe(ref ar, i);
            var delta = (Vector512.Sqrt(ai + vEps) / Vector512.Sqrt(vi + vEps)) * gi;
            Vector512.FusedMultiplyAdd(vOneMinusRho * delta, delta, vRho * ai).StoreUnsafe(ref ar, i);
            Vector512.FusedMultiplyAdd(delta, vNegLr, Vector512.LoadUnsafe(ref pr, i)).StoreUnsafe(ref pr, i);
        }

        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref gr, i);
            Unsafe.Add(ref gr, i) = 0f;
            float vi = MathF.FusedMultiplyAdd(oneMinusRho * gi, gi, rho * Unsafe.Add(ref vr, i));
            Unsafe.Add(ref vr, i) = vi;
            float ai = Unsafe.Add(ref ar, i);
            float delta = (MathF.Sqrt(ai + eps) / MathF.Sqrt(vi + eps)) * gi;
            Unsafe.Add(ref ar, i) = MathF.FusedMultiplyAdd(oneMinusRho * delta, delta, rho * ai);
            Unsafe.Add(ref pr, i) = MathF.FusedMultiplyAdd(delta, negLr, Unsafe.Add(ref pr, i));
        }
    }

    /// <summary>
    /// p ← p·(1 − lr·λ) (AdamW) ;  m ← β₁·m + (1−β₁)·g ;  v ← β₂·v + (1−β₂)·g² ;
    /// p ← p − (lr / (1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + ε).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Adam(float[] p, float[] g, float[] m, float[] v, long step, double weightDecay)
    {
        const double lr = 1e-3, beta1 = 0.9, beta2 = 0.999;
        double bc1 = 1 - Math.Pow(beta1, step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        float decay = (float)(1 - (lr * weightDecay)), b1 = (float)beta1, omb1 = (float)(1 - beta1), b2 = (float)beta2, omb2 = (float)(1 - beta2);
        float negStep = (float)(-lr / bc1), c2 = (float)bc2Sqrt, eps = (float)1e-8;
        bool decoupled = weightDecay != 0;
        var vDecay = Vector512.Create(decay);
        var vB1 = Vector512.Create(b1);
        var vOmb1 = Vector512.Create(omb1);
        var vB2 = Vector512.Create(b2);
        var vOmb2 = Vector512.Create(omb2);
        var vNegStep = Vector512.Create(negStep);
        var vC2 = Vector512.Create(c2);
        var vEps = Vector512.Create(eps);
        ref float pr = ref MemoryMarshal.GetArrayDataReference(p);
        ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
        ref float mr = ref MemoryMarshal.GetArrayDataReference(m);
        ref float vr = ref MemoryMarshal.GetArrayDataReference(v);
        nuint n = (nuint)p.Length, i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var gi = Vector512.LoadUnsafe(ref gr, i);
            Vector512<float>.Zero.StoreUnsafe(ref gr, i);
            var pi = Vector512.LoadUnsafe(ref pr, i);
            if (decoupled)
            {
                pi *= vDecay;
            }

            var mi = Vector512.FusedMultiplyAdd(gi, vOmb1, vB1 * Vector512.LoadUnsafe(ref mr, i));
            var vi = Vector512.FusedMultiplyAdd(vOmb2 * gi, gi, vB2 * Vector512.LoadUnsafe(ref vr, i));
            mi.StoreUnsafe(ref mr, i);
            vi.StoreUnsafe(ref vr, i);
            (pi + ((vNegStep * mi) / ((Vector512.Sqrt(vi) / vC2) + vEps))).StoreUnsafe(ref pr, i);
        }

        for (; i < n; i++)
        {
            float gi = Unsafe.Add(ref gr, i);
            Unsafe.Add(ref gr, i) = 0f;
            float pi = Unsafe.Add(ref pr, i);
            if (decoupled)
            {
                pi *= decay;
            }

            float mi = MathF.FusedMultiplyAdd(gi, omb1, b1 * Unsafe.Add(ref mr, i));
            float vi = MathF.FusedMultiplyAdd(omb2 * gi, gi, b2 * Unsafe.Add(ref vr, i));
            Unsafe.Add(ref mr, i) = mi;
            Unsafe.Add(ref vr, i) = vi;
            Unsafe.Add(ref pr, i) = pi + ((negStep * mi) / ((MathF.Sqrt(vi) / c2) + eps));
        }
    }
}
