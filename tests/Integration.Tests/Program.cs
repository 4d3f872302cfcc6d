using System;
using System.Runtime.Intrinsics;
using OptimizerGen.Integration.Tests.Conformance;

namespace OptimizerGen.Integration.Tests;

/// <summary>
/// The test assembly is also a console program (GenerateProgramFile is off), so the SIMD-path tests can re-run the
/// conformance check in a child process with <c>DOTNET_EnableAVX512=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c>:
/// <c>dotnet exec OptimizerGen.Integration.Tests.dll conformance</c>. It prints which vector widths the process sees,
/// the report and every failure; the exit code is 0 only when every value matched libtorch.
/// </summary>
public static class Program
{
    public const string ConformanceCommand = "conformance";

    /// <summary>The same for the optimizer family (SGD, AdaGrad, AdaDelta, Adam, AdamW).</summary>
    public const string FamilyConformanceCommand = "family-conformance";

    /// <summary>Users' rules against the built-in RMSprop and the Lion formula (UserRules/UserRuleChecks.cs).</summary>
    public const string UserRulesCommand = "user-rules";

    public static int Main(string[] args)
    {
        if (args is not [ConformanceCommand or FamilyConformanceCommand or UserRulesCommand])
        {
            Console.Error.WriteLine($"usage: dotnet exec OptimizerGen.Integration.Tests.dll {ConformanceCommand}|{FamilyConformanceCommand}|{UserRulesCommand}");
            return 2;
        }

        Console.WriteLine(HardwareLine());
        if (args[0] == UserRulesCommand)
        {
            UserRules.UserRuleReport rules = UserRules.UserRuleChecks.RunAll();
            Console.WriteLine("user rules: " + rules);
            foreach (string failure in rules.Failures)
            {
                Console.WriteLine("FAIL " + failure);
            }

            return rules.Failures.Count == 0 && rules.Checks > 0 ? 0 : 1;
        }

        bool family = args[0] == FamilyConformanceCommand;
        ConformanceReport report = family ? Family.FamilyConformance.RunAll() : ConformanceRunner.RunAll();
        Console.WriteLine((family ? "family conformance: " : "conformance: ") + report);
        foreach (string failure in report.Failures)
        {
            Console.WriteLine("FAIL " + failure);
        }

        return report.Failures.Count == 0 && report.Cases > 0 ? 0 : 1;
    }

    /// <summary>The vector widths this process accelerates, e.g. <c>Vector512.IsHardwareAccelerated=False Vector256…</c>.</summary>
    public static string HardwareLine() =>
        $"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated} " +
        $"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated} " +
        $"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated}";
}
