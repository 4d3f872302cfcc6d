using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Parsing;

/// <summary>
/// Turns one <c>[UpdateRule]</c> type into a <see cref="RuleModel"/>: checks the type, collects its hyperparameters and
/// state keys, and translates its <c>Update</c> method (<see cref="RuleTranslator"/>).
/// </summary>
internal static class RuleParser
{
    /// <summary>The members the generator adds to a rule type; the user's type may not declare them.</summary>
    internal static readonly string[] GeneratedMemberNames = { "Rule", "OptimizerName", "WriteJson", "ReadJson" };

    /// <summary>The pipeline's transform: one model per rule type (from its first declaration carrying the attribute).</summary>
    public static RuleParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        try
        {
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass is { } attributeClass && Symbols.Is(attributeClass, KnownTypes.UpdateRuleAttribute)
                    && attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is { } syntax
                    && syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != declaration)
                {
                    // [UpdateRule] on a second partial declaration (CS0579): the first one speaks for the type.
                    return new RuleParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
                }
            }

            return Parse(type, context.SemanticModel.Compilation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failure(type, declaration, ex);
        }
    }

    /// <summary>Parses <paramref name="type"/> (also called for the rule an <c>[Optimize]</c> class names).</summary>
    public static RuleParseResult Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
        LocationInfo? location = LocationInfo.From(declarations.FirstOrDefault()?.Identifier ?? default);

        string? problem =
            type.TypeKind != TypeKind.Struct ? "it is not a struct"
            : !declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword)) ? "it is not partial"
            : type.ContainingType is not null ? $"it is nested in '{type.ContainingType.Name}'"
            : type.IsGenericType ? "it is generic"
            : type.IsRefLikeType ? "it is a ref struct"
            : declarations.Any(d => d.Modifiers.Any(SyntaxKind.FileKeyword)) ? "it is file-local"
            : null;
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RuleNotPartialStruct, location, type.Name, problem));
            return new RuleParseResult(null, diagnostics.ToEquatableArray());
        }

        if (GeneratedMemberNames.Contains(type.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RuleMemberNameTaken, location, type.Name, type.Name));
        }

        var hyperparameters = new List<Hyperparameter>();
        var hyperparameterSymbols = new Dictionary<ISymbol, Hyperparameter>(SymbolEqualityComparer.Default);
        var updates = new List<IMethodSymbol>();
        foreach (ISymbol member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared)
            {
                continue;
            }

            if (GeneratedMemberNames.Contains(member.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RuleMemberNameTaken, LocationInfo.From(member.Locations.FirstOrDefault()), type.Name, member.Name));
                continue;
            }

            switch (member)
            {
                case IMethodSymbol { Name: "Update", MethodKind: MethodKind.Ordinary } method:
                    updates.Add(method);
                    break;
                case IFieldSymbol { IsStatic: false, IsConst: false } field:
                    AddHyperparameter(field, field.Type, field.IsReadOnly ? "a readonly field" : null);
                    break;
                case IPropertySymbol { IsStatic: false, IsIndexer: false } property when property.SetMethod is not null || IsAutoProperty(property, cancellationToken):
                    AddHyperparameter(property, property.Type, property.SetMethod is null ? "a get-only auto-property" : null);
                    break;
            }
        }

        void AddHyperparameter(ISymbol member, ITypeSymbol memberType, string? notSettable)
        {
            HyperparameterType? kind = memberType.SpecialType switch
            {
                SpecialType.System_Double => HyperparameterType.Double,
                SpecialType.System_Single => HyperparameterType.Float,
                SpecialType.System_Int32 => HyperparameterType.Int,
                SpecialType.System_Int64 => HyperparameterType.Long,
                SpecialType.System_Boolean => HyperparameterType.Bool,
                _ => null,
            };
            if (kind is null || notSettable is not null)
            {
                SyntaxNode? syntax = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
                SyntaxNode? typeSyntax = syntax switch
                {
                    PropertyDeclarationSyntax p => p.Type,
                    VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax v } => v.Type,
                    ParameterSyntax p => p.Type,
                    _ => null,
                };
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedHyperparameter,
                    LocationInfo.From(notSettable is null ? typeSyntax ?? syntax : syntax) ?? LocationInfo.From(member.Locations.FirstOrDefault()),
                    member.Name,
                    notSettable ?? "of type '" + memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'"));
                return;
            }

            var hyperparameter = new Hyperparameter(member.Name, kind.Value);
            hyperparameters.Add(hyperparameter);
            hyperparameterSymbols[member] = hyperparameter;
        }

        if (updates.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidUpdateMethod, location, type.Name, "has no Update method"));
        }

        foreach (IMethodSymbol extra in updates.Skip(1))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidUpdateMethod, LocationInfo.From(extra.Locations.FirstOrDefault()), type.Name, "has more than one Update method"));
        }

        RuleTranslator.Result? translated = null;
        if (updates.Count > 0 && diagnostics.Count == 0)
        {
            translated = RuleTranslator.Translate(type, updates[0], hyperparameterSymbols, compilation, diagnostics, cancellationToken);
        }

        if (translated is null || diagnostics.Count > 0)
        {
            return new RuleParseResult(null, diagnostics.ToEquatableArray());
        }

        string keyword = (type.IsRecord ? "record struct" : "struct");
        if (type.IsReadOnly)
        {
            keyword = "readonly " + keyword;
        }

        var model = new RuleModel(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty),
            keyword,
            type.Name,
            HintNames.Sanitize(type.ContainingNamespace.IsGlobalNamespace ? type.MetadataName : type.ContainingNamespace.ToDisplayString() + "." + type.MetadataName) + ".UpdateRule",
            hyperparameters.ToEquatableArray(),
            translated.StateKeys.ToEquatableArray(),
            translated.Signature.ToEquatableArray(),
            translated.Coefficients.ToEquatableArray(),
            translated.CreateLines.ToEquatableArray(),
            translated.ApplyLines.ToEquatableArray(),
            translated.ReadsStep);
        return new RuleParseResult(model, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>The <c>global::</c>-qualified name of a rule type.</summary>
    public static string TypeRef(INamedTypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static bool IsAutoProperty(IPropertySymbol property, CancellationToken cancellationToken) =>
        property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
        && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);

    private static RuleParseResult Failure(INamedTypeSymbol type, TypeDeclarationSyntax declaration, Exception ex) =>
        new(null, new[] { DiagnosticInfo.Failure(LocationInfo.From(declaration.Identifier), type.Name, ex) }.ToEquatableArray());
}
