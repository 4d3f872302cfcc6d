using System;
using OptimizerGen.Schedules;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// Every schedule option is validated in the constructor: an invalid value throws
/// <see cref="ArgumentOutOfRangeException"/> whose ParamName is the parameter and whose message names PyTorch's option
/// and the value; edge values that are valid are accepted.
/// </summary>
public class ScheduleValidationTests
{
    private static readonly double[] NotFiniteNonNegative =
        [-1.0, -1e-300, -double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MinValue, double.MaxValue * 2];

    public static TheoryData<string, string, double> InvalidDoubles()
    {
        var data = new TheoryData<string, string, double>();
        foreach (double value in NotFiniteNonNegative)
        {
            foreach (string schedule in new[] { "StepLR", "ExponentialLR", "LinearLR", "CosineAnnealingLR", "ReduceLROnPlateau" })
            {
                data.Add(schedule, "initialLearningRate", value);
            }

            data.Add("StepLR", "gamma", value);
            data.Add("ExponentialLR", "gamma", value);
            data.Add("CosineAnnealingLR", "etaMin", value);
            data.Add("ReduceLROnPlateau", "threshold", value);
            data.Add("ReduceLROnPlateau", "minLearningRate", value);
            data.Add("ReduceLROnPlateau", "epsilon", value);
        }

        foreach (double value in new[] { 0.0, -0.0, -0.5, 1.0000000000000002, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            data.Add("LinearLR", "startFactor", value);   // PyTorch: 0 < start_factor ≤ 1
        }

        foreach (double value in new[] { -1e-300, -0.5, 1.0000000000000002, 2.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            data.Add("LinearLR", "endFactor", value);     // PyTorch: 0 ≤ end_factor ≤ 1
        }

        foreach (double value in new[] { 1.0, 1.5, -1e-300, -0.1, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            data.Add("ReduceLROnPlateau", "factor", value); // PyTorch: factor < 1 (and ≥ 0 here)
        }

        return data;
    }

    public static TheoryData<string, string, int> InvalidInts()
    {
        var data = new TheoryData<string, string, int>();
        foreach (int value in new[] { 0, -1, int.MinValue })
        {
            data.Add("StepLR", "stepSize", value);
            data.Add("LinearLR", "totalIters", value);
            data.Add("CosineAnnealingLR", "tMax", value);
        }

        foreach (int value in new[] { -1, int.MinValue })
        {
            data.Add("ReduceLROnPlateau", "patience", value);
            data.Add("ReduceLROnPlateau", "cooldown", value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidDoubles))]
    public void InvalidDouble_Throws_NamingTheOptionAndValue(string schedule, string option, double value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(schedule, option, value));
        Assert.Equal(option, e.ParamName);
        Assert.Equal(value, (double)e.ActualValue!);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
        Assert.Contains("PyTorch", e.Message, StringComparison.Ordinal);
        Assert.Contains(value.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidInts))]
    public void InvalidInt_Throws_NamingTheOptionAndValue(string schedule, string option, int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(schedule, option, value));
        Assert.Equal(option, e.ParamName);
        Assert.Equal(value, (int)e.ActualValue!);
        Assert.Contains(value.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stepSize", "step_size")]
    [InlineData("totalIters", "total_iters")]
    [InlineData("tMax", "T_max")]
    public void Messages_NamePyTorchsOption(string option, string pytorch)
    {
        string schedule = option switch { "stepSize" => "StepLR", "totalIters" => "LinearLR", _ => "CosineAnnealingLR" };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Create(schedule, option, 0));
        Assert.Contains($"PyTorch {pytorch}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidEnums_Throw_NamingTheOption()
    {
        var mode = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(0.1, mode: (PlateauMode)2));
        Assert.Equal("mode", mode.ParamName);
        var thresholdMode = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(0.1, thresholdMode: (ThresholdMode)(-1)));
        Assert.Equal("thresholdMode", thresholdMode.ParamName);
    }

    public static TheoryData<string, string, double> ValidEdgeDoubles()
    {
        var data = new TheoryData<string, string, double>();
        foreach (double value in new[] { 0.0, double.Epsilon, 1e-300, 1.0, 1e300, double.MaxValue })
        {
            foreach (string schedule in new[] { "StepLR", "ExponentialLR", "LinearLR", "CosineAnnealingLR", "ReduceLROnPlateau" })
            {
                data.Add(schedule, "initialLearningRate", value);
            }

            data.Add("StepLR", "gamma", value);
            data.Add("ExponentialLR", "gamma", value);
            data.Add("CosineAnnealingLR", "etaMin", value);
            data.Add("ReduceLROnPlateau", "threshold", value);
            data.Add("ReduceLROnPlateau", "minLearningRate", value);
            data.Add("ReduceLROnPlateau", "epsilon", value);
        }

        foreach (double value in new[] { double.Epsilon, 1e-300, 0.5, 1.0 })
        {
            data.Add("LinearLR", "startFactor", value);
        }

        foreach (double value in new[] { 0.0, double.Epsilon, 0.5, 1.0 })
        {
            data.Add("LinearLR", "endFactor", value);
        }

        foreach (double value in new[] { 0.0, double.Epsilon, 0.5, Math.BitDecrement(1.0) })
        {
            data.Add("ReduceLROnPlateau", "factor", value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidEdgeDoubles))]
    public void ValidEdgeDouble_IsAccepted_AndKept(string schedule, string option, double value)
    {
        object created = Create(schedule, option, value);
        string property = char.ToUpperInvariant(option[0]) + option[1..];
        Assert.Equal(value, (double)created.GetType().GetProperty(property)!.GetValue(created)!);
    }

    [Theory]
    [InlineData("StepLR", "stepSize", 1)]
    [InlineData("StepLR", "stepSize", int.MaxValue)]
    [InlineData("LinearLR", "totalIters", 1)]
    [InlineData("LinearLR", "totalIters", int.MaxValue)]
    [InlineData("CosineAnnealingLR", "tMax", 1)]
    [InlineData("CosineAnnealingLR", "tMax", int.MaxValue)]
    [InlineData("ReduceLROnPlateau", "patience", 0)]
    [InlineData("ReduceLROnPlateau", "patience", int.MaxValue)]
    [InlineData("ReduceLROnPlateau", "cooldown", 0)]
    [InlineData("ReduceLROnPlateau", "cooldown", int.MaxValue)]
    public void ValidEdgeInt_IsAccepted_AndKept(string schedule, string option, int value)
    {
        object created = Create(schedule, option, value);
        string property = option == "tMax" ? "TMax" : char.ToUpperInvariant(option[0]) + option[1..];
        Assert.Equal(value, (int)created.GetType().GetProperty(property)!.GetValue(created)!);
    }

    public static TheoryData<ILearningRateSchedule> Schedules() => new()
    {
        new StepLR(0.1, 3),
        new ExponentialLR(0.1, 0.9),
        new LinearLR(0.1),
        new CosineAnnealingLR(0.1, 10),
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void NegativeEpoch_Throws_NamingEpoch(ILearningRateSchedule schedule)
    {
        foreach (long epoch in new[] { -1L, long.MinValue })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LearningRateAt(epoch));
            Assert.Equal("epoch", e.ParamName);
            Assert.Equal(epoch, (long)e.ActualValue!);
            var applied = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.Apply(new RmsProp(), epoch));
            Assert.Equal("epoch", applied.ParamName);
        }
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void HugeEpochs_GiveAFiniteNonNegativeLearningRate(ILearningRateSchedule schedule)
    {
        foreach (long epoch in new[] { int.MaxValue, (long)int.MaxValue + 1, 1L << 53, long.MaxValue })
        {
            double lr = schedule.LearningRateAt(epoch);
            Assert.True(lr >= 0 && double.IsFinite(lr), $"epoch {epoch}: {lr}");
        }
    }

