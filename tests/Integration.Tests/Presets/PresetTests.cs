using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests.Presets;

/// <summary>
/// <c>RmsProp.Keras</c>, <c>RmsProp.TensorFlow1</c>, <c>RmsProp.Optax</c> (and <c>RmsProp.PyTorch</c>), with the
/// variants each framework supports, trained for 20 steps on <see cref="PresetModel"/> next to a double-precision
/// implementation written from the framework's source (<see cref="FrameworkReferences"/>). Small gradients
/// (scale 1e-3 / 1e-4) make ε's size and place (inside or outside the root) visible; a learning-rate schedule makes
/// the momentum style (lr inside or outside the buffer) visible.
/// </summary>
public sealed class PresetTests
{
    private const int Steps = 20;

    /// <summary>A decreasing schedule, changed through <c>model.Optimizer = model.Optimizer with { LearningRate = … }</c> each step.</summary>
    private static readonly Func<int, double> Schedule = t => 0.02 / (1 + (0.15 * t));

    private static readonly PresetCase[] Cases =
    [
        // Keras 3: keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None)
        new("Keras defaults", () => RmsProp.Keras, n => new KerasRmsProp(n)),
        new("Keras defaults, small gradients", () => RmsProp.Keras, n => new KerasRmsProp(n), GradientScale: 1e-3),
        new("Keras momentum=0.9, lr schedule", () => RmsProp.Keras with { Momentum = 0.9 }, n => new KerasRmsProp(n) { Momentum = 0.9 }, Lr: Schedule),
        new("Keras centered, lr=0.01", () => RmsProp.Keras with { LearningRate = 0.01, Centered = true }, n => new KerasRmsProp(n) { Centered = true }),
        new("Keras centered momentum=0.5, small gradients, lr schedule", () => RmsProp.Keras with { Centered = true, Momentum = 0.5 }, n => new KerasRmsProp(n) { Centered = true, Momentum = 0.5 }, GradientScale: 1e-3, Lr: Schedule),
        new("Keras weight_decay=0.05 with exclude_from_weight_decay, lr=0.01", () => RmsProp.Keras with { LearningRate = 0.01, WeightDecay = 0.05 }, n => new KerasRmsProp(n) { WeightDecay = 0.05 }),
        new("Keras weight_decay=0.05 momentum=0.9 centered, lr schedule", () => RmsProp.Keras with { WeightDecay = 0.05, Momentum = 0.9, Centered = true }, n => new KerasRmsProp(n) { WeightDecay = 0.05, Momentum = 0.9, Centered = true }, Lr: Schedule),

        // TensorFlow 1: tf.compat.v1.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False)
        new("TF1 defaults, learning_rate=0.001", () => RmsProp.TensorFlow1, n => new TensorFlow1RmsProp(n)),
        new("TF1 defaults, small gradients", () => RmsProp.TensorFlow1 with { LearningRate = 0.05 }, n => new TensorFlow1RmsProp(n), GradientScale: 1e-4),
        new("TF1 momentum=0.9, lr schedule", () => RmsProp.TensorFlow1 with { Momentum = 0.9 }, n => new TensorFlow1RmsProp(n) { Momentum = 0.9 }, Lr: Schedule),
        new("TF1 centered, learning_rate=0.01", () => RmsProp.TensorFlow1 with { LearningRate = 0.01, Centered = true }, n => new TensorFlow1RmsProp(n) { Centered = true }),
        new("TF1 centered momentum=0.9 decay=0.8 epsilon=1e-6, lr schedule", () => RmsProp.TensorFlow1 with { Centered = true, Momentum = 0.9, Decay = 0.8, Epsilon = 1e-6 }, n => new TensorFlow1RmsProp(n) { Centered = true, Momentum = 0.9, Decay = 0.8, Epsilon = 1e-6 }, Lr: Schedule),

        // Optax: optax.rmsprop(learning_rate, decay=0.9, eps=1e-8, initial_scale=0., eps_in_sqrt=True, centered=False, momentum=None, nesterov=False, bias_correction=False)
        new("Optax defaults, learning_rate=0.001", () => RmsProp.Optax, n => new OptaxRmsProp(n)),
        new("Optax defaults, small gradients", () => RmsProp.Optax with { LearningRate = 0.01 }, n => new OptaxRmsProp(n), GradientScale: 1e-4),
        new("Optax eps_in_sqrt=False, small gradients", () => RmsProp.Optax with { LearningRate = 0.01, EpsilonInsideSqrt = false }, n => new OptaxRmsProp(n) { EpsInSqrt = false }, GradientScale: 1e-4),
        new("Optax initial_scale=0.5", () => RmsProp.Optax with { LearningRate = 0.01, InitialAccumulatorValue = 0.5 }, n => new OptaxRmsProp(n, initialScale: 0.5)),
        new("Optax centered", () => RmsProp.Optax with { LearningRate = 0.01, Centered = true }, n => new OptaxRmsProp(n) { Centered = true }),
        new("Optax momentum=0.9, lr schedule", () => RmsProp.Optax with { Momentum = 0.9 }, n => new OptaxRmsProp(n) { Momentum = 0.9 }, Lr: Schedule),
        new("Optax momentum=0.9 nesterov, lr schedule", () => RmsProp.Optax with { Momentum = 0.9, Nesterov = true }, n => new OptaxRmsProp(n) { Momentum = 0.9, Nesterov = true }, Lr: Schedule),
        new("Optax bias_correction, small gradients", () => RmsProp.Optax with { LearningRate = 0.01, BiasCorrection = true }, n => new OptaxRmsProp(n) { BiasCorrection = true }, GradientScale: 1e-4),
        new("Optax bias_correction eps_in_sqrt=False momentum=0.9", () => RmsProp.Optax with { LearningRate = 0.01, BiasCorrection = true, EpsilonInsideSqrt = false, Momentum = 0.9 }, n => new OptaxRmsProp(n) { BiasCorrection = true, EpsInSqrt = false, Momentum = 0.9 }),

        // centered + bias_correction from initial_scale 0 is ill-conditioned in any implementation: at step 1 nu_hat = g² and
        // mu_hat = g, so nu_hat − mu_hat² is 0 up to rounding and the step is g/√eps. initial_scale = 0.1 makes it 0.9.
        new("Optax centered bias_correction initial_scale=0.1 momentum=0.9 nesterov, lr schedule", () => RmsProp.Optax with { Centered = true, BiasCorrection = true, InitialAccumulatorValue = 0.1, Momentum = 0.9, Nesterov = true }, n => new OptaxRmsProp(n, initialScale: 0.1) { Centered = true, BiasCorrection = true, Momentum = 0.9, Nesterov = true }, Lr: Schedule),
        new("Optax chain(add_decayed_weights(0.05, mask), rmsprop), momentum=0.9", () => RmsProp.Optax with { LearningRate = 0.01, WeightDecay = 0.05, Momentum = 0.9 }, n => new OptaxRmsProp(n) { AddDecayedWeights = 0.05, Momentum = 0.9 }),

        // PyTorch: torch.optim.RMSprop(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False)
        new("PyTorch defaults", () => RmsProp.PyTorch, n => new TorchRmsProp(n)),
        new("PyTorch defaults, small gradients", () => RmsProp.PyTorch, n => new TorchRmsProp(n), GradientScale: 1e-4),
        new("PyTorch weight_decay momentum centered maximize, lr schedule", () => RmsProp.PyTorch with { WeightDecay = 0.05, Momentum = 0.9, Centered = true, Maximize = true }, n => new TorchRmsProp(n) { WeightDecay = 0.05, Momentum = 0.9, Centered = true, Maximize = true }, Lr: Schedule),
    ];

    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Preset_matches_the_framework_source(string name)
    {
        PresetCase c = Cases.Single(x => x.Name == name);
        var model = new PresetModel();
        ModelView view = ModelView.Of(model);
        IRmsPropReference reference = c.Reference(view.Length);

        List<string> failures = ReferenceTrainer.Compare(view, reference, c.Options(), Steps, seed: (ulong)(System.Array.IndexOf(Cases, c) + 1), c.GradientScale, c.Lr);

        Assert.True(failures.Count == 0, name + ":\n" + string.Join("\n", failures));
    }

