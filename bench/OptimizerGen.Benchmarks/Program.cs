// OptimizerGen benchmarks: the generated RMSprop ApplyGradients() against a hand-written Vector512 loop.
// Run from the repository root (see bench/README.md):
//   dotnet run -c Release --project bench/OptimizerGen.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;
using OptimizerGen.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(ShortConfig).Assembly).Run(args, new ShortConfig());