    /// <summary>Creates <paramref name="schedule"/> with valid options except <paramref name="option"/> = <paramref name="value"/>.</summary>
    private static object Create(string schedule, string option, double value)
    {
        double Get(string name, double otherwise) => name == option ? value : otherwise;
        int GetInt(string name, int otherwise) => name == option ? checked((int)value) : otherwise;
        return schedule switch
        {
            "StepLR" => new StepLR(Get("initialLearningRate", 0.1), GetInt("stepSize", 3), Get("gamma", 0.5)),
            "ExponentialLR" => new ExponentialLR(Get("initialLearningRate", 0.1), Get("gamma", 0.9)),
            "LinearLR" => new LinearLR(Get("initialLearningRate", 0.1), Get("startFactor", 0.25), Get("endFactor", 1.0), GetInt("totalIters", 5)),
            "CosineAnnealingLR" => new CosineAnnealingLR(Get("initialLearningRate", 0.1), GetInt("tMax", 10), Get("etaMin", 0.001)),
            "ReduceLROnPlateau" => new ReduceLROnPlateau(
                Get("initialLearningRate", 0.1),
                PlateauMode.Min,
                Get("factor", 0.5),
                GetInt("patience", 2),
                Get("threshold", 1e-3),
                ThresholdMode.Relative,
                GetInt("cooldown", 1),
                Get("minLearningRate", 1e-5),
                Get("epsilon", 1e-9)),
            _ => throw new ArgumentException(schedule),
        };
    }
}
