using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>A property violation: <see cref="Kind"/> groups equal findings (it never holds case-specific text).</summary>
internal sealed record Problem(string Kind, string Detail)
{
    public override string ToString() => $"[{Kind}] {Detail}";
}

/// <summary>What one case did: its violations and a few facts for the statistics.</summary>
internal sealed class Outcome
{
    public List<Problem> Problems { get; } = new();

    public bool InputCompiles { get; set; }

    public int OptgDiagnostics { get; set; }

    public int GeneratedSources { get; set; }

    public bool Ran { get; set; }

    public int GradientChecks { get; set; }

    public double GeneratorSeconds { get; set; }
}

/// <summary>
/// Runs OptimizerGen on one case and checks the properties every input must have (no crash, determinism, generated code
/// that compiles cleanly with the user's) and the expectations the case generator recorded (valid ⇒ no diagnostic and
/// one file per class; defect ⇒ a diagnostic, of an id allowed for it). Valid models with a [Loss] are then run
/// (<see cref="FuzzRunner"/>).
/// </summary>
internal static class FuzzOracle
{
    public const string FilePath = "/src/File0.cs";

    internal static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    internal static readonly ImmutableArray<MetadataReference> References =
        Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(RmsProp).Assembly.Location))
            .ToImmutableArray();

    /// <summary>
    /// Every case's compilation derives from this one, so they share its bound references (a fresh
    /// CSharpCompilation.Create binds ~160 reference assemblies again, which made each generator run ~0.3 s).
    /// </summary>
    private static readonly CSharpCompilation Empty = CSharpCompilation.Create(
        "UserProject",
        Array.Empty<SyntaxTree>(),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    internal static CSharpCompilation Compile(params (string Text, string Path)[] sources) =>
        Empty.AddSyntaxTrees(sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, path: s.Path)));

    private static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            new[] { new OptimizerGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The compiler's warnings and errors (CS1701/CS1702, reference-version noise, filtered).</summary>
    internal static List<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id is not ("CS1701" or "CS1702"))
            .ToList();

    public static Outcome Check(FuzzCase fuzzCase)
    {
        var outcome = new Outcome();
        try
        {
            CheckCore(fuzzCase, outcome);
        }
        catch (Exception e)
        {
            // An exception here must become a reported problem: thrown from the CsCheck action, it would make CsCheck
            // skip every larger case while it shrinks.
            outcome.Problems.Add(new Problem(
                e.StackTrace?.Contains("CSharpCompilation.GetDiagnostics", StringComparison.Ordinal) == true && outcome.InputCompiles
                    ? "generated code crashes the compiler (" + e.GetType().Name + ")"
                    : "[fuzzer] exception " + e.GetType().Name,
                e.ToString()));
        }

        return outcome;
    }

    private static void CheckCore(FuzzCase fuzzCase, Outcome outcome)
    {
        List<Problem> problems = outcome.Problems;

        // (1) the generator never throws — twice, each time on a fresh compilation with a fresh driver.
        (GeneratorRunResult result, Compilation output, ImmutableArray<Diagnostic> driverDiagnostics, CSharpCompilation input) Run()
        {
            CSharpCompilation input = Compile((fuzzCase.Source, FilePath));
            GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
            return (driver.GetRunResult().Results.Single(), output, diagnostics, input);
        }

        long t0 = Stopwatch.GetTimestamp();
        var (first, output, driverDiagnostics, alone) = Run();
        Timings.Add(0, t0);
        outcome.GeneratorSeconds = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
        if (first.Exception is not null)
        {
            problems.Add(new Problem("generator threw " + first.Exception.GetType().Name, first.Exception.ToString()));
        }

        foreach (Diagnostic d in driverDiagnostics.Where(d => d.Id is "CS8785" or "CS8784"))
        {
            problems.Add(new Problem("generator failed (" + d.Id + ")", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (Diagnostic d in first.Diagnostics.Where(d => d.Id == "OPTG012"))
        {
            problems.Add(new Problem("OPTG012 (generator caught its own exception)", d.ToString()));
        }

        // (3) determinism: a second run gives byte-identical sources and identical diagnostics.
        t0 = Stopwatch.GetTimestamp();
        var (second, _, _, _) = Run();
        Timings.Add(1, t0);
        string Sources(GeneratorRunResult r) => string.Join("\n=====\n", r.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText));
        string Diagnostics(GeneratorRunResult r) => string.Join("\n", r.Diagnostics.Select(d => $"{d.Id} {d.Severity} {d.Location.SourceSpan} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"));
        if (!string.Equals(Sources(first), Sources(second), StringComparison.Ordinal))
        {
            problems.Add(new Problem("nondeterministic generated source", "first run:\n" + Sources(first) + "\n\nsecond run:\n" + Sources(second)));
        }

        if (!string.Equals(Diagnostics(first), Diagnostics(second), StringComparison.Ordinal))
        {
            problems.Add(new Problem("nondeterministic diagnostics", "first run:\n" + Diagnostics(first) + "\n\nsecond run:\n" + Diagnostics(second)));
        }

        var optg = first.Diagnostics.Where(d => d.Id.StartsWith("OPTG", StringComparison.Ordinal)).ToList();
        outcome.OptgDiagnostics = optg.Count;
        outcome.GeneratedSources = first.GeneratedSources.Length;
        foreach (Diagnostic d in optg)
        {
            // Cached diagnostics carry an external-file location (path + spans), not a syntax tree.
            if (d.Location == Location.None || d.Location.GetLineSpan().Path != FilePath || d.Location.SourceSpan.End > fuzzCase.Source.Length || d.Location.SourceSpan.Length == 0)
            {
                problems.Add(new Problem($"{d.Id} without a location in the user's file", d.ToString()));
            }
        }

        // (2) the generated code compiles with the input, adding no warning and no error.
        t0 = Stopwatch.GetTimestamp();
        List<Diagnostic> before = Problems(alone);
        Timings.Add(2, t0);
        var inputErrors = before.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        outcome.InputCompiles = inputErrors.Count == 0;
        t0 = Stopwatch.GetTimestamp();
        if (inputErrors.Count == 0)
        {
            var known = new HashSet<string>(before.Select(Key), StringComparer.Ordinal);
            var userWarningIds = new HashSet<string>(before.Select(d => d.Id), StringComparer.Ordinal);
            var userWarningSpans = new HashSet<Microsoft.CodeAnalysis.Text.TextSpan>(before.Select(d => d.Location.SourceSpan));
            foreach (Diagnostic d in Problems(output).Where(d => !known.Contains(Key(d))))
            {
                string where = d.Location.SourceTree?.FilePath ?? "(no file)";
                bool inGenerated = where != FilePath;
                if (inGenerated && d.Severity == DiagnosticSeverity.Warning && userWarningIds.Contains(d.Id))
                {
                    continue;   // the generated copy of the user's own code repeats a warning the user already has
                }

                if (!inGenerated && d.Severity == DiagnosticSeverity.Warning && userWarningSpans.Contains(d.Location.SourceSpan))
                {
                    continue;   // the user's own warning changed (e.g. CS0169 "never used" became CS0649 "never assigned")
                }

                string line = d.Location.SourceTree is { } tree ? tree.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim() : string.Empty;
                problems.Add(new Problem(
                    $"{(inGenerated ? "generated code" : "user code with generated code")}: {d.Id}",
                    $"{d.Severity} {d.Id} at {where}({d.Location.GetLineSpan().StartLinePosition.Line + 1}): {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}\n    {line}"));
            }
        }

        Timings.Add(3, t0);

        // Expectations recorded by the case generator.
        string optgList = string.Join(", ", optg.Select(d => $"{d.Id} '{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}'"));
        if (fuzzCase.IsValid)
        {
            if (inputErrors.Count > 0)
            {
                problems.Add(new Problem("[fuzzer] valid case does not compile", string.Join("\n", inputErrors.Take(5))));
            }

            foreach (Diagnostic d in optg)
            {
                problems.Add(new Problem($"valid model rejected with {d.Id}", $"{d} — {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}"));
            }

            if (optg.Count == 0 && first.Exception is null && first.GeneratedSources.Length != fuzzCase.OptimizeClasses)
            {
                problems.Add(new Problem("valid model: wrong number of generated files", $"expected {fuzzCase.OptimizeClasses}, got {first.GeneratedSources.Length}: {string.Join(", ", first.GeneratedSources.Select(s => s.HintName))}"));
            }
        }
        else if (!fuzzCase.HasEdges)
        {
            var allowed = new HashSet<string>(fuzzCase.Flaws.SelectMany(f => f.Allowed!), StringComparer.Ordinal);
            foreach (Diagnostic d in optg.Where(d => !allowed.Contains(d.Id)).GroupBy(d => d.Id).Select(g => g.First()))
            {
                problems.Add(new Problem($"unexpected {d.Id}", $"flaws: {string.Join("; ", fuzzCase.Flaws)}\nreported: {optgList}"));
            }

            bool compilerAnswers = inputErrors.Count > 0 && allowed.Contains("CS");
            if (optg.Count == 0 && !compilerAnswers)
            {
                problems.Add(new Problem("defect not reported", $"flaws: {string.Join("; ", fuzzCase.Flaws)}; compiler errors: {string.Join(" | ", inputErrors.Take(3))}"));
            }

            if (inputErrors.Count > 0 && !allowed.Contains("CS"))
            {
                problems.Add(new Problem("[fuzzer] unexpected compiler error", $"flaws: {string.Join("; ", fuzzCase.Flaws)}\n{string.Join("\n", inputErrors.Take(5))}"));
            }
        }

        // Run valid models: the generated Step/AccumulateGradients against the user's own loss and finite differences.
        if (fuzzCase.Run is not null && problems.Count == 0 && FuzzRunner.Enabled)
        {
            t0 = Stopwatch.GetTimestamp();
            FuzzRunner.Run(fuzzCase.Run, first.GeneratedSources.Select(s => (s.SourceText.ToString(), s.HintName)).ToArray(), outcome);
            Timings.Add(4, t0);
        }
    }

    /// <summary>The generator's diagnostics and generated files for <paramref name="source"/>, for replaying a case by hand.</summary>
    public static string Describe(string source)
    {
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(Compile((source, FilePath)), out _, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return string.Join("\n", result.Diagnostics.Select(d => d.ToString()))
            + "\n" + string.Join("\n", result.GeneratedSources.Select(s => "// ===== " + s.HintName + "\n" + s.SourceText));
    }

    private static string Key(Diagnostic d) =>
        $"{d.Id}|{d.Location.SourceTree?.FilePath}|{d.Location.SourceSpan}|{d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Where the time goes: generator runs 1 and 2, input diagnostics, output diagnostics, running.</summary>
    internal static class Timings
    {
        private static readonly long[] Ticks = new long[5];

        public static void Add(int slot, long start) => Interlocked.Add(ref Ticks[slot], Stopwatch.GetTimestamp() - start);

        public static string Report() =>
            "time (s, summed over threads): " + string.Join(", ", new[] { "generator run 1", "generator run 2", "input diagnostics", "output diagnostics", "emit+run" }
                .Select((name, i) => $"{name} {Ticks[i] / (double)Stopwatch.Frequency:F1}"));
    }
}
