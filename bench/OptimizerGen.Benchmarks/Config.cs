using System;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace OptimizerGen.Benchmarks;

/// <summary>
/// The configuration Program.cs runs with: a short job (one launch, 3 warm-up and 15 measured iterations of ~100 ms),
/// marked default so a <c>--job</c> on the command line replaces it rather than adding to it, and the effective
/// bandwidth column. <see cref="LargeArrayStep"/> overrides the iteration counts (one step per iteration).
/// </summary>
public sealed class ShortConfig : ManualConfig
{
    public ShortConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
            .AsDefault());
        AddColumn(StatisticColumn.Median, new GigabytesPerSecondColumn());
    }
}

/// <summary>The bytes one call must move between the core and memory (for the GB/s column).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BytesMovedAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>Effective bandwidth: <see cref="BytesMovedAttribute"/> / mean time, in GB/s (10⁹ bytes per second).</summary>
public sealed class GigabytesPerSecondColumn : IColumn
{
    public string Id => nameof(GigabytesPerSecondColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Effective bandwidth: bytes the call must move (BytesMoved) / mean time, 10^9 B/s";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BytesMovedAttribute? bytes = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<BytesMovedAttribute>();
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return bytes is null || meanNs is not > 0 ? "-" : (bytes.Bytes / meanNs.Value).ToString("F1", CultureInfo.InvariantCulture);
    }
}
