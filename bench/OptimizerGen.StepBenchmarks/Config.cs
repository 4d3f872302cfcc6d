using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// One launch per benchmark, 3 warm-up and 10 measured iterations of ~100 ms (with the sweeps' short jobs, the suite took 9–11 minutes: bench/README.md), with the memory diagnoser.
/// <c>DOTNET_TC_CallCountingDelayMs=0</c> makes tiered compilation promote hot methods at once, so no measured
/// iteration runs tier-0 code (see shared/TOOLCHAIN.md).
/// </summary>
public sealed class StepConfig : ManualConfig
{
    public StepConfig()
    {
        AddJob(Job.Default
            .WithId("Step")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0")));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        HideColumns(Column.Error, Column.RatioSD, Column.AllocRatio);
    }
}

/// <summary>
/// The sweep's short job: one launch, 3 warm-up and 8 measured iterations of ~40 ms (60 ms until run 13, when the suite
/// took 11 minutes; the time goes mostly into starting a process per benchmark, so shorter iterations are what is left to
/// cut), tier-0 avoided as in <see cref="StepConfig"/>, the memory diagnoser, the GB/s column.
/// </summary>
public class SweepConfig : ManualConfig
{
    public SweepConfig()
        : this(launches: 1)
    {
    }

    private protected SweepConfig(int launches)
    {
        AddJob(Job.Default
            .WithId("Sweep")
            .WithLaunchCount(launches)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(TimeInterval.FromMilliseconds(40))
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0"))
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, new SweepBandwidthColumn());
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(30)); // "float Centered N=16777216" in full
        HideColumns(Column.Error, Column.RatioSD, Column.AllocRatio);
    }
}

/// <summary>
/// <see cref="SweepConfig"/> with 3 launches: each <see cref="GuardSweep"/> process draws its own placement, and the result
/// (the median over every launch's iterations) is then the median over 3 draws. Run 13 had 5 (57 s of the suite's 670);
/// 3 keep the suite under 10 minutes and still outvote one slow launch.
/// </summary>
public sealed class GuardSweepConfig : SweepConfig
{
    public GuardSweepConfig()
        : base(launches: 3)
    {
    }
}
