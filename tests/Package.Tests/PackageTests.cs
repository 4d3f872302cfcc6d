using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Package.Tests;

/// <summary>
/// What a user gets after <c>dotnet add package OptimizerGen</c>: the package is packed (from a copy of the sources,
/// with a unique version), then a fresh console project outside the solution references it from a local folder feed,
/// with its own package cache, builds with warnings as errors, and runs a model that uses [Optimize], [Param] and [Loss].
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    [Fact]
    public void PackedPackageWorksInAFreshProject()
    {
        string work = Directory.CreateTempSubdirectory("optg-package-").FullName;
        try
        {
            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            string feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
            string sources = CopySources(Path.Combine(work, "src-copy"));
            Run("dotnet", $"pack \"{Path.Combine(sources, "src", "Runtime", "Runtime.csproj")}\" -c Release -o \"{feed}\" -p:Version={version}", sources, work);

            string nupkg = Path.Combine(feed, $"OptimizerGen.{version}.nupkg");
            using (ZipArchive package = ZipFile.OpenRead(nupkg))
            {
                string[] entries = package.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/OptimizerGen.Generator.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/OptimizerGen.CodeFixes.dll", entries);
                Assert.Contains("lib/net10.0/OptimizerGen.Runtime.dll", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
                using var nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                // One dependency, the runtime's (System.Numerics.Tensors, for GradientClipping's norms); never the generator.
                string[] dependencies = System.Text.RegularExpressions.Regex.Matches(nuspec.ReadToEnd(), "<dependency id=\"([^\"]+)\"")
                    .Select(m => m.Groups[1].Value).ToArray();
                Assert.Equal(["System.Numerics.Tensors"], dependencies);
            }

            string app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <!-- The machine's sources (nuget.org: the runtime's dependency) and the local feed, as after `dotnet add package`. -->
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="OptimizerGen" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using OptimizerGen;

                var model = new Neuron { Optimizer = new RmsProp { LearningRate = 0.1, Decay = 0.9, Epsilon = 1e-9, EpsilonInsideSqrt = true } };
                float[] xs = [0.5f, 2.5f], ys = [0.2f, 0.9f];
                float loss = 0f;
                for (int epoch = 0; epoch < 300; epoch++) loss = model.Step(xs, ys);
                Console.WriteLine($"loss={loss:R} steps={model.StepCount}");
                return loss < 1e-3f ? 0 : 1;

                [Optimize(typeof(RmsProp))]
                public partial class Neuron
                {
                    [Param] public float W = -2f;
                    [Param] public float B = -2f;

                    [Loss(Reduction = LossReduction.Sum)]
                    float Loss(float x, float y)
                    {
                        float f = 1f / (1f + MathF.Exp(-(W * x + B)));
                        return 0.5f * (f - y) * (f - y);
                    }
                }
                """);

            string result = Run("dotnet", "run -c Release", app, work);
            Assert.Contains("steps=300", result, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Copies what packing needs (src, the props, README, global.json) so the test never touches the solution's build outputs.</summary>
    private static string CopySources(string destination)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OptimizerGen.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("OptimizerGen.sln not found above the test assembly.");
        }

        foreach (string file in new[] { "Directory.Build.props", "README.md", "global.json" })
        {
            Directory.CreateDirectory(destination);
            File.Copy(Path.Combine(root, file), Path.Combine(destination, file));
        }

        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            string target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return destination;
    }

    private string Run(string command, string arguments, string directory, string work)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NUGET_PACKAGES"] = Path.Combine(work, "packages");   // a private cache: a fresh version every run
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using Process process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{command} {arguments} did not finish in 5 minutes");
        string text = stdout.Result + stderr.Result;
        output.WriteLine($"$ {command} {arguments}\n{text}");
        Assert.True(process.ExitCode == 0, $"{command} {arguments} exited with {process.ExitCode}:\n{text}");
        return text;
    }
}
