using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace OptimizerGen.Integration.Tests.Conformance;

/// <summary>Every RMSprop case of the libtorch 2.10 golden data, reproduced by generated code (in-process: the widest SIMD path).</summary>
public sealed class LibTorchConformanceTests
{
    public static IEnumerable<object[]> CaseNames() => GoldenFile.Cases.Select(c => new object[] { c.Name });

    [Fact]
    public void The_golden_file_has_every_documented_case()
    {
        // README: default, 15 more centered × momentum × weight_decay × maximize combinations, textbook, two tensors; × f32/f64.
        Assert.Equal(36, GoldenFile.Cases.Count);
        Assert.Equal(18, GoldenFile.Cases.Count(c => c.IsFloat32));
        Assert.All(GoldenFile.Cases, c => Assert.Equal(30, c.Steps));
        Assert.Equal(2, GoldenFile.Cases.Count(c => c.Tensors.Length == 2 && c.Tensors[0].Length == 1 && c.Tensors[1].Length == 70));
        Assert.Equal(16, GoldenFile.Cases.Select(c => (c.Options.Centered, c.Options.Momentum, c.Options.WeightDecay, c.Options.Maximize)).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Generated_code_reproduces_libtorch(string name)
    {
        GoldenCase c = GoldenFile.Case(name);
        ConformanceReport report = ConformanceRunner.Run(c);

        Assert.True(report.Failures.Count == 0, report + ":\n" + string.Join("\n", report.Failures));

        // Array model + scalars model, plus the scalar-and-array model for the two-tensor case; every step's parameters,
        // the zeroed gradient and the three state buffers of each.
        int expectedRuns = c.Tensors.Length == 2 ? 3 : 2;
        Assert.Equal(expectedRuns, report.Runs);
        int total = c.Tensors.Sum(t => t.Length);
        Assert.True(report.Checks > 30 * (total + 12), $"only {report.Checks} values checked");
    }
}
