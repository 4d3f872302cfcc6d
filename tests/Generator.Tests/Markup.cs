using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Text;

namespace OptimizerGen.Generator.Tests;

/// <summary>Source text with <c>{|OPTGnnn:text|}</c> markers where diagnostics are expected.</summary>
internal static partial class Markup
{
    /// <summary>The source without markers, and each marker's id and span in it.</summary>
    public static (string Source, List<(string Id, TextSpan Span)> Expected) Parse(string marked)
    {
        var expected = new List<(string, TextSpan)>();
        var text = new StringBuilder();
        int last = 0;
        foreach (Match match in Marker().Matches(marked))
        {
            text.Append(marked, last, match.Index - last);
            expected.Add((match.Groups["id"].Value, new TextSpan(text.Length, match.Groups["text"].Length)));
            text.Append(match.Groups["text"].Value);
            last = match.Index + match.Length;
        }

        text.Append(marked, last, marked.Length - last);
        return (text.ToString(), expected);
    }

    [GeneratedRegex(@"\{\|(?<id>OPTG\d{3}):(?<text>.*?)\|\}", RegexOptions.Singleline)]
    private static partial Regex Marker();
}
