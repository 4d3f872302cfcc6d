using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>
/// Findings of the fuzzer that are already pinned by a regression [Fact] in FuzzTests (which fails until the generator is
/// fixed). The property test tolerates a problem only when the case has the triggering input AND the problem has the
/// finding's symptom, so anything else still fails it. Delete an entry once its [Fact] passes.
/// </summary>
internal static class KnownFindings
{
    private static readonly Regex VerbatimKeyword = new(@"@(float|double|class|event|this|in|struct)\b", RegexOptions.CultureInvariant);

    private static readonly Regex DiscardField = new(@" _( = |;|,)", RegexOptions.CultureInvariant);

    private static readonly Regex ClassName = new(@"\bclass (\w+)", RegexOptions.CultureInvariant);

    private static bool HasCaseTwins(string source)
    {
        var names = ClassName.Matches(source).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        return names.Count != names.Distinct(StringComparer.OrdinalIgnoreCase).Count();
    }

    private static bool GeneratedCodeBroken(Problem p) =>
        p.Kind.StartsWith("generated code", StringComparison.Ordinal) || p.Kind.StartsWith("user code with generated code", StringComparison.Ordinal);

    internal static readonly List<(string Fact, Func<FuzzCase, Problem, bool> Matches)> Findings = new()
    {
        (nameof(FuzzTests.Finding1_FieldTargetedParamOnAutoPropertyGeneratesBackingFieldNames),
            (c, p) => c.Source.Contains("[field: Param]", StringComparison.Ordinal) && GeneratedCodeBroken(p)),
        (nameof(FuzzTests.Finding2_VerbatimIdentifiersAreEmittedWithoutTheirAt),
            (c, p) => VerbatimKeyword.IsMatch(c.Source) && (GeneratedCodeBroken(p) || p.Kind == "[fuzzer] driver does not compile")),
        (nameof(FuzzTests.Finding7_VerbatimNamespaceMakesAnInvalidHintNameAndCrashesTheGenerator),
            (c, p) => c.Source.Contains("namespace @", StringComparison.Ordinal)
                && ((p.Kind is "generator threw ArgumentException" or "generator failed (CS8785)" && p.Detail.Contains("invalid character '@'", StringComparison.Ordinal))
                    || p.Kind == "defect not reported" || p.Kind.StartsWith("valid model: wrong number", StringComparison.Ordinal))),
        (nameof(FuzzTests.Finding3_OptimizeOnTwoPartialDeclarationsCrashesTheGenerator),
            (c, p) => c.Flaws.Any(f => f.What == "[Optimize] on both partial declarations") && p.Kind is "generator threw ArgumentException" or "generator failed (CS8785)"),
        (nameof(FuzzTests.Finding4_LocalThatDoesNotReachTheLossLeavesAnUnusedAdjoint),
            (c, p) => p.Kind == "generated code: CS0219"),
        (nameof(FuzzTests.Finding10_ClassesWhoseNamesDifferInCaseCollideInHintNames),
            (c, p) => HasCaseTwins(c.Source) && (p.Kind is "generator threw ArgumentException" or "generator failed (CS8785)" or "defect not reported"
                || p.Kind.StartsWith("valid model: wrong number", StringComparison.Ordinal))),
        (nameof(FuzzTests.Finding11_MaxOfAValueWithItselfWarnsInTheGeneratedDerivative),
            (c, p) => p.Kind == "generated code: CS1718"),
        (nameof(FuzzTests.Finding12_NullOptimizerTypeIsSilentlyIgnored),
            (c, p) => c.Source.Contains("[Optimize(null!)]", StringComparison.Ordinal) && p.Kind == "defect not reported"),
        (nameof(FuzzTests.Finding14_ReservedDoubleUnderscoreNamesClashWithGeneratedMembers),
            (c, p) => c.Flaws.Any(f => f.What.StartsWith("field named __", StringComparison.Ordinal)) && GeneratedCodeBroken(p)),
        (nameof(FuzzTests.Finding8_FileLocalClassGetsItsMembersInAnotherType),
            (c, p) => c.Flaws.Any(f => f.What == "file-local [Optimize] class") && GeneratedCodeBroken(p)),
        (nameof(FuzzTests.Finding9_ConstantConditionMakesUnreachableGeneratedCode),
            (c, p) => p.Kind == "generated code: CS0162"),
        (nameof(FuzzTests.Finding5_MemberNamedUnderscoreBreaksTheGeneratedDiscard),
            (c, p) => DiscardField.IsMatch(c.Source) && GeneratedCodeBroken(p)),
        (nameof(FuzzTests.Finding6_ClassNamedLikeAGeneratedNestedType),
            (c, p) => c.Flaws.Any(f => f.What.StartsWith("class named ", StringComparison.Ordinal)) && GeneratedCodeBroken(p)),
    };

    /// <summary>The regression test that pins this problem, or null when it is new.</summary>
    public static string? Match(FuzzCase fuzzCase, Problem problem) => Findings.FirstOrDefault(f => f.Matches(fuzzCase, problem)).Fact;
}
