using System;
using OptimizerGen.Schedules;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// <see cref="StepLR"/>, <see cref="ExponentialLR"/>, <see cref="LinearLR"/> and <see cref="CosineAnnealingLR"/>
/// against PyTorch's closed forms (bit for bit, for thousands of epochs), against values CPython computes from the same
/// expressions, and against PyTorch's recursive forms (to rounding).
/// </summary>
public class ClosedFormScheduleTests
{
    private const int Epochs = 3000;

    // ---- StepLR ----

    [Theory]
    [InlineData(0.05, 30, 0.1)]
    [InlineData(0.3, 7, 0.9)]
    [InlineData(1.0, 1, 0.5)]
    [InlineData(0.01, 1000, 0.1)]
    [InlineData(0.001, 3, 1.5)]
    [InlineData(0.1, 5, 0.0)]
    [InlineData(0.0, 2, 0.1)]
    public void StepLR_MatchesPyTorchClosedForm(double lr, int stepSize, double gamma)
    {
        var schedule = new StepLR(lr, stepSize, gamma);
        for (long t = 0; t < Epochs; t++)
        {
            AssertBitEqual(PyTorchClosedForms.StepLR(lr, stepSize, gamma, t), schedule.LearningRateAt(t), t);
        }
    }

    [Fact]
    public void StepLR_DefaultGamma_IsPyTorchs()
    {
        Assert.Equal(0.1, new StepLR(1.0, 3).Gamma);
    }

    [Theory]
    [InlineData(0L, 0.05)]
    [InlineData(29L, 0.05)]
    [InlineData(30L, 0.005000000000000001)]
    [InlineData(59L, 0.005000000000000001)]
    [InlineData(60L, 0.0005000000000000001)]
    [InlineData(95L, 5.0000000000000016e-05)]
    [InlineData(1000L, 5.000000000000009e-35)]
    public void StepLR_MatchesCPython_DocstringExample(long epoch, double expected)
    {
        // PyTorch's docstring: lr 0.05, StepLR(step_size=30, gamma=0.1): 0.05 for epoch < 30, 0.005 for 30 ≤ epoch < 60, …
        AssertBitEqual(expected, new StepLR(0.05, stepSize: 30, gamma: 0.1).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0L, 0.3)]
    [InlineData(6L, 0.3)]
    [InlineData(7L, 0.27)]
    [InlineData(13L, 0.27)]
    [InlineData(14L, 0.243)]
    [InlineData(700L, 7.968419666276262e-06)]
    [InlineData(7000L, 5.243613755168084e-47)]
    public void StepLR_MatchesCPython(long epoch, double expected)
    {
        AssertBitEqual(expected, new StepLR(0.3, stepSize: 7, gamma: 0.9).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0.05, 30, 0.1)]
    [InlineData(0.3, 7, 0.9)]
    [InlineData(1.0, 1, 0.99)]
    public void StepLR_AgreesWithPyTorchRecursiveForm(double lr, int stepSize, double gamma)
    {
        var schedule = new StepLR(lr, stepSize, gamma);
        double[] recursive = PyTorchRecursiveForms.StepLR(lr, stepSize, gamma, Epochs);
        for (int t = 0; t < Epochs; t++)
        {
            // ⌊t / step_size⌋ roundings in the product against one pow: relative error of order (t / step_size)·2⁻⁵³.
            AssertRelativelyClose(recursive[t], schedule.LearningRateAt(t), 3e-16 * (1 + t / stepSize), t);
        }
    }

    // ---- ExponentialLR ----

