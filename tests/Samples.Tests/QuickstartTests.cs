using System.Threading.Tasks;
using Xunit;

namespace OptimizerGen.Samples.Tests;

public sealed class QuickstartTests
{
    [Fact]
    public async Task FitsTheSeedNeuron()
    {
        using var directory = new TempDirectory();
        SampleRun run = await SampleRunner.RunAsync("Quickstart", directory.Path);

        SampleAssert.ExitedWith(0, run);
        double first = SampleAssert.Number(SampleAssert.Line(run, @"^epoch +1: loss = ([0-9.,]+)$").Groups[1]);
        double final = SampleAssert.Number(SampleAssert.Line(run, @"^final: +w = \S+, b = \S+, loss = ([0-9.,]+)$").Groups[1]);
        Assert.True(final < 1e-3, $"final loss {final} is not under 1e-3; {run}");
        Assert.True(final < first / 100, $"the loss went from {first} only to {final}; {run}");
    }
}
