using System;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary><see cref="RmsProp"/>: validation of every numeric option, the presets, and <c>with</c>.</summary>
public class RmsPropOptionsTests
{
    public static TheoryData<string, double> InvalidValues()
    {
        var data = new TheoryData<string, double>();
        foreach (string option in new[] { "LearningRate", "Epsilon", "InitialAccumulatorValue", "Momentum", "WeightDecay" })
        {
            foreach (double value in new[] { -1.0, -1e-300, -double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MinValue })
            {
                data.Add(option, value);
            }
        }

        foreach (double value in new[] { -0.1, -double.Epsilon, 1.0, 1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            data.Add("Decay", value);
        }

        return data;
    }

    public static TheoryData<string, double> ValidEdgeValues()
    {
        var data = new TheoryData<string, double>();
        foreach (string option in new[] { "LearningRate", "Epsilon", "InitialAccumulatorValue", "Momentum", "WeightDecay" })
        {
            foreach (double value in new[] { 0.0, double.Epsilon, 1e-300, 1.0, 1e300, double.MaxValue })
            {
                data.Add(option, value);
            }
        }

        foreach (double value in new[] { 0.0, double.Epsilon, 0.5, 0.999999, Math.BitDecrement(1.0) })
        {
            data.Add("Decay", value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void InvalidValue_InObjectInitializer_Throws_NamingOptionAndValue(string option, double value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Initialized(option, value));
        AssertNamesOptionAndValue(e, option, value);
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void InvalidValue_InWithExpression_Throws_NamingOptionAndValue(string option, double value)
    {
        foreach (RmsProp preset in new[] { RmsProp.PyTorch, RmsProp.Keras, RmsProp.TensorFlow1, RmsProp.Optax })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => WithExpression(preset, option, value));
            AssertNamesOptionAndValue(e, option, value);
        }
    }

    [Theory]
    [MemberData(nameof(ValidEdgeValues))]
    public void ValidEdgeValue_IsAccepted_AndKept(string option, double value)
    {
        RmsProp fromInitializer = Initialized(option, value);
        RmsProp fromWith = WithExpression(RmsProp.Keras, option, value);
        Assert.Equal(value, Get(fromInitializer, option));
        Assert.Equal(value, Get(fromWith, option));

        // Only that option changed.
        Assert.Equal(RmsProp.Keras, WithExpression(fromWith, option, Get(RmsProp.Keras, option)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void UndefinedMomentumStyle_Throws(int style)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RmsProp.PyTorch with { MomentumStyle = (MomentumStyle)style });
        Assert.Equal("MomentumStyle", e.ParamName);
        Assert.Equal((MomentumStyle)style, e.ActualValue);
    }

    [Fact]
    public void Defaults_AreThePyTorchPreset()
    {
        var options = new RmsProp();
        Assert.Equal(RmsProp.PyTorch, options);
        Assert.Equal(0.01, options.LearningRate);
        Assert.Equal(0.99, options.Decay);
        Assert.Equal(1e-8, options.Epsilon);
        Assert.False(options.EpsilonInsideSqrt);
        Assert.Equal(0.0, options.InitialAccumulatorValue);
        Assert.False(options.Centered);
        Assert.False(options.ClampCenteredVariance);
        Assert.Equal(0.0, options.Momentum);
        Assert.Equal(MomentumStyle.LearningRateOutsideBuffer, options.MomentumStyle);
        Assert.False(options.Nesterov);
        Assert.Equal(0.0, options.WeightDecay);
        Assert.False(options.DecoupledWeightDecay);
        Assert.False(options.Maximize);
        Assert.False(options.BiasCorrection);
    }

    [Fact]
    public void Keras_Preset()
    {
        RmsProp k = RmsProp.Keras;
        Assert.Equal(0.001, k.LearningRate);
        Assert.Equal(0.9, k.Decay);
        Assert.Equal(1e-7, k.Epsilon);
        Assert.True(k.EpsilonInsideSqrt);
        Assert.Equal(MomentumStyle.LearningRateInsideBuffer, k.MomentumStyle);
        Assert.True(k.DecoupledWeightDecay);
        Assert.Equal(0.0, k.InitialAccumulatorValue);
        Assert.Equal(0.0, k.Momentum);
        Assert.Equal(0.0, k.WeightDecay);
        Assert.False(k.Centered || k.ClampCenteredVariance || k.Nesterov || k.Maximize || k.BiasCorrection);
    }

    [Fact]
    public void TensorFlow1_Preset()
    {
        RmsProp tf = RmsProp.TensorFlow1;
        Assert.Equal(0.001, tf.LearningRate);
        Assert.Equal(0.9, tf.Decay);
        Assert.Equal(1e-10, tf.Epsilon);
        Assert.True(tf.EpsilonInsideSqrt);
        Assert.Equal(1.0, tf.InitialAccumulatorValue);
        Assert.Equal(MomentumStyle.LearningRateInsideBuffer, tf.MomentumStyle);
        Assert.False(tf.DecoupledWeightDecay);
        Assert.Equal(0.0, tf.Momentum);
        Assert.Equal(0.0, tf.WeightDecay);
        Assert.False(tf.Centered || tf.ClampCenteredVariance || tf.Nesterov || tf.Maximize || tf.BiasCorrection);
    }

    [Fact]
    public void Optax_Preset()
    {
        RmsProp o = RmsProp.Optax;
        Assert.Equal(0.001, o.LearningRate);
        Assert.Equal(0.9, o.Decay);
        Assert.Equal(1e-8, o.Epsilon);
        Assert.True(o.EpsilonInsideSqrt);
        Assert.Equal(0.0, o.InitialAccumulatorValue);
        Assert.Equal(MomentumStyle.LearningRateInsideBuffer, o.MomentumStyle);
        Assert.False(o.DecoupledWeightDecay);
        Assert.Equal(0.0, o.Momentum);
        Assert.Equal(0.0, o.WeightDecay);
        Assert.False(o.Centered || o.ClampCenteredVariance || o.Nesterov || o.Maximize || o.BiasCorrection);
    }

    [Fact]
    public void With_ChangesOnlyTheNamedOption_AndLeavesTheOriginal()
    {
        RmsProp keras = RmsProp.Keras;
        RmsProp changed = keras with { LearningRate = 0.5, Nesterov = true };
        Assert.Equal(0.001, keras.LearningRate);
        Assert.False(keras.Nesterov);
        Assert.Equal(0.5, changed.LearningRate);
        Assert.True(changed.Nesterov);
        Assert.Equal(keras, changed with { LearningRate = 0.001, Nesterov = false });
        Assert.NotEqual(keras, changed);
    }

    [Fact]
    public void FailedWith_LeavesTheVariableUnchanged()
    {
        RmsProp options = RmsProp.Optax;
        Assert.Throws<ArgumentOutOfRangeException>(() => options = options with { Decay = 1.0 });
        Assert.Equal(RmsProp.Optax, options);
    }

    private static void AssertNamesOptionAndValue(ArgumentOutOfRangeException e, string option, double value)
    {
        Assert.Equal(option, e.ParamName);
        Assert.Equal(value, Assert.IsType<double>(e.ActualValue));
        string rule = option == "Decay" ? "must be in [0, 1)" : "must be a finite number ≥ 0";
        Assert.StartsWith($"{option} {rule}, but was {value}.", e.Message);
    }

    private static RmsProp Initialized(string option, double value) => option switch
    {
        "LearningRate" => new RmsProp { LearningRate = value },
        "Decay" => new RmsProp { Decay = value },
        "Epsilon" => new RmsProp { Epsilon = value },
        "InitialAccumulatorValue" => new RmsProp { InitialAccumulatorValue = value },
        "Momentum" => new RmsProp { Momentum = value },
        "WeightDecay" => new RmsProp { WeightDecay = value },
        _ => throw new ArgumentOutOfRangeException(nameof(option)),
    };

    private static RmsProp WithExpression(RmsProp options, string option, double value) => option switch
    {
        "LearningRate" => options with { LearningRate = value },
        "Decay" => options with { Decay = value },
        "Epsilon" => options with { Epsilon = value },
        "InitialAccumulatorValue" => options with { InitialAccumulatorValue = value },
        "Momentum" => options with { Momentum = value },
        "WeightDecay" => options with { WeightDecay = value },
        _ => throw new ArgumentOutOfRangeException(nameof(option)),
    };

    private static double Get(RmsProp options, string option) => option switch
    {
        "LearningRate" => options.LearningRate,
        "Decay" => options.Decay,
        "Epsilon" => options.Epsilon,
        "InitialAccumulatorValue" => options.InitialAccumulatorValue,
        "Momentum" => options.Momentum,
        "WeightDecay" => options.WeightDecay,
        _ => throw new ArgumentOutOfRangeException(nameof(option)),
    };
}
