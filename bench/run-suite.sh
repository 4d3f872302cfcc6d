#!/usr/bin/env bash
# The whole benchmark suite (see bench/README.md): the update sweep and the Step benchmarks, then the generator.
# Prints uptime (load) before and after each part; BenchmarkDotNet writes its tables under BenchmarkDotNet.Artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
start=$(date +%s)
echo "== $(date -u '+%F %T UTC')  $(uptime)"
dotnet run -c Release --project bench/OptimizerGen.StepBenchmarks -- --filter '*' "$@"
echo "== $(date -u '+%F %T UTC')  $(uptime)"
dotnet run -c Release --project bench/OptimizerGen.GeneratorBenchmarks -- --filter '*' "$@"
echo "== $(date -u '+%F %T UTC')  $(uptime)"
echo "== whole suite: $(( $(date +%s) - start )) s"
