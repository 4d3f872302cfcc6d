using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace OptimizerGen.Samples.Tests;

/// <summary>What a sample's process did: its exit code and everything it printed.</summary>
public sealed record SampleRun(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>The printed lines, without line endings.</summary>
    public string[] Lines => Output.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

    /// <summary>Everything about the run, for an assertion's message.</summary>
    public override string ToString() =>
        $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs a sample's built assembly with <c>dotnet exec</c>. The test project builds the samples first (they are its
/// project references) and records where each one's assembly is (see Samples.Tests.csproj), so the samples run as
/// built in the same configuration as the tests, with no build of their own.
/// </summary>
public static class SampleRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The path of a sample's built assembly, e.g. <c>Mlp</c> → <c>…/samples/Mlp/bin/Debug/net10.0/Mlp.dll</c>.</summary>
    public static string AssemblyOf(string sample)
    {
        string? path = typeof(SampleRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "Sample:" + sample)?.Value;
        if (path is null)
        {
            throw new InvalidOperationException($"No sample '{sample}' is recorded: add its project to Samples.Tests.csproj's ProjectReferences.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Sample '{sample}' is not built at {path}: build the solution (dotnet test does) first.", path);
        }

        return path;
    }

    /// <summary>Runs the sample to its end in <paramref name="workingDirectory"/> and returns what it did.</summary>
    public static async Task<SampleRun> RunAsync(string sample, string workingDirectory, params string[] arguments)
    {
        // The SDK tells the processes it starts (the test host among them) which dotnet it is; else the one on PATH.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)
            ? hostPath
            : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(AssemblyOf(sample));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(Timeout)) != exited)
        {
            process.Kill(entireProcessTree: true);
            await exited;
            throw new TimeoutException($"Sample '{sample}' did not finish within {Timeout.TotalSeconds} s.\n--- stdout ---\n{await output}\n--- stderr ---\n{await error}");
        }

        return new SampleRun(process.ExitCode, await output, await error, clock.Elapsed);
    }
}

/// <summary>A fresh directory under the system's temporary directory, deleted with everything in it when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "optimizergen-samples-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary directory fails no test.
        }
    }
}
