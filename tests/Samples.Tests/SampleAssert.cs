using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace OptimizerGen.Samples.Tests;

/// <summary>Checks shared by the samples' tests.</summary>
internal static class SampleAssert
{
    /// <summary>The process ended with <paramref name="exitCode"/>.</summary>
    public static void ExitedWith(int exitCode, SampleRun run) =>
        Assert.True(run.ExitCode == exitCode, $"expected exit code {exitCode}; {run}");

    /// <summary>The one line matching <paramref name="pattern"/>.</summary>
    public static Match Line(SampleRun run, string pattern)
    {
        Match[] matches = run.Lines.Select(line => Regex.Match(line, pattern)).Where(m => m.Success).ToArray();
        Assert.True(matches.Length == 1, $"expected one line matching /{pattern}/, found {matches.Length}; {run}");
        return matches[0];
    }

    /// <summary>A number as the sample printed it (invariant or current culture's decimal separator).</summary>
    public static double Number(Group group) =>
        double.Parse(group.Value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// The sample said it wrote its picture to <paramref name="expectedPath"/>, and that file is a whole PNG of
    /// <paramref name="width"/>×<paramref name="height"/> pixels with something drawn in it.
    /// </summary>
    public static void WrotePicture(SampleRun run, string expectedPath, int width, int height)
    {
        Match picture = Line(run, @"^picture: (.+?\.png)( \(.*\))?$");
        Assert.Equal(Path.GetFullPath(expectedPath), picture.Groups[1].Value);
        Assert.True(File.Exists(expectedPath), $"no picture at {expectedPath}; {run}");

        PngInfo png = Png.Read(expectedPath);
        Assert.Equal((width, height), (png.Width, png.Height));
        // A blank or single-colour image filters to a handful of byte values; a plot with text and lines to many.
        Assert.True(png.DistinctFilteredBytes > 64, $"the picture looks blank: {png.DistinctFilteredBytes} distinct bytes in its image data");
    }
}
