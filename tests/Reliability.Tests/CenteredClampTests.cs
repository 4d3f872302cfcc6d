using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// Centered RMSprop divides by √(v − ḡ²) (+ ε outside the root, PyTorch's default). With a constant gradient g,
/// v → g² and ḡ → g, so v − ḡ² → 0 and rounding makes it slightly negative: its root is NaN, and so is the parameter.
/// ClampCenteredVariance clamps it at 0. Checked on the scalar path (straight-line generated code) and the array path
/// (the kernel's centered variants), float and double, over many constant gradients (each array element its own).
/// </summary>
public class CenteredClampTests(ITestOutputHelper output)
{
    private const int Steps = 1500;
    private const int Candidates = 24;

    public static TheoryData<double> Decays() => new([0.9, 0.99, 0.5]);

    /// <summary>Runs every candidate set of constant gradients; returns, per field, how many candidates ended in NaN.</summary>
    private static Dictionary<string, int> NaNCounts(double decay, bool clamp)
    {
        var counts = new Dictionary<string, int> { ["S"] = 0, ["T"] = 0, ["A"] = 0, ["D"] = 0 };
        for (int candidate = 0; candidate < Candidates; candidate++)
        {
            var model = new ClampModel
            {
                Optimizer = RmsProp.PyTorch with { Centered = true, ClampCenteredVariance = clamp, Decay = decay, LearningRate = 1e-6 },
            };
            var rng = new Rng(2024 + (ulong)candidate);
            float gs = (float)Constant(ref rng);
            double gt = Constant(ref rng);
            float[] ga = Enumerable.Range(0, model.A.Length).Select(_ => (float)Constant(ref rng)).ToArray();
            double[] gd = Enumerable.Range(0, model.D.Length).Select(_ => Constant(ref rng)).ToArray();
            for (int step = 1; step <= Steps; step++)
            {
                model.Grad.S = gs;
                model.Grad.T = gt;
                ga.CopyTo(model.Grad.A, 0);
                gd.CopyTo(model.Grad.D, 0);
                Assert.True(model.ApplyGradients());
            }

            counts["S"] += float.IsNaN(model.S) ? 1 : 0;
            counts["T"] += double.IsNaN(model.T) ? 1 : 0;
            counts["A"] += model.A.Any(float.IsNaN) ? 1 : 0;
            counts["D"] += model.D.Any(double.IsNaN) ? 1 : 0;
        }

        return counts;
    }

    /// <summary>Constant gradients of varied magnitudes and signs: ±[0.001, 10).</summary>
    private static double Constant(ref Rng rng) => rng.Uniform() * Math.Pow(10, rng.Below(4) - 2);

    private static string Describe(Dictionary<string, int> counts) =>
        string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}/{Candidates}"));

    [Theory]
    [MemberData(nameof(Decays))]
    public void WithTheClamp_ConstantGradientsNeverProduceNaN(double decay)
    {
        var counts = NaNCounts(decay, clamp: true);
        output.WriteLine($"decay {decay}, clamped: candidates ending in NaN — {Describe(counts)}");
        Assert.True(counts.Values.All(c => c == 0), $"NaN despite ClampCenteredVariance: {Describe(counts)}");
    }

    /// <summary>
    /// Without the clamp the same runs produce NaN in float — on the scalar path and the array path — which shows the
    /// clamped runs above really met a negative v − ḡ². (Double, with 29 more bits, is reported, not required.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Decays))]
    public void WithoutTheClamp_TheSameRunsProduceNaN(double decay)
    {
        var counts = NaNCounts(decay, clamp: false);
        output.WriteLine($"decay {decay}, not clamped: candidates ending in NaN — {Describe(counts)}");
        Assert.True(counts["S"] > 0, $"no float scalar run reached a negative variance: {Describe(counts)}");
        Assert.True(counts["A"] > 0, $"no float array run reached a negative variance: {Describe(counts)}");
    }

    /// <summary>While v − ḡ² stays positive the clamp changes nothing: both runs are bit-identical.</summary>
    [Fact]
    public void TheClampChangesNothingWhileTheVarianceIsPositive()
    {
        var options = RmsProp.PyTorch with { Centered = true, Decay = 0.9, Momentum = 0.5 };
        var clamped = new ClampModel { Optimizer = options with { ClampCenteredVariance = true } };
        var plain = new ClampModel { Optimizer = options };
        Gradients.Train(clamped, 30);
        Gradients.Train(plain, 30);
        var a = ModelSnapshot.Take(clamped);
        var b = ModelSnapshot.Take(plain);
        a.Remove("Optimizer");
        b.Remove("Optimizer");
        ModelSnapshot.AssertEqual(b, a, "random gradients (variance well above 0)");
    }
}
