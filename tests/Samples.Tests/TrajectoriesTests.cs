using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace OptimizerGen.Samples.Tests;

public sealed class TrajectoriesTests
{
    [Fact]
    public async Task RacesTheOptimizersAndDrawsTheirPaths()
    {
        using var directory = new TempDirectory();
        string picture = directory.File("race.png");
        SampleRun run = await SampleRunner.RunAsync("Trajectories", directory.Path, picture);

        SampleAssert.ExitedWith(0, run);
        SampleAssert.WrotePicture(run, picture, width: 1500, height: 600);

        // Each racer: a label line, then "  step n: x = …, y = …, f = …" lines; every one ends far below f(−7, 2) = 6.45.
        var finals = new Dictionary<string, double>();
        string? racer = null;
        foreach (string line in run.Lines.Where(l => l.Length > 0 && !l.StartsWith("picture:")))
        {
            Match step = Regex.Match(line, @"^ +step +\d+: x = .*, f = ([0-9.,]+)$");
            if (step.Success)
            {
                Assert.NotNull(racer);
                finals[racer!] = SampleAssert.Number(step.Groups[1]);
            }
            else
            {
                racer = line;
            }
        }

        Assert.Equal(6, finals.Count);
        foreach (string name in new[] { "SGD (", "SGD + momentum", "AdaGrad", "RMSprop", "Adam", "Lion, your own [UpdateRule]" })
        {
            Assert.Single(finals.Keys, label => label.StartsWith(name, StringComparison.Ordinal));
        }

        // The seed's point: plain gradient descent crawls along the flat x direction; momentum and the adaptive
        // methods get much further in the same 60 steps.
        double sgd = finals.Single(kv => kv.Key.StartsWith("SGD (", StringComparison.Ordinal)).Value;
        Assert.All(finals.Where(kv => !kv.Key.StartsWith("SGD (", StringComparison.Ordinal)), kv => Assert.True(kv.Value < sgd / 4, $"{kv.Key} ended at f = {kv.Value}, not well below plain SGD's {sgd}; {run}"));
        foreach ((string label, double f) in finals)
        {
            Assert.True(f < 0.645, $"{label} ended at f = {f}, not under a tenth of the start's 6.45; {run}");
        }
    }

    [Fact]
    public async Task WritesItsPictureToTheWorkingDirectoryByDefault()
    {
        using var directory = new TempDirectory();
        SampleRun run = await SampleRunner.RunAsync("Trajectories", directory.Path);

        SampleAssert.ExitedWith(0, run);
        SampleAssert.WrotePicture(run, directory.File("trajectories.png"), width: 1500, height: 600);
    }
}
