using System;
using System.Threading.Tasks;
using OptimizerGen.Integration.Tests.Conformance;
using OptimizerGen.Integration.Tests.Models;
using Xunit;

namespace OptimizerGen.Integration.Tests.UserRules;

/// <summary>
/// Users' rules against the built-in RMSprop and the Lion formula (<see cref="UserRuleChecks"/>) on every SIMD path:
/// in-process (Vector512 here), and in child processes with Vector512 off (Vector256), AVX2 off (Vector128) and every
/// intrinsic off (scalar); allocation-free steps; checkpoints with the rule's state keys.
/// </summary>
public sealed class UserRuleTests
{
    [Fact]
    public void Rules_match_the_built_in_and_the_formula_on_the_widest_path()
    {
        UserRuleReport report = UserRuleChecks.RunAll();
        Assert.True(report.Failures.Count == 0, report + "\n" + string.Join("\n", report.Failures));
        Assert.True(report.Checks > 100_000, report.ToString());

        // The textbook rule rounds (1−α)·g·g before adding α·v; the kernel fuses it. Both are correctly rounded at
        // each step, so they drift apart by a few ulps, never more than the conformance tolerances (checked above),
        // and not zero (so the exact comparison of the FMA rule above is not vacuous).
        Assert.InRange(report.TextbookDeviation32, 1e-9, 1e-5);
        Assert.InRange(report.TextbookDeviation64, 1e-18, 1e-12);
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512", "Vector512.IsHardwareAccelerated=False Vector256.IsHardwareAccelerated=True")]
    [InlineData("DOTNET_EnableAVX2", "Vector256.IsHardwareAccelerated=False Vector128.IsHardwareAccelerated=True")]
    [InlineData("DOTNET_EnableHWIntrinsic", "Vector128.IsHardwareAccelerated=False")]
    public async Task Rules_match_on_the_narrower_paths(string switchOff, string expectedHardware)
    {
        (int exitCode, string output, string error) = await SimdPathTests.RunAsync([Program.UserRulesCommand], switchOff);
        Assert.True(exitCode == 0, $"child with {switchOff}=0 exited with {exitCode}:\n{output}\n{error}");
        Assert.Contains(expectedHardware, output);
        Assert.Contains(" 0 failures", output);
        Assert.DoesNotContain("FAIL", output);
    }

    [Fact]
    public void A_step_of_a_user_rule_allocates_nothing()
    {
        var m = new LionModel { A32 = new float[1000], A64 = new double[77] };
        Assert.Equal(0, AllocationTests.AllocatedBytes(t =>
        {
            LionModel.Gradients g = m.Grad;
            for (int i = 0; i < g.A32.Length; i++)
            {
                g.A32[i] = MathF.Sin(t + i);
            }

            g.A64[t % g.A64.Length] = Math.Cos(t);
            g.S32 = MathF.Sin(t);
            g.S64 = Math.Sin(-t);
            m.Optimizer = m.Optimizer with { LearningRate = 1e-3 / (1 + t) };
            m.GradientClipping = GradientClipping.ByGlobalNorm(1.0);
            m.ApplyGradients();
        }));
        Assert.NotNull(m.OptimizerState.A32.Buffer0);
    }

    [Fact]
    public void Checkpoints_name_the_state_with_the_rule_key_and_restore_it()
    {
        var m = new LionModel { A32 = [1, 2, 3], A64 = [4, 5], Optimizer = new Lion { LearningRate = 0.5, Beta2 = 0.5 } };
        m.Grad.A32[0] = 1;
        m.Grad.S64 = -2;
        m.ApplyGradients();
        using var stream = new System.IO.MemoryStream();
        m.SaveCheckpoint(stream);
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"A32.exp_avg\"", text, StringComparison.Ordinal);
        Assert.Contains("\"S64.exp_avg\"", text, StringComparison.Ordinal);
        Assert.Contains("\"optimizer\":\"Lion\"", text.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var restored = new LionModel { A32 = new float[3], A64 = new double[2] };
        stream.Position = 0;
        restored.LoadCheckpoint(stream);
        Assert.Equal(m.A32, restored.A32);
        Assert.Equal(m.OptimizerState.A32.Buffer0, restored.OptimizerState.A32.Buffer0);
        Assert.Equal(m.OptimizerState.S64.Buffer0, restored.OptimizerState.S64.Buffer0);
        Assert.Equal(0.5, restored.Optimizer.LearningRate);
        Assert.Equal(0.5, restored.Optimizer.Beta2);
        Assert.Equal(1, restored.StepCount);

        // Another optimizer's checkpoint is refused.
        var other = new UserRmsModel { A32 = new float[3], A64 = new double[2] };
        stream.Position = 0;
        Assert.Throws<System.IO.InvalidDataException>(() => other.LoadCheckpoint(stream));
    }

    [Fact]
    public void A_rule_without_state_updates_and_checkpoints()
    {
        var m = new SignSgdModel { S = 1, A = [1, 2, 3, 4, 5, 6, 7, 8, 9], Optimizer = new SignSgd { LearningRate = 0.25 } };
        m.Grad.S = -3;
        double[] g = [1, -1, 0, 2, -2, 0.5, -0.5, 1e-300, -0.0];
        g.CopyTo(m.Grad.A, 0);
        Assert.True(m.ApplyGradients());
        Assert.Equal(1.25f, m.S);
        Assert.Equal([0.75, 2.25, 3, 3.75, 5.25, 5.75, 7.25, 7.75, 9], m.A);
        Assert.Null(m.OptimizerState.A.Buffer0);
        Assert.All(m.Grad.A, v => Assert.Equal(0, v));

        using var stream = new System.IO.MemoryStream();
        m.SaveCheckpoint(stream);
        var restored = new SignSgdModel { A = new double[9] };
        stream.Position = 0;
        restored.LoadCheckpoint(stream);
        Assert.Equal(m.A, restored.A);
        Assert.Equal(0.25, restored.Optimizer.LearningRate);
    }
}
