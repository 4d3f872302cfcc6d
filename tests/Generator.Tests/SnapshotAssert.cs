using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// Snapshot files in Verify's convention: <c>Snapshots/{Test}#{HintName}.verified.cs</c> is committed and reviewed like
/// code; on a mismatch the actual text is written beside it as <c>.received.cs</c> (gitignored) and the test fails with
/// the first differing line. Set OPTG_ACCEPT_SNAPSHOTS=1 to accept received text — never on CI.
/// </summary>
internal static partial class SnapshotAssert
{
    public static void Matches(string actual, string testName, string hintName, [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        string stem = Path.Combine(directory, $"{testName}#{Path.GetFileNameWithoutExtension(hintName)}");
        string verifiedPath = stem + ".verified.cs";
        string receivedPath = stem + ".received.cs";
        string scrubbed = Scrub(actual);

        string? verified = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).ReplaceLineEndings("\n") : null;
        if (verified == scrubbed)
        {
            File.Delete(receivedPath);
            return;
        }

        bool onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!onCi && Environment.GetEnvironmentVariable("OPTG_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, scrubbed);
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, scrubbed);
        Assert.Fail(verified is null
            ? $"No snapshot {verifiedPath}. Review {receivedPath} and rename it to .verified.cs (or run with OPTG_ACCEPT_SNAPSHOTS=1)."
            : $"Snapshot {verifiedPath} differs from {receivedPath}: {FirstDifference(verified, scrubbed)}");
    }

    /// <summary>Replaces the generator version, which changes with every release, by a fixed placeholder.</summary>
    public static string Scrub(string text) =>
        VersionPattern().Replace(text.ReplaceLineEndings("\n"), "(\"OptimizerGen\", \"{version}\")");

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        return $"line {line + 1}: expected «{(line < e.Length ? e[line] : "<end>")}», got «{(line < a.Length ? a[line] : "<end>")}»";
    }

    [GeneratedRegex("""\("OptimizerGen", "[^"]*"\)""")]
    private static partial Regex VersionPattern();
}
