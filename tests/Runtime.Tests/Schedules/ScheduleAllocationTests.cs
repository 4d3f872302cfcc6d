using System;
using OptimizerGen.Schedules;
using Xunit;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// After warm-up, evaluating a schedule, stepping <see cref="ReduceLROnPlateau"/> and applying either to an
/// <see cref="RmsProp"/> (held, as a generated model holds it, in a property) allocate 0 bytes per epoch.
/// </summary>
public class ScheduleAllocationTests
{
    private const int WarmUpEpochs = 200;
    private const int Epochs = 5000;

    [Fact]
    public void StepLR_AllocatesZeroBytesPerEpoch() => AssertZeroBytes(new StepLR(0.1, stepSize: 7, gamma: 0.5));

    [Fact]
    public void ExponentialLR_AllocatesZeroBytesPerEpoch() => AssertZeroBytes(new ExponentialLR(0.1, gamma: 0.999));

    [Fact]
    public void LinearLR_AllocatesZeroBytesPerEpoch() => AssertZeroBytes(new LinearLR(0.1, startFactor: 0.01, endFactor: 1.0, totalIters: 100));

    [Fact]
    public void CosineAnnealingLR_AllocatesZeroBytesPerEpoch() => AssertZeroBytes(new CosineAnnealingLR(0.1, tMax: 300, etaMin: 1e-5));

    [Fact]
    public void ValueTypeSchedule_AllocatesZeroBytesPerEpoch() => AssertZeroBytes(new ConstantSchedule(0.01));

    [Fact]
    public void ThroughTheInterface_AllocatesZeroBytesPerEpoch()
    {
        ILearningRateSchedule schedule = new CosineAnnealingLR(0.1, tMax: 300);
        AssertZeroBytes(schedule);
    }

    [Fact]
    public void ReduceLROnPlateau_StepAndApply_AllocateZeroBytesPerEpoch()
    {
        var model = new FakeModel { Optimizer = RmsProp.Keras with { Momentum = 0.9, Centered = true } };
        var plateau = new ReduceLROnPlateau(model.Optimizer.LearningRate, factor: 0.5, patience: 3, cooldown: 2, minLearningRate: 1e-9);
        double sum = 0;
        for (int epoch = 0; epoch < WarmUpEpochs; epoch++)
        {
            sum += PlateauEpoch(model, plateau, epoch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int epoch = WarmUpEpochs; epoch < WarmUpEpochs + Epochs; epoch++)
        {
            sum += PlateauEpoch(model, plateau, epoch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
        Assert.True(plateau.LearningRate < 1e-3, "the script reduced the learning rate");
    }

    private static double PlateauEpoch(FakeModel model, ReduceLROnPlateau plateau, int epoch)
    {
        // A loss that improves for 5 epochs in every 12, then stalls: reductions, cooldowns and improvements.
        double metric = 10.0 / (1 + epoch / 12) - (epoch % 12 < 5 ? epoch % 12 * 0.01 : 0.0);
        plateau.Step(metric);
        model.Optimizer = plateau.Apply(model.Optimizer);
        return model.Optimizer.LearningRate;
    }

    private static void AssertZeroBytes<TSchedule>(TSchedule schedule)
        where TSchedule : ILearningRateSchedule
    {
        var model = new FakeModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.5, WeightDecay = 1e-4 } };
        double sum = 0;
        for (long epoch = 0; epoch < WarmUpEpochs; epoch++)
        {
            sum += Epoch(schedule, model, epoch);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long epoch = WarmUpEpochs; epoch < WarmUpEpochs + Epochs; epoch++)
        {
            sum += Epoch(schedule, model, epoch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
        Assert.Equal(schedule.LearningRateAt(WarmUpEpochs + Epochs - 1), model.Optimizer.LearningRate);
    }

    private static double Epoch<TSchedule>(TSchedule schedule, FakeModel model, long epoch)
        where TSchedule : ILearningRateSchedule
    {
        model.Optimizer = schedule.Apply(model.Optimizer, epoch);
        return model.Optimizer.LearningRate + schedule.LearningRateAt(epoch);
    }
}
