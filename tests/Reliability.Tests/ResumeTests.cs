using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// Resuming from a checkpoint is exact: 50 steps, SaveCheckpoint, LoadCheckpoint into another instance, 50 more steps
/// gives — bit for bit — the parameters, every state buffer, StepCount and Optimizer of 100 steps straight, for every
/// model shape and every RMSprop option that adds state or depends on the step count.
/// </summary>
public class ResumeTests
{
    public static readonly IReadOnlyDictionary<string, RmsProp> Options = new Dictionary<string, RmsProp>
    {
        ["pytorch"] = RmsProp.PyTorch,
        ["centered"] = RmsProp.PyTorch with { Centered = true },
        ["centered-clamped"] = RmsProp.PyTorch with { Centered = true, ClampCenteredVariance = true },
        ["momentum"] = RmsProp.PyTorch with { Momentum = 0.9 },
        ["momentum-lr-inside"] = RmsProp.Keras with { Momentum = 0.9, LearningRate = 0.01 },
        ["centered-momentum"] = RmsProp.PyTorch with { Centered = true, Momentum = 0.8 },
        ["centered-momentum-nesterov"] = RmsProp.Optax with { Centered = true, Momentum = 0.7, Nesterov = true, LearningRate = 0.01 },
        ["bias-correction"] = RmsProp.Optax with { BiasCorrection = true, LearningRate = 0.01 },
        ["bias-correction-centered-momentum"] = RmsProp.PyTorch with { BiasCorrection = true, Centered = true, Momentum = 0.5 },
        ["initial-accumulator"] = RmsProp.TensorFlow1 with { LearningRate = 0.05 },
        ["initial-accumulator-momentum"] = RmsProp.TensorFlow1 with { LearningRate = 0.05, Momentum = 0.9, InitialAccumulatorValue = 0.1 },
        ["weight-decay-coupled-maximize"] = RmsProp.PyTorch with { WeightDecay = 0.1, Maximize = true },
        ["weight-decay-decoupled"] = RmsProp.Keras with { WeightDecay = 0.05, LearningRate = 0.02 },
        // Doubles whose shortest round-trip text is long or extreme: the hyperparameters' JSON must keep every bit.
        ["awkward-doubles"] = new RmsProp
        {
            LearningRate = 0.1 + 0.2,
            Decay = 1 - Math.ScaleB(1, -40),
            Epsilon = double.Epsilon,
            InitialAccumulatorValue = 1.0 / 3.0,
            Momentum = Math.BitIncrement(0.5),
            WeightDecay = 1e-300,
            BiasCorrection = true,
            Centered = true,
            ClampCenteredVariance = true,
        },
    };

