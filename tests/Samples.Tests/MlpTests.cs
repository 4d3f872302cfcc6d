using System.Threading.Tasks;
using Xunit;

namespace OptimizerGen.Samples.Tests;

public sealed class MlpTests
{
    [Fact]
    public async Task LearnsTwoMoonsAndDrawsLossCurveAndDecisionBoundary()
    {
        using var directory = new TempDirectory();
        string picture = directory.File("moons.png");
        SampleRun run = await SampleRunner.RunAsync("Mlp", directory.Path, picture);

        SampleAssert.ExitedWith(0, run);
        Assert.Equal(11, run.Lines.Length - 3);   // the epoch lines (1, 20, …, 200), then accuracy, picture and a final newline
        double accuracy = SampleAssert.Number(SampleAssert.Line(run, @"^final accuracy: ([0-9.,]+) ?% on 1000 held-out points$").Groups[1]);
        Assert.True(accuracy >= 97, $"held-out accuracy {accuracy} % is under 97 %; {run}");
        SampleAssert.WrotePicture(run, picture, width: 1400, height: 600);
    }
}