    [Theory]
    [InlineData(0.1, 0.95)]
    [InlineData(0.01, 0.999)]
    [InlineData(1e-3, 1.1)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.0, 0.9)]
    public void ExponentialLR_MatchesPyTorchClosedForm(double lr, double gamma)
    {
        var schedule = new ExponentialLR(lr, gamma);
        for (long t = 0; t < Epochs; t++)
        {
            AssertBitEqual(PyTorchClosedForms.ExponentialLR(lr, gamma, t), schedule.LearningRateAt(t), t);
        }
    }

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(1L, 0.095)]
    [InlineData(2L, 0.09025)]
    [InlineData(10L, 0.05987369392383787)]
    [InlineData(99L, 0.0006232136021404209)]
    [InlineData(1000L, 5.2918227477448005e-24)]
    [InlineData(10000L, 1.7220782772880573e-224)]
    public void ExponentialLR_MatchesCPython(long epoch, double expected)
    {
        AssertBitEqual(expected, new ExponentialLR(0.1, gamma: 0.95).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0L, 0.001)]
    [InlineData(1L, 0.0011)]
    [InlineData(50L, 0.11739085287969579)]
    [InlineData(7000L, 5.607846372419734e+286)]
    public void ExponentialLR_GammaAboveOne_MatchesCPython(long epoch, double expected)
    {
        AssertBitEqual(expected, new ExponentialLR(0.001, gamma: 1.1).LearningRateAt(epoch), epoch);
    }

    [Fact]
    public void ExponentialLR_Overflow_IsInfinity_WhichRmsPropRejects()
    {
        // CPython raises OverflowError at 0.001 * 1.1 ** 8000; the schedule returns +∞ and applying it throws.
        var schedule = new ExponentialLR(0.001, gamma: 1.1);
        Assert.Equal(double.PositiveInfinity, schedule.LearningRateAt(8000));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Apply(new RmsProp(), 8000));
        Assert.Equal(nameof(RmsProp.LearningRate), e.ParamName);
    }

    [Theory]
    [InlineData(0.1, 0.95)]
    [InlineData(0.01, 0.999)]
    [InlineData(1e-3, 1.001)]
    public void ExponentialLR_AgreesWithPyTorchRecursiveForm(double lr, double gamma)
    {
        var schedule = new ExponentialLR(lr, gamma);
        double[] recursive = PyTorchRecursiveForms.ExponentialLR(lr, gamma, Epochs);
        for (int t = 0; t < Epochs; t++)
        {
            // t roundings in the product against one pow.
            AssertRelativelyClose(recursive[t], schedule.LearningRateAt(t), 3e-16 * (1 + t), t);
        }
    }

    // ---- LinearLR ----

    [Theory]
    [InlineData(0.05, 0.05, 1.0, 40)]
    [InlineData(0.1, 1.0 / 3, 1.0, 5)]
    [InlineData(0.1, 1.0, 0.1, 7)]
    [InlineData(0.1, 1.0, 0.0, 10)]
    [InlineData(0.02, 0.001, 1.0, 1000)]
    [InlineData(0.3, 0.5, 0.5, 3)]
    [InlineData(0.3, 0.25, 1.0, 1)]
    public void LinearLR_MatchesPyTorchClosedForm(double lr, double startFactor, double endFactor, int totalIters)
    {
        var schedule = new LinearLR(lr, startFactor, endFactor, totalIters);
        for (long t = 0; t < Epochs; t++)
        {
            AssertBitEqual(PyTorchClosedForms.LinearLR(lr, startFactor, endFactor, totalIters, t), schedule.LearningRateAt(t), t);
        }

        Assert.Equal(lr * endFactor, schedule.LearningRateAt(totalIters), 15);
        Assert.Equal(schedule.LearningRateAt(totalIters), schedule.LearningRateAt(long.MaxValue));
    }

    [Fact]
    public void LinearLR_Defaults_ArePyTorchs()
    {
        var schedule = new LinearLR(0.1);
        Assert.Equal(1.0 / 3, schedule.StartFactor);
        Assert.Equal(1.0, schedule.EndFactor);
        Assert.Equal(5, schedule.TotalIters);
    }

    [Theory]
    [InlineData(0L, 0.0025000000000000005)]
    [InlineData(1L, 0.0036875000000000007)]
    [InlineData(2L, 0.004875000000000001)]
    [InlineData(3L, 0.0060625)]
    [InlineData(39L, 0.0488125)]
    [InlineData(40L, 0.05)]
    [InlineData(100L, 0.05)]
    public void LinearLR_MatchesCPython_DocstringSettings(long epoch, double expected)
    {
        // PyTorch's docstring example (lr 0.05, start_factor=0.05, total_iters=40) lists 0.003687 at epoch 0 — but its
        // code gives that at epoch 1: the example is off by one epoch. These values are the code's.
        AssertBitEqual(expected, new LinearLR(0.05, startFactor: 0.05, totalIters: 40).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(1L, 0.08714285714285715)]
    [InlineData(3L, 0.06142857142857144)]
    [InlineData(6L, 0.022857142857142854)]
    [InlineData(7L, 0.009999999999999998)]
    [InlineData(8L, 0.009999999999999998)]
    public void LinearLR_Decay_MatchesCPython(long epoch, double expected)
    {
        AssertBitEqual(expected, new LinearLR(0.1, startFactor: 1.0, endFactor: 0.1, totalIters: 7).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0.05, 0.05, 1.0, 40)]
    [InlineData(0.1, 1.0 / 3, 1.0, 5)]
    [InlineData(0.1, 1.0, 0.1, 7)]
    [InlineData(0.02, 0.001, 1.0, 1000)]
    public void LinearLR_AgreesWithPyTorchRecursiveForm(double lr, double startFactor, double endFactor, int totalIters)
    {
        var schedule = new LinearLR(lr, startFactor, endFactor, totalIters);
        double[] recursive = PyTorchRecursiveForms.LinearLR(lr, startFactor, endFactor, totalIters, Epochs);
        for (int t = 0; t < Epochs; t++)
        {
            AssertRelativelyClose(recursive[t], schedule.LearningRateAt(t), 4e-16 * (1 + Math.Min(t, totalIters)), t);
        }
    }

    [Fact]
    public void LinearLR_EndFactorZero_AgreesWithPyTorchRecursiveForm()
    {
        // The learning rate reaches exactly 0 at total_iters in both forms.
        var schedule = new LinearLR(0.1, startFactor: 1.0, endFactor: 0.0, totalIters: 10);
        double[] recursive = PyTorchRecursiveForms.LinearLR(0.1, 1.0, 0.0, 10, 50);
        for (int t = 0; t < 50; t++)
        {
            Assert.True(Math.Abs(recursive[t] - schedule.LearningRateAt(t)) <= 1e-16, $"epoch {t}");
        }

        Assert.Equal(0.0, schedule.LearningRateAt(10));
        Assert.Equal(0.0, recursive[10]);
    }

    // ---- CosineAnnealingLR ----

    [Theory]
    [InlineData(0.1, 100, 0.0)]
    [InlineData(0.1, 10, 0.001)]
    [InlineData(0.05, 1, 0.0)]
    [InlineData(1.0, 7, 0.25)]
    [InlineData(0.01, 2999, 1e-5)]
    [InlineData(0.001, 50, 0.01)]
    [InlineData(0.2, 20, 0.2)]
    public void CosineAnnealingLR_MatchesPyTorchClosedForm(double lr, int tMax, double etaMin)
    {
        var schedule = new CosineAnnealingLR(lr, tMax, etaMin);
        for (long t = 0; t < Epochs; t++)
        {
            AssertBitEqual(PyTorchClosedForms.CosineAnnealingLR(lr, tMax, etaMin, t), schedule.LearningRateAt(t), t);
        }
    }

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(1L, 0.09997532801828658)]
    [InlineData(17L, 0.09303710135019719)]
    [InlineData(50L, 0.05)]
    [InlineData(99L, 2.467198171342e-05)]
    [InlineData(100L, 0.0)]
    [InlineData(101L, 2.467198171342e-05)]
    [InlineData(150L, 0.04999999999999999)]
    [InlineData(199L, 0.09997532801828658)]
    [InlineData(200L, 0.1)]
    [InlineData(201L, 0.09997532801828658)]
    [InlineData(333L, 0.024547929212481397)]
    public void CosineAnnealingLR_MatchesCPython(long epoch, double expected)
    {
        // Not clamped at T_max: the cosine goes on, back to the initial lr at 2·T_max, as in PyTorch.
        AssertBitEqual(expected, new CosineAnnealingLR(0.1, tMax: 100).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0L, 0.1)]
    [InlineData(1L, 0.09757729755661011)]
    [InlineData(3L, 0.07959536998847742)]
    [InlineData(5L, 0.0505)]
    [InlineData(9L, 0.0034227024433899004)]
    [InlineData(10L, 0.001)]
    [InlineData(11L, 0.003422702443389889)]
    [InlineData(20L, 0.1)]
    [InlineData(31L, 0.003422702443389895)]
    public void CosineAnnealingLR_EtaMin_MatchesCPython(long epoch, double expected)
    {
        AssertBitEqual(expected, new CosineAnnealingLR(0.1, tMax: 10, etaMin: 0.001).LearningRateAt(epoch), epoch);
    }

    [Theory]
    [InlineData(0.1, 100, 0.0)]
    [InlineData(0.1, 10, 0.001)]
    [InlineData(0.05, 1, 0.0)]
    [InlineData(1.0, 7, 0.25)]
    [InlineData(0.01, 333, 1e-5)]
    [InlineData(0.001, 50, 0.01)]
    public void CosineAnnealingLR_AgreesWithPyTorchRecursiveForm_ToRounding(double lr, int tMax, double etaMin)
    {
        // The bounds the XML doc of CosineAnnealingLR states: a few ulps of max(lr, η_min) up to T_max; past it the
        // recursive form drifts about linearly (measured: 2e-15 … 6e-13 relative at 2,000 epochs).
        const int count = 2000;
        var schedule = new CosineAnnealingLR(lr, tMax, etaMin);
        double[] recursive = PyTorchRecursiveForms.CosineAnnealingLR(lr, tMax, etaMin, count);
        double scale = Math.Max(lr, etaMin);
        for (int t = 0; t < count; t++)
        {
            double difference = Math.Abs(recursive[t] - schedule.LearningRateAt(t));
            double bound = (t <= tMax ? 2e-15 : 1e-15 * (1 + t)) * scale;
            Assert.True(difference <= bound, $"epoch {t}: recursive {recursive[t]:R}, closed {schedule.LearningRateAt(t):R}, difference {difference / scale:R}·scale");
        }
    }

    [Fact]
    public void CosineAnnealingLR_ReachesEtaMinAtTMax_AndTheInitialLrAtTwiceTMax()
    {
        var schedule = new CosineAnnealingLR(0.1, tMax: 100, etaMin: 1e-4);
        Assert.Equal(1e-4, schedule.LearningRateAt(100));                                  // cos(π) is −1 exactly in double
        Assert.Equal(0.1, schedule.LearningRateAt(200), 1e-16);
        Assert.Equal(schedule.LearningRateAt(37), schedule.LearningRateAt(163), 1e-16);   // symmetric about T_max
    }

    // ---- every schedule ----

    public static TheoryData<ILearningRateSchedule> Schedules() => new()
    {
        new StepLR(0.1, 3),
        new ExponentialLR(0.1, 0.9),
        new LinearLR(0.1),
        new CosineAnnealingLR(0.1, 10),
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void EpochZero_IsTheInitialLearningRate_TimesLinearLRsStartFactor(ILearningRateSchedule schedule)
    {
        double factor = schedule is LinearLR linear ? linear.StartFactor : 1.0;
        Assert.Equal(0.1, schedule.InitialLearningRate);
        Assert.Equal(0.1 * factor, schedule.LearningRateAt(0));
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Apply_SetsTheLearningRate_AndKeepsEveryOtherOption(ILearningRateSchedule schedule)
    {
        var options = RmsProp.Keras with { Momentum = 0.9, Centered = true, WeightDecay = 0.01, Nesterov = true };
        for (long t = 0; t < 50; t++)
        {
            RmsProp applied = schedule.Apply(options, t);
            Assert.Equal(schedule.LearningRateAt(t), applied.LearningRate);
            Assert.Equal(options with { LearningRate = applied.LearningRate }, applied);
        }
    }

    [Fact]
    public void Apply_OnAModelsOptimizerProperty_FollowsTheSchedule()
    {
        var model = new FakeModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.5 } };
        var schedule = new StepLR(model.Optimizer.LearningRate, stepSize: 2, gamma: 0.5);
        double[] seen = new double[6];
        for (int epoch = 0; epoch < seen.Length; epoch++)
        {
            model.Optimizer = schedule.Apply(model.Optimizer, epoch);
            seen[epoch] = model.Optimizer.LearningRate;
        }

        Assert.Equal([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025], seen);
        Assert.Equal(0.5, model.Optimizer.Momentum);
    }

    [Fact]
    public void Apply_ToAValueTypeSchedule_Works()
    {
        var schedule = new ConstantSchedule(0.25);
        Assert.Equal(0.25, schedule.Apply(new RmsProp(), 3).LearningRate);
    }

    [Fact]
    public void Apply_NullSchedule_Throws()
    {
        StepLR? schedule = null;
        var e = Assert.Throws<ArgumentNullException>(() => schedule!.Apply(new RmsProp(), 0));
        Assert.Equal("schedule", e.ParamName);
    }

    private static void AssertBitEqual(double expected, double actual, long epoch)
    {
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
        {
            Assert.Fail($"epoch {epoch}: expected {expected:R}, got {actual:R}");
        }
    }

    private static void AssertRelativelyClose(double expected, double actual, double relative, long epoch)
    {
        double difference = Math.Abs(expected - actual);
        if (!(difference <= relative * Math.Abs(expected)))
        {
            Assert.Fail($"epoch {epoch}: expected {expected:R}, got {actual:R} (relative difference {difference / Math.Abs(expected):R} > {relative:R})");
        }
    }
}

/// <summary>Stands in for a generated model: an <see cref="RmsProp"/> property.</summary>
internal sealed class FakeModel
{
    public RmsProp Optimizer { get; set; }
}

/// <summary>A value-type schedule, to check <see cref="LearningRateScheduleExtensions.Apply{TSchedule}"/> takes structs.</summary>
internal readonly struct ConstantSchedule(double learningRate) : ILearningRateSchedule
{
    public double InitialLearningRate => learningRate;

    public double LearningRateAt(long epoch) => learningRate;
}
