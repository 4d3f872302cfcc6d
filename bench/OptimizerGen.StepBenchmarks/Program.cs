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
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --overhead-ladder
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --aliasing-probe
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --threads-experiments
// or every UpdateSweep case from 4 096 up, generated against hand-written, round by round:
//   DOTNET_TC_CallCountingDelayMs=0 dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --sweep-experiments
using System;
using BenchmarkDotNet.Running;
using OptimizerGen.StepBenchmarks;

if (args is ["--loop-experiments"])
{
    LoopExperiments.Run();
    return;
}

if (args is ["--small-experiments"])
{
    LoopExperiments.SmallOverhead();
    return;
}

if (args is ["--guard-experiments", var guardN])
{
    LoopExperiments.GuardSweepInterleaved(int.Parse(guardN, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["--overhead-ladder"])
{
    OverheadExperiments.Ladder();
    return;
}

if (args is ["--sweep-experiments"])
{
    OverheadExperiments.Sweep();
    return;
}

if (args is ["--aliasing-probe"])
{
    OverheadExperiments.Aliasing();
    return;
}

if (args is ["--threads-experiments"])
{
    OverheadExperiments.Threads();
    return;
}

if (args is ["--threads-experiments", var threadsN])
{
    OverheadExperiments.Threads(int.Parse(threadsN, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["--placement-experiments"])
{
    LoopExperiments.Placement();
    return;
}

if (args is ["--family-experiments"])
{
    LoopExperiments.Family();
    return;
}

if (args is ["--step-experiments"])
{
    StepExperiments.Run();
    return;
}

if (args is ["--cpu-time"])
{
    CpuTimeRun.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Neuron).Assembly).Run(args);
