using System;
using System.IO;
using System.Linq;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests.Family;

/// <summary>
/// Generated models of the optimizer family beyond conformance: 0 bytes allocated per step after warm-up (with the
/// learning rate changed every step, as a schedule does), checkpoints that resume bit for bit, and a checkpoint of
/// another optimizer rejected without changing the model.
/// </summary>
public sealed class FamilyModelTests
{
    private const int Measured = AllocationTests.Measured;

    [Fact]
    public void Sgd_nesterov_step_allocates_nothing()
    {
        var m = new SgdMixed64 { W = new double[1000], Optimizer = new Sgd { Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 } };
        Assert.Equal(0, AllocationTests.AllocatedBytes(t =>
        {
            m.Optimizer = m.Optimizer with { LearningRate = 0.01 / (1 + (0.01 * t)) };
            FillGradients(m.Grad.W, t);
            m.Grad.S = Math.Sin(t);
            m.ApplyGradients();
        }));
        Assert.NotNull(m.OptimizerState.W.Buffer0);
    }

    [Fact]
    public void AdaGrad_and_AdaDelta_steps_allocate_nothing()
    {
        var a = new AdaGradArray32 { W = new float[1000], Optimizer = new AdaGrad { LearningRateDecay = 0.01, WeightDecay = 0.1 } };
        var d = new AdaDeltaMixed32 { W = new float[1000], Optimizer = AdaDelta.Keras with { WeightDecay = 0.01 } };
        Assert.Equal(0, AllocationTests.AllocatedBytes(t =>
        {
            FillGradients(a.Grad.W, t);
            a.ApplyGradients();
            FillGradients(d.Grad.W, t);
            d.Grad.S = MathF.Sin(t);
            d.ApplyGradients();
        }));
    }

    [Fact]
    public void Adam_amsgrad_and_AdamW_steps_allocate_nothing()
    {
        var a = new AdamMixed32 { W = new float[1000], Optimizer = new Adam { AmsGrad = true, Maximize = true, WeightDecay = 0.01 } };
        var w = new AdamWArray64 { W = new double[1000] };
        Assert.Equal(0, AllocationTests.AllocatedBytes(t =>
        {
            a.Optimizer = a.Optimizer with { LearningRate = 0.001 / (1 + (0.01 * t)) };
            FillGradients(a.Grad.W, t);
            a.Grad.S = MathF.Sin(t);
            a.ApplyGradients();
            FillGradients(w.Grad.W, t);
            w.ApplyGradients();
        }));
        Assert.NotNull(a.OptimizerState.W.Buffer2);
        Assert.Null(w.OptimizerState.W.Buffer2);
    }

    [Fact]
    public void The_measurement_sees_allocations()
    {
        var m = new AdamArray32 { W = new float[10] };
        long bytes = AllocationTests.AllocatedBytes(_ =>
        {
            m.W = (float[])m.W.Clone();
            m.ApplyGradients();
        });
        Assert.True(bytes >= Measured * 40, $"{bytes} bytes");
    }

    public static TheoryData<string, object> ResumeCases => new()
    {
        { nameof(SgdMixed32), new Sgd { Momentum = 0.9, Dampening = 0.1, WeightDecay = 0.01, LearningRate = 0.01 } },
        { nameof(SgdMixed64), Sgd.Keras with { Momentum = 0.9, Nesterov = true } },
        { nameof(AdaGradMixed32), new AdaGrad { LearningRateDecay = 0.1, InitialAccumulatorValue = 0.1, WeightDecay = 0.01 } },
        { nameof(AdaDeltaMixed64), new AdaDelta { WeightDecay = 0.01, Maximize = true } },
        { nameof(AdamMixed32), new Adam { AmsGrad = true, WeightDecay = 0.01 } },
        { nameof(AdamWMixed64), AdamW.Keras with { AmsGrad = true } },
    };

