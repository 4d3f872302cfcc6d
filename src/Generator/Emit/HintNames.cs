using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>
/// The names of the generated files. Roslyn accepts only some characters in a hint name and compares hint names
/// ignoring case, so <c>namespace @class</c> or classes <c>Model</c> and <c>model</c> side by side must not break it.
/// </summary>
internal static class HintNames
{
    /// <summary><paramref name="name"/> with every character a hint name may not hold (<c>@</c>, combining marks, …) replaced by <c>_</c>.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' or '`' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Gives every model a file name unique within the generator, ignoring case: its sanitized metadata name, then
    /// <c>_2</c>, <c>_3</c>, … for a later model whose name is already taken. The models come in source order, so the
    /// names are the same on every run.
    /// </summary>
    public static ImmutableArray<(OptimizedClass Model, string HintName)> Assign(ImmutableArray<OptimizedClass> models) =>
        Assign(models, static m => m.HintName);

    /// <summary>As <see cref="Assign(ImmutableArray{OptimizedClass})"/>, for the <c>[UpdateRule]</c> types' files.</summary>
    public static ImmutableArray<(RuleModel Model, string HintName)> Assign(ImmutableArray<RuleModel> rules) =>
        Assign(rules, static r => r.HintName);

    private static ImmutableArray<(T Model, string HintName)> Assign<T>(ImmutableArray<T> models, Func<T, string> hintName)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = ImmutableArray.CreateBuilder<(T, string)>(models.Length);
        foreach (T model in models)
        {
            string baseName = hintName(model);
            string name = baseName;
            for (int i = 2; !taken.Add(name); i++)
            {
                name = baseName + "_" + i;
            }

            result.Add((model, name + ".g.cs"));
        }

        return result.MoveToImmutable();
    }
}
