using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using Xunit;

namespace OptimizerGen.Integration.Tests.Conformance;

/// <summary>
/// The conformance run on every SIMD path. In-process the kernel takes the widest accelerated width (Vector512 on this
/// machine, see <see cref="LibTorchConformanceTests"/>); here a child process re-runs all cases with
/// <c>DOTNET_EnableAVX512=0</c> (Vector256), <c>DOTNET_EnableAVX2=0</c> (Vector128) and
/// <c>DOTNET_EnableHWIntrinsic=0</c> (no vectors: the scalar loop, and software FMA), and must see those widths
/// switched off.
/// </summary>
public sealed class SimdPathTests
{
    [Fact]
    public void In_process_run_uses_the_widest_path_of_this_machine()
    {
        // The project's machines have AVX-512 (TOOLCHAIN.md); the in-process conformance run then covers Vector512.
        Assert.True(Vector512.IsHardwareAccelerated, "this machine should accelerate Vector512: " + Program.HardwareLine());
    }

    [Fact]
    public async Task Conformance_passes_on_the_Vector256_path()
    {
        string output = await RunChildAsync("DOTNET_EnableAVX512");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", output);
        Assert.Contains("Vector256.IsHardwareAccelerated=True", output);
    }

    [Fact]
    public async Task Conformance_passes_on_the_Vector128_path()
    {
        string output = await RunChildAsync("DOTNET_EnableAVX2");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", output);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", output);
        Assert.Contains("Vector128.IsHardwareAccelerated=True", output);
    }

    [Fact]
    public async Task Conformance_passes_on_the_scalar_path()
    {
        string output = await RunChildAsync("DOTNET_EnableHWIntrinsic");
        Assert.Contains("Vector512.IsHardwareAccelerated=False", output);
        Assert.Contains("Vector256.IsHardwareAccelerated=False", output);
        Assert.Contains("Vector128.IsHardwareAccelerated=False", output);
    }

    [Fact]
    public async Task Child_process_fails_on_bad_arguments()
    {
        // The child's exit code is meaningful: without the command it refuses (so exit 0 above is not a default).
        (int exitCode, string _, string error) = await RunAsync([], null);
        Assert.Equal(2, exitCode);
        Assert.Contains("usage", error);
    }

    private static async Task<string> RunChildAsync(string switchOff)
    {
        (int exitCode, string output, string error) = await RunAsync([Program.ConformanceCommand], switchOff);
        Assert.True(exitCode == 0, $"child with {switchOff}=0 exited with {exitCode}:\n{output}\n{error}");
        Assert.Contains("conformance: 36 cases, 74 model runs", output);
        Assert.Contains(", 0 failures", output);
        Assert.DoesNotContain("FAIL", output);
        return output;
    }

    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, string? switchOff)
    {
        string assembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Start from a clean slate: only the one switch under test.
        start.Environment.Remove("DOTNET_EnableAVX512");
        start.Environment.Remove("DOTNET_EnableHWIntrinsic");
        start.Environment.Remove("DOTNET_EnableAVX2");
        if (switchOff is not null)
        {
            start.Environment[switchOff] = "0";
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The dotnet host running this test: DOTNET_HOST_PATH, the current process, or the runtime's install root.</summary>
    private static string DotNetHost()
    {
        string exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (hostPath is not null && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == exe)
        {
            return processPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }
}
