using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>Counts what the cases covered and, per kind of problem, how often it occurred and its smallest input.</summary>
internal sealed class FuzzStats
{
    private readonly ConcurrentDictionary<string, (int Count, FuzzCase Smallest, Problem Example)> _problems = new(StringComparer.Ordinal);
    private readonly List<(double Seconds, FuzzCase Case)> _slowest = new();
    private int _cases, _valid, _edges, _compiles, _rejected, _generated, _withLoss, _ran, _gradientChecks, _tolerated;

    public int Cases => _cases;

    public int Valid => _valid;

    public int Ran => _ran;

    public int GradientChecks => _gradientChecks;

    public int Rejected => _rejected;

    public IReadOnlyDictionary<string, (int Count, FuzzCase Smallest, Problem Example)> Problems => _problems;

    private readonly ConcurrentDictionary<string, int> _toleratedBy = new(StringComparer.Ordinal);

    public void Tolerated(string finding) => _toleratedBy.AddOrUpdate(finding, 1, (_, n) => n + 1);

    public void Record(FuzzCase fuzzCase, Outcome outcome, IReadOnlyList<Problem> failures)
    {
        Interlocked.Increment(ref _cases);
        if (fuzzCase.IsValid)
        {
            Interlocked.Increment(ref _valid);
        }

        if (fuzzCase.HasEdges)
        {
            Interlocked.Increment(ref _edges);
        }

        if (outcome.InputCompiles)
        {
            Interlocked.Increment(ref _compiles);
        }

        if (outcome.OptgDiagnostics > 0)
        {
            Interlocked.Increment(ref _rejected);
        }

        if (outcome.GeneratedSources > 0)
        {
            Interlocked.Increment(ref _generated);
        }

        if (fuzzCase.Source.Contains("[Loss", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _withLoss);
        }

        if (outcome.Ran)
        {
            Interlocked.Increment(ref _ran);
        }

        Interlocked.Add(ref _gradientChecks, outcome.GradientChecks);
        lock (_slowest)
        {
            _slowest.Add((outcome.GeneratorSeconds, fuzzCase));
            _slowest.Sort((a, b) => b.Seconds.CompareTo(a.Seconds));
            if (_slowest.Count > 3)
            {
                _slowest.RemoveAt(3);
            }
        }
        Interlocked.Add(ref _tolerated, outcome.Problems.Count - failures.Count);
        foreach (Problem problem in failures)
        {
            _problems.AddOrUpdate(
                problem.Kind,
                _ => (1, fuzzCase, problem),
                (_, old) => old.Smallest.Source.Length <= fuzzCase.Source.Length
                    ? (old.Count + 1, old.Smallest, old.Example)
                    : (old.Count + 1, fuzzCase, problem));
        }
    }

    public string Summary(TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine($"{_cases} cases in {elapsed.TotalSeconds:F1} s: {_valid} valid by construction, {_cases - _valid} with defects ({_edges} with edge cases);");
        text.AppendLine($"{_compiles} compile without the generator, {_rejected} got an OPTG diagnostic, {_generated} generated code;");
        text.AppendLine($"{_withLoss} have a [Loss], {_ran} were compiled, loaded and run ({_gradientChecks} gradient coordinates checked against finite differences).");
        text.AppendLine(FuzzOracle.Timings.Report());
        // Other threads keep adding cases while a survey report is written: read the list under its lock.
        (double Seconds, FuzzCase Case)[] slowest;
        lock (_slowest)
        {
            slowest = _slowest.ToArray();
        }

        text.AppendLine("slowest generator runs: " + string.Join(", ", slowest.Select(s => $"{s.Seconds:F2} s ({s.Case.Source.Length} chars)")));
        if (Environment.GetEnvironmentVariable("OPTG_FUZZ_SHOW_SLOWEST") == "1" && slowest.Length > 0)
        {
            text.AppendLine(slowest[0].Case.ToString());
        }
        text.AppendLine($"Problems: {_problems.Values.Sum(p => p.Count)} in {_problems.Count} kinds, not counting {_tolerated} tolerated as known findings.");
        foreach (var (finding, count) in _toleratedBy.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  known finding {finding}: {count} problem(s)");
        }

        foreach (var (kind, (count, smallest, example)) in _problems.OrderByDescending(p => p.Value.Count))
        {
            text.AppendLine();
            text.AppendLine($"=== {kind}: {count} case(s); smallest input ({smallest.Source.Length} chars):");
            text.AppendLine(example.Detail);
            text.AppendLine(smallest.ToString());
        }

        return text.ToString();
    }
}
