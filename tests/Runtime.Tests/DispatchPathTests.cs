using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// The dispatcher's other paths, for real: this test assembly is started again as a program (see
/// <see cref="Program"/>) with the JIT's ISA switches in its environment, so <c>RmsPropKernel.Update</c> takes the
/// Vector256, Vector128 or scalar path, and checks the kernel against the reference at every option combination and
/// every length there. (In this process the widest path — Vector512 on this machine — runs in
/// <see cref="KernelReferenceTests"/>.)
/// </summary>
public class DispatchPathTests(ITestOutputHelper output)
{
    private static readonly string[] IsaVariables =
        ["DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_EnableHWIntrinsic", "DOTNET_PreferredVectorBitWidth"];

    [Fact]
    public void Avx512Disabled_DispatcherTakesVector256Path_AndMatchesReference()
    {
        string stdout = RunChild("DOTNET_EnableAVX512", "0");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Vector256.IsHardwareAccelerated=True", stdout);
        Assert.Contains("Simd512<float>=False Simd256<float>=True", stdout);
        Assert.Contains("Simd512<double>=False Simd256<double>=True", stdout);
    }

    [Fact]
    public void Avx2Disabled_DispatcherTakesVector128Path_AndMatchesReference()
    {
        string stdout = RunChild("DOTNET_EnableAVX2", "0");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Vector128.IsHardwareAccelerated=True", stdout);
        Assert.Contains("Simd512<float>=False Simd256<float>=False Simd128<float>=True", stdout);
    }

    [Fact]
    public void HardwareIntrinsicsDisabled_DispatcherTakesScalarPath_AndMatchesReference()
    {
        string stdout = RunChild("DOTNET_EnableHWIntrinsic", "0");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Vector128.IsHardwareAccelerated=False", stdout);
        Assert.Contains("Simd512<double>=False Simd256<double>=False Simd128<double>=False", stdout);
    }

    [Fact]
    public void Child_DefaultEnvironment_TakesTheWidestPath_AndMatchesReference()
    {
        string stdout = RunChild(null, null);
        Assert.Contains($"Vector512.IsHardwareAccelerated={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}", stdout);
        Assert.Contains($"Vector256.IsHardwareAccelerated={System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}", stdout);
        Assert.Contains("DOTNET_TieredCompilation=1", stdout);
    }

    [Fact]
    public void Child_WithoutTheArgument_PrintsUsageAndFails()
    {
        var (exitCode, stdout, stderr) = Start(null, null, []);
        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("usage:", stderr);
    }

    private string RunChild(string? variable, string? value)
    {
        var (exitCode, stdout, stderr) = Start(variable, value, [Program.DispatchCheck]);
        output.WriteLine($"{variable}={value}: exit code {exitCode}");
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(exitCode == 0, $"child with {variable}={value} exited with {exitCode}:\n{stdout}\n{stderr}");
        Assert.Contains(Program.PassMarker, stdout);
        return stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) Start(string? variable, string? value, string[] args)
    {
        string assembly = typeof(Program).Assembly.Location;
        Assert.True(File.Exists(Path.ChangeExtension(assembly, ".runtimeconfig.json")), "the runtimeconfig must sit next to the test assembly");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string isa in IsaVariables)
        {
            start.Environment.Remove(isa);
        }

        // The test project turns tiered compilation off for speed; the child runs as a default-configured app does.
        start.Environment["DOTNET_TieredCompilation"] = "1";
        if (variable is not null)
        {
            start.Environment[variable] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"child with {variable}={value} did not finish in 120 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet host running these tests (the test host is started by it), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }
}
