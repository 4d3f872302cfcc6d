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
        Assert.Single(finals.Keys, label => label.StartsWith("Lion, your own [UpdateRule]", System.StringComparison.Ordinal));
        Assert.Equal(4, finals.Keys.Count(label => label.Contains("RMSprop")));
        Assert.Single(finals.Keys, label => label.Contains("hand-written") && label.Contains("not OptimizerGen"));
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
