using System.Linq;
using System.Threading.Tasks;
using OptimizerGen.Integration.Tests.Conformance;
using Xunit;

namespace OptimizerGen.Integration.Tests.Family;

/// <summary>
/// Every case of sgd/adagrad/adadelta/adam/adamw.json (libtorch 2.10) on generated code: float32 within 1e-5·max(1, |x|),
/// float64 within 1e-12·max(1, |x|). In-process on the widest path (Vector512 here); child processes re-run all cases
/// with Vector512 off (Vector256), AVX2 off (Vector128) and every intrinsic off (scalar).
/// </summary>
public sealed class FamilyConformanceTests
{
    public static TheoryData<string> Cases => new(FamilyGolden.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_matches_libtorch(string name)
    {
        ConformanceReport report = FamilyConformance.Run(FamilyGolden.Case(name));
        Assert.True(report.Failures.Count == 0, report + "\n" + string.Join("\n", report.Failures));
        Assert.True(report.Checks > 2000, report.ToString());
    }

    [Fact]
    public void Every_file_and_case_is_loaded()
    {
        // 20 SGD + 12 AdaGrad + 8 AdaDelta + 10 Adam + 8 AdamW cases (float32 and float64 each).
        Assert.Equal(58, FamilyGolden.Cases.Count);
        Assert.Equal([20, 12, 8, 10, 8], FamilyGolden.Files.Select(f => FamilyGolden.Cases.Count(c => c.File == f)));
    }

    [Theory]
    [InlineData("DOTNET_EnableAVX512", "Vector512.IsHardwareAccelerated=False Vector256.IsHardwareAccelerated=True")]
    [InlineData("DOTNET_EnableAVX2", "Vector256.IsHardwareAccelerated=False Vector128.IsHardwareAccelerated=True")]
    [InlineData("DOTNET_EnableHWIntrinsic", "Vector128.IsHardwareAccelerated=False")]
    public async Task Conformance_passes_on_the_narrower_paths(string switchOff, string expectedHardware)
    {
        (int exitCode, string output, string error) = await SimdPathTests.RunAsync([Program.FamilyConformanceCommand], switchOff);
        Assert.True(exitCode == 0, $"child with {switchOff}=0 exited with {exitCode}:\n{output}\n{error}");
        Assert.Contains(expectedHardware, output);
        Assert.Contains("family conformance: 58 cases, 116 model runs", output);
        Assert.Contains(", 0 failures", output);
    }
}