    /// <summary>A learning-rate schedule applied before each step from StepCount, in both runs alike.</summary>
    private static RmsProp Schedule(long step, RmsProp o) => o with { LearningRate = 0.02 / (1 + (0.05 * step)) };

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string model in new[] { nameof(ScalarModel), nameof(ArrayModel), nameof(MixedModel) })
        {
            foreach (string options in Options.Keys.Append("schedule"))
            {
                foreach (string via in new[] { "stream", "path" })
                {
                    data.Add(model, options, via);
                }
            }
        }

        return data;
    }

    internal static ITrainable Create(string model) => model switch
    {
        nameof(ScalarModel) => new ScalarModel(),
        nameof(ArrayModel) => new ArrayModel(),
        nameof(MixedModel) => new MixedModel(),
        nameof(GuardModel) => new GuardModel(23),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SaveLoadAndContinue_IsBitIdenticalToTrainingStraight(string modelName, string optionsName, string via)
    {
        RmsProp options = optionsName == "schedule" ? RmsProp.PyTorch with { Centered = true, Momentum = 0.9 } : Options[optionsName];
        Func<long, RmsProp, RmsProp>? schedule = optionsName == "schedule" ? Schedule : null;

        ITrainable straight = Create(modelName);
        straight.Optimizer = options;
        Gradients.Train(straight, 100, schedule: schedule);

        ITrainable first = Create(modelName);
        first.Optimizer = options;
        Gradients.Train(first, 50, schedule: schedule);
        byte[] saved = Save(first);

        // Two targets: a brand-new instance with other hyperparameters, and one that has trained with options that
        // allocate every buffer (centered + momentum), so stale state must not survive the load.
        var fresh = Create(modelName);
        fresh.Optimizer = RmsProp.Keras with { LearningRate = 0.5, Centered = true };
        var dirty = Create(modelName);
        dirty.Optimizer = RmsProp.TensorFlow1 with { Centered = true, Momentum = 0.9, BiasCorrection = true };
        Gradients.Train(dirty, 3, seed: 99);
        Assert.NotEqual(options, fresh.Optimizer);

        foreach (var (name, resumed) in new[] { ("fresh", fresh), ("dirty", dirty) })
        {
            using var directory = new TempDirectory();
            if (via == "stream")
            {
                resumed.LoadCheckpoint(new MemoryStream(saved));
            }
            else
            {
                string path = directory.File("model.safetensors");
                first.SaveCheckpoint(path);
                Assert.Equal(saved, File.ReadAllBytes(path));
                resumed.LoadCheckpoint(path);
            }

            // Loaded: exactly the saved model (gradients are not part of a checkpoint).
            ModelSnapshot.AssertEqual(ModelSnapshot.Take(first, includeGradients: false), ModelSnapshot.Take(resumed, includeGradients: false), $"{name} target right after loading");
            Assert.Equal(saved, Save(resumed));

            Gradients.Train(resumed, 50, schedule: schedule);
            Assert.Equal(100, resumed.StepCount);
            ModelSnapshot.AssertEqual(ModelSnapshot.Take(straight), ModelSnapshot.Take(resumed), $"{name} target after 50 + 50 steps");
            Assert.Equal(Save(straight), Save(resumed));
        }
    }

    [Fact]
    public void CheckpointAtStepZero_ResumesLikeANewModel()
    {
        foreach (string modelName in new[] { nameof(ScalarModel), nameof(ArrayModel), nameof(MixedModel) })
        {
            RmsProp options = RmsProp.TensorFlow1 with { Centered = true, Momentum = 0.5, BiasCorrection = true, LearningRate = 0.01 };
            ITrainable straight = Create(modelName);
            straight.Optimizer = options;
            Gradients.Train(straight, 20);

            ITrainable initial = Create(modelName);
            initial.Optimizer = options;
            byte[] saved = Save(initial);
            ITrainable dirty = Create(modelName);
            dirty.Optimizer = RmsProp.PyTorch with { Momentum = 0.9 };
            Gradients.Train(dirty, 4, seed: 5);
            dirty.LoadCheckpoint(new MemoryStream(saved));
            Assert.Equal(0, dirty.StepCount);
            Gradients.Train(dirty, 20);
            ModelSnapshot.AssertEqual(ModelSnapshot.Take(straight), ModelSnapshot.Take(dirty), modelName);
        }
    }

    [Fact]
    public void ResetOptimizerState_ThenTraining_MatchesANewModelWithTheSameParameters()
    {
        RmsProp options = RmsProp.TensorFlow1 with { Centered = true, Momentum = 0.5, LearningRate = 0.01 };
        var reset = new MixedModel { Optimizer = options };
        Gradients.Train(reset, 10);
        var copy = new MixedModel { Optimizer = options, S = reset.S, T = reset.T, F = (float[])reset.F.Clone(), D = (double[])reset.D.Clone(), E = (double[])reset.E.Clone() };
        reset.ResetOptimizerState();
        Assert.Equal(0, reset.StepCount);
        Gradients.Train(reset, 10, seed: 3);
        Gradients.Train(copy, 10, seed: 3);
        ModelSnapshot.AssertEqual(ModelSnapshot.Take(copy), ModelSnapshot.Take(reset), "after reset");
    }

    internal static byte[] Save(ITrainable model)
    {
        var stream = new MemoryStream();
        model.SaveCheckpoint(stream);
        return stream.ToArray();
    }
}
