using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Parsing;

/// <summary>
/// Finds OptimizerGen's field attributes where they do nothing: <c>[Param]</c> in a type without <c>[Optimize]</c>,
/// and <c>[ExcludeFromWeightDecay]</c> on a field without <c>[Param]</c>.
/// </summary>
internal static class AttributePlacementParser
{
    public static DiagnosticInfo? ParseParam(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        ISymbol field = context.TargetSymbol;
        INamedTypeSymbol? type = field.ContainingType;
        if (type is null || Symbols.HasAttribute(type, KnownTypes.OptimizeAttribute))
        {
            return null;
        }

        return DiagnosticInfo.Create(
            DiagnosticDescriptors.ParamOutsideOptimizeClass,
            AttributeLocation(context, cancellationToken),
            field.Name,
            type.Name);
    }

    public static DiagnosticInfo? ParseExclude(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        ISymbol field = context.TargetSymbol;
        if (Symbols.HasAttribute(field, KnownTypes.ParamAttribute))
        {
            return null;
        }

        return DiagnosticInfo.Create(
            DiagnosticDescriptors.ExcludeFromWeightDecayWithoutParam,
            AttributeLocation(context, cancellationToken),
            field.Name);
    }

    /// <summary><c>[Loss]</c> or <c>[Differentiable]</c> on a method of a type without <c>[Optimize]</c>.</summary>
    public static DiagnosticInfo? ParseMethodAttribute(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        ISymbol method = context.TargetSymbol;
        INamedTypeSymbol? type = method.ContainingType;
        if (type is null || Symbols.HasAttribute(type, KnownTypes.OptimizeAttribute))
        {
            return null;
        }

        string attribute = context.Attributes.FirstOrDefault()?.AttributeClass?.Name.Replace("Attribute", string.Empty) ?? "Loss";
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.LossOutsideOptimizeClass,
            AttributeLocation(context, cancellationToken),
            method.Name,
            attribute,
            type.Name);
    }

    private static LocationInfo? AttributeLocation(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        LocationInfo.From(context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) ?? context.TargetNode);
}
