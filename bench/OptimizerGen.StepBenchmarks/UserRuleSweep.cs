using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace OptimizerGen.StepBenchmarks;

/// <summary>Which built-in a user rule is written to equal.</summary>
public enum UserRuleKind
{
    /// <summary>RMSprop with PyTorch's defaults (lr 0.01, α 0.99, ε 1e-8 outside the root).</summary>
    RmsProp,

    /// <summary>Adam with PyTorch's defaults (lr 1e-3, β 0.9/0.999, ε 1e-8), bias correction from the step.</summary>
    Adam,
}

/// <summary>One case of the user-rule sweep: the rule and N (float32).</summary>
public sealed record UserRuleCase(UserRuleKind Kind, int N)
{
    public override string ToString() => $"{Kind} N={N}";
}

/// <summary>RMSprop as a user writes it from PyTorch's documentation, v as one fused multiply-add (as the built-in kernel).</summary>
[UpdateRule]
public partial struct BenchRmsPropRule
{
    public BenchRmsPropRule() { }

    public double LearningRate { get; init; } = 0.01;

    public double Alpha { get; init; } = 0.99;

    public double Eps { get; init; } = 1e-8;

    void Update(ref double p, double g, [State("square_avg")] ref double v)
    {
        v = Math.FusedMultiplyAdd((1 - Alpha) * g, g, Alpha * v);
        p -= LearningRate * g / (Math.Sqrt(v) + Eps);
    }
}

/// <summary>Adam as a user writes it from PyTorch's documentation, in the order of operations of the built-in rule.</summary>
[UpdateRule]
public partial struct BenchAdamRule
{
    public BenchAdamRule() { }

    public double LearningRate { get; init; } = 1e-3;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Eps { get; init; } = 1e-8;

    void Update(ref double p, double g, [State("exp_avg")] ref double m, [State("exp_avg_sq")] ref double v, long t)
    {
        m = Math.FusedMultiplyAdd(g, 1 - Beta1, Beta1 * m);
        v = Math.FusedMultiplyAdd((1 - Beta2) * g, g, Beta2 * v);
        double denominator = Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(Beta2, t)) + Eps;
        p += -LearningRate / (1 - Math.Pow(Beta1, t)) * m / denominator;
    }
}

[Optimize(typeof(BenchRmsPropRule))]
public partial class UserRmsPropArrayF
{
    [Param] public float[] W = [];
}

[Optimize(typeof(BenchAdamRule))]
public partial class UserAdamArrayF
{
    [Param] public float[] W = [];
}

/// <summary>
/// Issue 4 item 4, second half: a user's <c>[UpdateRule]</c> against the built-in it is written to equal, both as the
/// generated <c>ApplyGradients</c> of a model with one float array, at 4 096 and 16 777 216 elements. The built-in is
/// the baseline. The setup of each case (in the baseline's process) runs three steps of both from the same start and
/// throws unless they give the same bits. The gradient is refilled every 256 calls, as in <see cref="UpdateSweep"/>.
/// </summary>
[Config(typeof(SweepConfig))]
public class UserRuleSweep
{
    private const int RefillEvery = 256;

    private UserRuleRunner _run = null!;
    private int _untilRefill = RefillEvery;

    [ParamsSource(nameof(Cases))]
    public UserRuleCase Case { get; set; } = null!;

    public static IEnumerable<UserRuleCase> Cases()
    {
        foreach (UserRuleKind kind in Enum.GetValues<UserRuleKind>())
        {
            yield return new UserRuleCase(kind, 4_096);
            yield return new UserRuleCase(kind, 16_777_216);
        }
    }

    private void Setup(bool check)
    {
        _run = new UserRuleRunner(Case);
        if (check)
        {
            _run.Check();
        }

        if (Case.N >= 262_144)
        {
            var small = new UserRuleRunner(Case with { N = 4_096 });
            Data.WarmUpOnSmallCase(small.Refill, small.BuiltIn, small.UserRule);
        }
    }

    [GlobalSetup(Target = nameof(BuiltIn))]
    public void SetupAndCheck() => Setup(check: true);

    [GlobalSetup(Target = nameof(UserRule))]
    public void SetupOnly() => Setup(check: false);

    private void Tick()
    {
        if (--_untilRefill == 0)
        {
            _run.Refill();
            _untilRefill = RefillEvery;
        }
    }

    [Benchmark(Baseline = true)]
    public void BuiltIn()
    {
        Tick();
        _run.BuiltIn();
    }

    [Benchmark]
    public void UserRule()
    {
        Tick();
        _run.UserRule();
    }
}

/// <summary>The built-in and the user-rule model of one case, each on its own copy of the same start.</summary>
public sealed class UserRuleRunner
{
    private readonly UserRuleCase _case;
    private readonly float[] _g0;
    private readonly ArrayF? _rmsProp;
    private readonly UserRmsPropArrayF? _userRmsProp;
    private readonly AdamArrayF? _adam;
    private readonly UserAdamArrayF? _userAdam;

    public UserRuleRunner(UserRuleCase c)
    {
        _case = c;
        float[] p0 = Data.Uniform<float>(c.N, 1, 1.0);
        _g0 = Data.Uniform<float>(c.N, 2, 0.5);
        if (c.Kind == UserRuleKind.RmsProp)
        {
            _rmsProp = new ArrayF { W = (float[])p0.Clone(), Optimizer = new RmsProp { LearningRate = 0.01, Decay = 0.99, Epsilon = 1e-8, EpsilonInsideSqrt = false } };
            _userRmsProp = new UserRmsPropArrayF { W = (float[])p0.Clone(), Optimizer = new BenchRmsPropRule() };
        }
        else
        {
            _adam = new AdamArrayF { W = (float[])p0.Clone(), Optimizer = new Adam { LearningRate = 1e-3, Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8, WeightDecay = 0 } };
            _userAdam = new UserAdamArrayF { W = (float[])p0.Clone(), Optimizer = new BenchAdamRule() };
        }

        Refill();
    }

    /// <summary>Three steps of both from the same start (a refill before each, as the benchmark does).</summary>
    public void Check()
    {
        for (int step = 0; step < 3; step++)
        {
            Refill();
            BuiltIn();
            UserRule();
        }

        float[] builtIn = _rmsProp?.W ?? _adam!.W, user = _userRmsProp?.W ?? _userAdam!.W;
        SweepCheck.SameBits(builtIn, user, $"p, built-in vs user rule, {_case} after 3 steps");
        Console.WriteLine($"// {_case}: the built-in and the user rule give the same bits after 3 steps");
    }

    public void Refill()
    {
        if (_rmsProp is not null)
        {
            _g0.AsSpan().CopyTo(_rmsProp.Grad.W);
            _g0.AsSpan().CopyTo(_userRmsProp!.Grad.W);
        }
        else
        {
            _g0.AsSpan().CopyTo(_adam!.Grad.W);
            _g0.AsSpan().CopyTo(_userAdam!.Grad.W);
        }
    }

    public void BuiltIn()
    {
        if (_rmsProp is not null) _rmsProp.ApplyGradients();
        else _adam!.ApplyGradients();
    }

    public void UserRule()
    {
        if (_userRmsProp is not null) _userRmsProp.ApplyGradients();
        else _userAdam!.ApplyGradients();
    }
}
