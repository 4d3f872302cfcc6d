// OptimizerGen Step benchmarks: the generated Step (compile-time gradient fused with RMSprop) against a hand-written
// fused C# loop and TorchSharp. Run from the repository root (see README.md):
//   dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --filter '*'
// copies of the update loop changed one way each, timed against the generated update (see docs/benchmarks.md):
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --loop-experiments
// or, for ratios that hold on a loaded machine (thread CPU time, one process, interleaved):
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --cpu-time
// or GuardSweep's methods at one N (2 or 64) interleaved in one process:
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --guard-experiments 2
// or where the generated update's time goes at N = 64, and the second thread at 16M (interleaved):
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --overhead-ladder   (or: --overhead-ladder 7, one rung alone)
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --aliasing-probe
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --threads-experiments
// or every UpdateSweep case from 4 096 up, generated against hand-written, round by round:
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --sweep-experiments
using System;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Running;
using OptimizerGen.StepBenchmarks;

// The experiments (not BenchmarkDotNet: variants timed round by round in this one process); anything else goes to
// BenchmarkDotNet's switcher.
Action? experiment = args switch
{
    ["--loop-experiments"] => LoopExperiments.Run,
    ["--small-experiments"] => LoopExperiments.SmallOverhead,
    ["--guard-experiments", var n] => () => LoopExperiments.GuardSweepInterleaved(int.Parse(n, CultureInfo.InvariantCulture)),
    ["--overhead-ladder"] => () => OverheadExperiments.Ladder(),
    ["--overhead-ladder", var rungs] => () => OverheadExperiments.Ladder(rungs.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray()),
    ["--sweep-experiments"] => OverheadExperiments.Sweep,
    ["--aliasing-probe"] => OverheadExperiments.Aliasing,
    ["--threads-experiments"] => () => OverheadExperiments.Threads(),
    ["--threads-experiments", var n] => () => OverheadExperiments.Threads(int.Parse(n, CultureInfo.InvariantCulture)),
    ["--placement-experiments"] => LoopExperiments.Placement,
    ["--family-experiments"] => LoopExperiments.Family,
    ["--step-experiments"] => StepExperiments.Run,
    ["--cpu-time"] => CpuTimeRun.Run,
    _ => null,
};

if (experiment is not null)
{
    experiment();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Neuron).Assembly).Run(args);
