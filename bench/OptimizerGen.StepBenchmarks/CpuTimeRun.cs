using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// <c>--cpu-time</c>: the same benchmark methods, run in one process, interleaved round by round, timed by the calling
/// thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)) as well as by the wall clock. On a shared, loaded
/// machine the wall clock also counts the time the thread waits for a core; thread CPU time does not, so its ratios
/// stay put when the load changes. (It still sees caches disturbed by other processes, and it misses the work of
/// libtorch's second thread: read the 2-thread row by its wall time.) Set DOTNET_TC_CallCountingDelayMs=0 as well.
/// </summary>
internal static class CpuTimeRun
{
    private const int Rounds = 15;
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(30);

    private sealed record Variant(string Name, Func<float> Run, int StepsPerCall, int TorchThreads = 1);

    public static void Run()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("--cpu-time reads CLOCK_THREAD_CPUTIME_ID through libc (Linux).");
        }

        Console.WriteLine($"// {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, " +
                          $"DOTNET_TC_CallCountingDelayMs={Environment.GetEnvironmentVariable("DOTNET_TC_CallCountingDelayMs") ?? "(unset)"}, " +
                          $"load average {LoadAverage()}");

        var neuron = new NeuronStep();
        neuron.Setup();
        Measure("NeuronStep (per step)",
        [
            new("HandWritten", neuron.HandWritten, NeuronStep.Steps),
            new("Generated", neuron.Generated, NeuronStep.Steps),
            new("TorchSharp", neuron.TorchSharp, NeuronStep.Steps),
        ]);
        neuron.Cleanup();

        var regression = new LinearRegressionStep();
        regression.SetupTorch1();
        Measure("LinearRegressionStep (per step)",
        [
            new("HandWritten", regression.HandWritten, 1),
            new("Generated", regression.Generated, 1),
            new("HandWrittenVector512", regression.HandWrittenVector512, 1),
            new("TorchSharp1Thread", regression.TorchSharp1Thread, 1),
            new("TorchSharp2Threads", regression.TorchSharp2Threads, 1, TorchThreads: 2),
        ]);
        regression.Cleanup();
        Console.WriteLine($"// load average {LoadAverage()}");
    }

    private static void Measure(string title, Variant[] variants)
    {
        // Warm up (tier-1 code), then size each variant's block to ~30 ms of thread CPU time.
        var calls = new int[variants.Length];
        for (int v = 0; v < variants.Length; v++)
        {
            torch.set_num_threads(variants[v].TorchThreads);
            long start = ThreadCpuNanoseconds();
            int n = 0;
            while (ThreadCpuNanoseconds() - start < 2 * Block.Ticks * 100 || n < 3)
            {
                variants[v].Run();
                n++;
            }

            calls[v] = Math.Max(1, (int)(n * Block.Ticks * 100 / (double)(ThreadCpuNanoseconds() - start)));
        }

        var cpu = variants.Select(_ => new List<double>()).ToArray();
        var wall = variants.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            for (int v = 0; v < variants.Length; v++)
            {
                torch.set_num_threads(variants[v].TorchThreads);
                long cpuStart = ThreadCpuNanoseconds();
                long wallStart = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls[v]; i++)
                {
                    variants[v].Run();
                }

                double steps = (double)calls[v] * variants[v].StepsPerCall;
                wall[v].Add(Stopwatch.GetElapsedTime(wallStart).Ticks * 100 / steps);
                cpu[v].Add((ThreadCpuNanoseconds() - cpuStart) / steps);
            }
        }

        torch.set_num_threads(1);
        double baseCpu = Median(cpu[0]), baseWall = Median(wall[0]);
        Console.WriteLine();
        Console.WriteLine($"{title}: medians of {Rounds} interleaved rounds; ratios against {variants[0].Name}");
        Console.WriteLine("| Method | thread CPU time | ratio | wall time | ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (int v = 0; v < variants.Length; v++)
        {
            double c = Median(cpu[v]), w = Median(wall[v]);
            Console.WriteLine($"| {variants[v].Name} | {Format(c)} | {c / baseCpu:F2} | {Format(w)} | {w / baseWall:F2} |");
        }
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.OrderBy(x => x)];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double nanoseconds) => nanoseconds switch
    {
        < 1e3 => nanoseconds.ToString("F1", CultureInfo.InvariantCulture) + " ns",
        < 1e6 => (nanoseconds / 1e3).ToString("F2", CultureInfo.InvariantCulture) + " µs",
        _ => (nanoseconds / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " ms",
    };

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (System.IO.IOException)
        {
            return "?";
        }
    }

    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out Timespec time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }
}
