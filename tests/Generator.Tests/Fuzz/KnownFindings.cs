using System;
using System.Collections.Generic;
using System.Linq;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>
/// Findings of the fuzzer that are already pinned by a regression [Fact] in FuzzTests (which fails until the generator is
/// fixed). The property test tolerates a problem only when the case has the triggering input AND the problem has the
/// finding's symptom, so anything else still fails it. Delete an entry once its [Fact] passes.
/// </summary>
internal static class KnownFindings
{
    // Every finding so far is fixed (docs/fuzzing.md keeps the history). Add an entry here, e.g.
    //   (nameof(FuzzTests.FindingN_…), (c, p) => c.Source.Contains("…", StringComparison.Ordinal) && p.Kind == "generated code: CS…"),
    // only together with a failing FindingN fact.
    internal static readonly List<(string Fact, Func<FuzzCase, Problem, bool> Matches)> Findings = new();

    /// <summary>The regression test that pins this problem, or null when it is new.</summary>
    public static string? Match(FuzzCase fuzzCase, Problem problem) => Findings.FirstOrDefault(f => f.Matches(fuzzCase, problem)).Fact;
}