    [Fact]
    public void The_reference_comparison_can_fail()
    {
        // Guard against a comparison that passes everything: a preset against another framework's semantics must fail.
        var view = ModelView.Of(new PresetModel());
        List<string> failures = ReferenceTrainer.Compare(view, new KerasRmsProp(view.Length), RmsProp.Optax with { LearningRate = 0.001 }, Steps, gradientScale: 1e-3);
        Assert.NotEmpty(failures);
    }

    [Fact]
    public void Preset_defaults_are_the_frameworks_defaults()
    {
        // keras/src/optimizers/rmsprop.py: learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False;
        // update_step: denominator = velocity + epsilon (inside sqrt); momentum += lr·g/√…; weight_decay decoupled.
        Assert.Equal((0.001, 0.9, 1e-7, true, 0.0, 0.0, false, MomentumStyle.LearningRateInsideBuffer, true), Describe(RmsProp.Keras));

        // tensorflow/python/training/rmsprop.py: decay=0.9, momentum=0.0, epsilon=1e-10; "rms" slot ones_initializer.
        Assert.Equal((0.001, 0.9, 1e-10, true, 1.0, 0.0, false, MomentumStyle.LearningRateInsideBuffer, false), Describe(RmsProp.TensorFlow1));

        // optax/_src/alias.py: decay=0.9, eps=1e-8, initial_scale=0., eps_in_sqrt=True, momentum=None, bias_correction=False.
        Assert.Equal((0.001, 0.9, 1e-8, true, 0.0, 0.0, false, MomentumStyle.LearningRateInsideBuffer, false), Describe(RmsProp.Optax));

        // torch/optim/rmsprop.py: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False.
        Assert.Equal((0.01, 0.99, 1e-8, false, 0.0, 0.0, false, MomentumStyle.LearningRateOutsideBuffer, false), Describe(RmsProp.PyTorch));
        Assert.Equal(RmsProp.PyTorch, new RmsProp());

        static (double, double, double, bool, double, double, bool, MomentumStyle, bool) Describe(RmsProp o) =>
            (o.LearningRate, o.Decay, o.Epsilon, o.EpsilonInsideSqrt, o.InitialAccumulatorValue, o.Momentum, o.Centered, o.MomentumStyle, o.DecoupledWeightDecay);
    }

    private sealed record PresetCase(string Name, Func<RmsProp> Options, Func<int, IRmsPropReference> Reference, double GradientScale = 1.0, Func<int, double>? Lr = null);
}