    [Theory]
    [MemberData(nameof(ResumeCases))]
    public void Save_load_and_continue_is_bit_identical_to_training_straight(string typeName, object settings)
    {
        dynamic straight = New(typeName, settings);
        dynamic resumed = New(typeName, settings);
        for (int t = 0; t < 20; t++)
        {
            Step(straight, t);
        }

        using var stream = new MemoryStream();
        straight.SaveCheckpoint((Stream)stream);
        stream.Position = 0;
        resumed.LoadCheckpoint((Stream)stream);
        for (int t = 20; t < 40; t++)
        {
            Step(straight, t);
            Step(resumed, t);
        }

        Assert.Equal((long)straight.StepCount, (long)resumed.StepCount);
        Assert.Equal(straight.Optimizer, resumed.Optimizer);
        Assert.Equal(Bits(straight.W), Bits(resumed.W));
        Assert.Equal(Convert.ToDouble(straight.S), Convert.ToDouble(resumed.S));
        foreach (string buffer in new[] { "Buffer0", "Buffer1", "Buffer2" })
        {
            Array? a = (Array?)Property(straight.OptimizerState.W, buffer);
            Array? b = (Array?)Property(resumed.OptimizerState.W, buffer);
            Assert.Equal(a is null, b is null);
            if (a is not null)
            {
                Assert.Equal(Bits(a), Bits(b!));
            }

            object sa = straight.OptimizerState.S, sb = resumed.OptimizerState.S;
            Assert.Equal(sa.GetType().GetField(buffer)!.GetValue(sa), sb.GetType().GetField(buffer)!.GetValue(sb));
        }
    }

    [Fact]
    public void A_checkpoint_of_another_model_and_optimizer_is_rejected_and_changes_nothing()
    {
        var adam = new AdamMixed32 { W = new float[8] };
        adam.Grad.W[0] = 1;
        adam.ApplyGradients();
        using var stream = new MemoryStream();
        adam.SaveCheckpoint(stream);
        stream.Position = 0;
        var sgd = new SgdMixed32 { W = [1, 2, 3, 4, 5, 6, 7, 8] };
        var ex = Assert.Throws<InvalidDataException>(() => sgd.LoadCheckpoint(stream));
        Assert.Contains("AdamMixed32", ex.Message);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], sgd.W);
        Assert.Equal(0, sgd.StepCount);
    }

    private static object? Property(object state, string name) => state.GetType().GetProperty(name)!.GetValue(state);

    private static dynamic New(string typeName, object settings)
    {
        Type type = typeof(FamilyModelTests).Assembly.GetType("OptimizerGen.Integration.Tests.Models." + typeName, throwOnError: true)!;
        dynamic m = Activator.CreateInstance(type)!;
        m.W = (dynamic)Array.CreateInstance(typeName.EndsWith("32", StringComparison.Ordinal) ? typeof(float) : typeof(double), 70);
        m.Optimizer = (dynamic)settings;
        return m;
    }

    private static void Step(dynamic m, int t)
    {
        Array g = m.Grad.W;
        for (int i = 0; i < g.Length; i++)
        {
            double v = Math.Sin((t * 0.7) + i);
            g.SetValue(g is float[] ? (object)(float)v : v, i);
        }

        m.Grad.S = g is float[] ? (dynamic)(float)Math.Cos(t) : Math.Cos(t);
        m.ApplyGradients();
    }

    private static long[] Bits(Array a) => a switch
    {
        float[] f => f.Select(x => (long)BitConverter.SingleToInt32Bits(x)).ToArray(),
        double[] d => d.Select(BitConverter.DoubleToInt64Bits).ToArray(),
        _ => throw new ArgumentException("not a float or double array"),
    };

    private static void FillGradients(float[] g, int t)
    {
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = MathF.Sin((t * 0.37f) + i);
        }
    }

    private static void FillGradients(double[] g, int t)
    {
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = Math.Sin((t * 0.37) + i);
        }
    }
}
