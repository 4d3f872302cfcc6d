using System.Linq;
using Microsoft.CodeAnalysis;

namespace OptimizerGen.Generator.Parsing;

/// <summary>Allocation-free symbol tests (no ToDisplayString in the parser's hot paths).</summary>
internal static class Symbols
{
    /// <summary>Whether <paramref name="type"/> is the type with metadata name <paramref name="fullName"/> (e.g. "OptimizerGen.RmsProp").</summary>
    public static bool Is(ITypeSymbol? type, string fullName)
    {
        if (type is null)
        {
            return false;
        }

        int dot = fullName.LastIndexOf('.');
        if (string.CompareOrdinal(type.Name, 0, fullName, dot + 1, fullName.Length - dot - 1) != 0 || type.Name.Length != fullName.Length - dot - 1)
        {
            return false;
        }

        // Walk the namespace backwards: "OptimizerGen" for "OptimizerGen.RmsProp".
        INamespaceSymbol? ns = type.ContainingNamespace;
        int end = dot;
        while (end > 0)
        {
            int start = fullName.LastIndexOf('.', end - 1) + 1;
            if (ns is null || ns.IsGlobalNamespace || ns.Name.Length != end - start || string.CompareOrdinal(ns.Name, 0, fullName, start, end - start) != 0)
            {
                return false;
            }

            ns = ns.ContainingNamespace;
            end = start - 1;
        }

        return type.ContainingType is null && (ns is null || ns.IsGlobalNamespace);
    }

    /// <summary>The attribute of type <paramref name="fullName"/> on <paramref name="symbol"/>, if any.</summary>
    public static AttributeData? Attribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().FirstOrDefault(a => Is(a.AttributeClass, fullName));

    /// <summary>Whether <paramref name="symbol"/> has an attribute of type <paramref name="fullName"/>.</summary>
    public static bool HasAttribute(ISymbol symbol, string fullName) => Attribute(symbol, fullName) is not null;
}
