using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>Starts this test assembly again as a program (<see cref="Program"/>), optionally through a shell prefix.</summary>
internal static class ChildProcess
{
    /// <summary>ISA switches that must not leak from the parent's environment into a child.</summary>
    private static readonly string[] IsaVariables =
        ["DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_EnableHWIntrinsic", "DOTNET_PreferredVectorBitWidth", "DOTNET_MaxVectorTBitWidth"];

    public static (int ExitCode, string Stdout, string Stderr) Run(
        IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, string? shellPrefix = null)
    {
        string assembly = typeof(Program).Assembly.Location;
        Assert.True(File.Exists(Path.ChangeExtension(assembly, ".runtimeconfig.json")), "the runtimeconfig must sit next to the test assembly");
        ProcessStartInfo start;
        if (shellPrefix is null)
        {
            start = new ProcessStartInfo(DotnetHost());
        }
        else
        {
            // bash -c '<prefix>; exec "$0" "$@"' dotnet exec <assembly> <args…>
            start = new ProcessStartInfo("/bin/bash");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(shellPrefix + "; exec \"$0\" \"$@\"");
            start.ArgumentList.Add(DotnetHost());
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"child {string.Join(" ", args)} did not finish in 60 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet host running these tests, else the one named by the SDK, else the one on PATH.</summary>
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
