using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Differentiation;
using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Parsing;

/// <summary>Turns one <c>[Optimize]</c> class (symbol and syntax) into an <see cref="OptimizedClass"/> and diagnostics.</summary>
internal static class ClassParser
{
    /// <summary>The members OptimizerGen adds to every <c>[Optimize]</c> class; none may already exist.</summary>
    internal static readonly ImmutableArray<string> GeneratedMemberNames = ImmutableArray.Create(
        "Optimizer", "Grad", "Gradients", "ApplyGradients", "StepCount", "ResetOptimizerState", "OptimizerState", "OptimizerStates",
        "SkipNonFiniteGradients", "SkippedSteps", "SaveCheckpoint", "LoadCheckpoint", "UpdateThreads", "GradientClipping");

    /// <summary>Private members OptimizerGen adds; a user member of the same name would clash.</summary>
    internal static readonly ImmutableArray<string> PrivateMemberNames = ImmutableArray.Create(
        "__grad", "__concurrentUse", "__updateThreads", "__optimizerState", "__ApplyGradients", "__ResetOptimizerState", "__CreateCheckpoint", "__LoadCheckpoint",
        "__AccumulateGradients", "__Step", "__floatTape", "__doubleTape", "__branchTape", "__accumulating", "__ZeroGradients",
        "__optimizer", "__gradientClipping", "__coefficientsStep", "__f32", "__f32NoDecay", "__f64", "__f64NoDecay", "__f32Plain", "__f64Plain",
        "__BuildCoefficients", "__plainStep", "__ApplyGradientsGeneral", "__TryPlainStep", "__TryPlainStepOutOfLine", "__ApplyGradientsGuarded", "__skipNonFiniteGradients");

    /// <summary>The members OptimizerGen adds when the class has a <c>[Loss]</c> method.</summary>
    internal static readonly ImmutableArray<string> LossMemberNames = ImmutableArray.Create("AccumulateGradients", "Step");

    private static readonly (string Name, OptimizerKind Kind)[] BuiltIns =
    {
        (KnownTypes.RmsProp, OptimizerKind.RmsProp),
        (KnownTypes.Sgd, OptimizerKind.Sgd),
        (KnownTypes.AdaGrad, OptimizerKind.AdaGrad),
        (KnownTypes.AdaDelta, OptimizerKind.AdaDelta),
        (KnownTypes.Adam, OptimizerKind.Adam),
        (KnownTypes.AdamW, OptimizerKind.AdamW),
    };

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        try
        {
            if (!IsFirstOptimizeDeclaration(type, declaration, cancellationToken))
            {
                // [Optimize] on a second partial declaration (CS0579, the compiler's to report): the first one speaks for the class.
                return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
            }

            return ParseCore(type, declaration, context.Attributes, context.SemanticModel.Compilation, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ParseResult(null, new[]
            {
                DiagnosticInfo.Failure(LocationInfo.From(declaration.Identifier), type.Name, ex),
            }.ToEquatableArray());
        }
    }

    private static ParseResult ParseCore(INamedTypeSymbol type, TypeDeclarationSyntax declaration, ImmutableArray<AttributeData> attributes, Compilation compilation, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        LocationInfo? classLocation = LocationInfo.From(declaration.Identifier);

        if (type.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticClass, classLocation, type.Name));
        }

        if (type.IsRecord)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RecordModel, classLocation, type.Name));
        }

        if (!IsPartial(type))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, classLocation, type.Name));
        }

        CheckNotFileLocal(type, type, diagnostics, cancellationToken);
        if (GeneratedMemberNames.Contains(type.Name) || PrivateMemberNames.Contains(type.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, classLocation, type.Name));
        }

        var containingTypes = new List<ContainingType>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartial(outer))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ContainingTypeNotPartial,
                    LocationInfo.From(FirstDeclaration(outer, cancellationToken)?.Identifier.GetLocation()),
                    outer.Name,
                    type.Name));
            }

            CheckNotFileLocal(outer, type, diagnostics, cancellationToken);
            containingTypes.Insert(0, new ContainingType(Keyword(outer), NameWithTypeParameters(outer)));
        }

        (OptimizerKind Kind, UserRule? Rule)? optimizer = ParseOptimizer(attributes, compilation, diagnostics, cancellationToken);

        CheckBaseIsNotOptimized(type, declaration, classLocation, diagnostics);
        CheckGeneratedNamesAreFree(type, classLocation, diagnostics, GeneratedMemberNames.AddRange(PrivateMemberNames));

        var fields = new List<ParamField>();
        int paramCount = 0;
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttributeData? param = Symbols.Attribute(field, KnownTypes.ParamAttribute);
            if (param is null)
            {
                continue;
            }

            paramCount++;
            if (field.AssociatedSymbol is IPropertySymbol property)
            {
                // [field: Param] on an auto-property: the backing field has no name the generated code can use.
                var attributeSyntax = param.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ParamOnPropertyBackingField,
                    LocationInfo.From(attributeSyntax) ?? LocationInfo.From(property.Locations.FirstOrDefault()),
                    property.Name));
                continue;
            }

            ParamField? parsed = ParseField(field, param, diagnostics, cancellationToken);
            if (parsed is not null)
            {
                fields.Add(parsed);
            }
        }

        // Each array field's cached state (the plain step's; reserved for every optimizer, as the other private names are).
        ImmutableArray<string> fieldStateNames = fields.Where(f => f.IsArray).Select(f => RmsPropEmitter.StateFieldName(f.Name)).ToImmutableArray();
        CheckGeneratedNamesAreFree(type, classLocation, diagnostics, fieldStateNames);
        if (fieldStateNames.Contains(type.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, classLocation, type.Name));
        }

        LossModel? loss = paramCount == fields.Count
            ? LossParser.Parse(type, compilation, fields, diagnostics, cancellationToken)
            : null;
        if (loss is not null)
        {
            CheckGeneratedNamesAreFree(type, classLocation, diagnostics, LossMemberNames.Add(GradientEmitter.CoreName(loss)));
            if (LossMemberNames.Contains(type.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNamedLikeGeneratedMember, classLocation, type.Name));
            }
        }

        if (paramCount == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoParameters, classLocation, type.Name));
        }

        bool hasErrors = diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        OptimizedClass? model = hasErrors || optimizer is null
            ? null
            : new OptimizedClass(
                type.ContainingNamespace.IsGlobalNamespace ? null : NamespaceName(type.ContainingNamespace),
                containingTypes.ToEquatableArray(),
                Keyword(type),
                type.Name,
                NameWithTypeParameters(type),
                optimizer.Value.Kind,
                fields.ToEquatableArray(),
                HintName(type),
                loss,
                optimizer.Value.Rule,
                DetectConcurrentUse(attributes[0]));
        return new ParseResult(model, diagnostics.ToEquatableArray());
    }

    /// <summary><c>[Optimize(…, DetectConcurrentUse = false)]</c> turns the guard off; it is on otherwise.</summary>
    private static bool DetectConcurrentUse(AttributeData optimize) =>
        !optimize.NamedArguments.Any(a => a.Key == "DetectConcurrentUse" && a.Value.Value is false);

    private static (OptimizerKind Kind, UserRule? Rule)? ParseOptimizer(ImmutableArray<AttributeData> attributes, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        AttributeData attribute = attributes[0];
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        SyntaxNode? argument = syntax?.ArgumentList?.Arguments.FirstOrDefault()?.Expression;
        if (attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Type
            && attribute.ConstructorArguments[0].IsNull)
        {
            // [Optimize(null!)] compiles, so nobody else says anything.
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownOptimizer, LocationInfo.From(argument ?? syntax), "null"));
            return null;
        }

        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol optimizerType)
        {
            // typeof(Missing) or a missing argument: the compiler already reports it.
            return null;
        }

        if (optimizerType.TypeKind == TypeKind.Error)
        {
            return null;
        }

        foreach ((string name, OptimizerKind kind) in BuiltIns)
        {
            if (Symbols.Is(optimizerType, name))
            {
                return (kind, null);
            }
        }

        if (Symbols.HasAttribute(optimizerType, KnownTypes.UpdateRuleAttribute))
        {
            if (optimizerType.DeclaringSyntaxReferences.IsEmpty)
            {
                // A rule compiled into another assembly: its Update method (private) cannot be read from metadata.
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.RuleNotPartialStruct,
                    LocationInfo.From((argument as TypeOfExpressionSyntax)?.Type ?? argument ?? syntax),
                    optimizerType.Name,
                    "it is declared in another assembly (OptimizerGen reads a rule's Update method from source)"));
                return null;
            }

            // A user's rule: its own diagnostics (reported where it is declared) keep the class from being emitted.
            RuleParseResult rule = RuleParser.Parse(optimizerType, compilation, cancellationToken);
            return rule.Model is null
                ? null
                : (OptimizerKind.UserRule, new UserRule(RuleParser.TypeRef(optimizerType), optimizerType.Name, rule.Model.StateKeys, rule.Model.ReadsStep));
        }

        if (argument is TypeOfExpressionSyntax typeOf)
        {
            argument = typeOf.Type;
        }

        diagnostics.Add(DiagnosticInfo.Create(
            DiagnosticDescriptors.UnknownOptimizer,
            LocationInfo.From(argument ?? syntax),
            optimizerType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        return null;
    }

    private static ParamField? ParseField(IFieldSymbol field, AttributeData param, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var declarator = field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as VariableDeclaratorSyntax;
        var variableDeclaration = declarator?.Parent as VariableDeclarationSyntax;
        var fieldDeclaration = variableDeclaration?.Parent as FieldDeclarationSyntax;
        LocationInfo? nameLocation = LocationInfo.From(declarator?.Identifier.GetLocation() ?? field.Locations.FirstOrDefault());
        bool ok = true;

        foreach ((SyntaxKind kind, bool applies) in new[]
        {
            (SyntaxKind.StaticKeyword, field.IsStatic && !field.IsConst),
            (SyntaxKind.ConstKeyword, field.IsConst),
            (SyntaxKind.ReadOnlyKeyword, field.IsReadOnly),
            (SyntaxKind.VolatileKeyword, field.IsVolatile),
        })
        {
            if (!applies)
            {
                continue;
            }

            SyntaxToken modifier = fieldDeclaration?.Modifiers.FirstOrDefault(m => m.IsKind(kind)) ?? default;
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.ParameterNotWritableInstanceField,
                modifier == default ? nameLocation : LocationInfo.From(modifier),
                field.Name,
                SyntaxFacts.GetText(kind)));
            ok = false;
        }

        (ElementType Element, bool IsArray)? classified = ClassifyType(field.Type);
        if (classified is null)
        {
            if (field.Type.TypeKind != TypeKind.Error)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.UnsupportedParameterType,
                    LocationInfo.From(variableDeclaration?.Type) ?? nameLocation,
                    field.Name,
                    field.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            }

            return null;
        }

        int[] shape = param.ConstructorArguments.Length == 1 && param.ConstructorArguments[0].Kind == TypedConstantKind.Array
            ? param.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToArray()
            : Array.Empty<int>();
        if (shape.Length > 0 && !CheckShape(field, classified.Value.IsArray, shape, param, declarator, diagnostics, cancellationToken))
        {
            ok = false;
        }

        bool exclude = Symbols.Attribute(field, KnownTypes.ExcludeFromWeightDecayAttribute) is not null;
        bool nullable = classified.Value.IsArray && field.NullableAnnotation == NullableAnnotation.Annotated;
        return ok ? new ParamField(field.Name, classified.Value.Element, classified.Value.IsArray, exclude, shape.ToEquatableArray(), nullable) : null;
    }

    private static bool CheckShape(IFieldSymbol field, bool isArray, int[] shape, AttributeData param, VariableDeclaratorSyntax? declarator, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var attributeSyntax = param.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        LocationInfo? location = LocationInfo.From((SyntaxNode?)attributeSyntax?.ArgumentList ?? attributeSyntax);
        string? problem = null;
        long length = shape.Aggregate(1L, (product, d) => product * d);
        if (!isArray)
        {
            problem = "a scalar parameter has no shape; remove the dimensions from [Param], or make the field an array";
        }
        else if (shape.Any(d => d <= 0))
        {
            problem = $"every dimension must be positive, but the shape is [{string.Join(", ", shape)}]";
        }
        else if (length > int.MaxValue)
        {
            problem = $"the shape [{string.Join(", ", shape)}] has {length} elements, more than an array can hold";
        }
        else if (ConstantArrayLength(declarator) is int initialized && initialized != length)
        {
            problem = $"the shape [{string.Join(", ", shape)}] has {length} elements, but the field is initialized with an array of {initialized}; make them agree";
        }

        if (problem is null)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, location, field.Name, problem));
        return false;
    }

    /// <summary>The length of <c>new T[n]</c> or <c>new T[] { … }</c> in the field's initializer, when it is a constant.</summary>
    private static int? ConstantArrayLength(VariableDeclaratorSyntax? declarator)
    {
        switch (declarator?.Initializer?.Value)
        {
            case ArrayCreationExpressionSyntax { Initializer: { } init }:
                return init.Expressions.Count;
            case ArrayCreationExpressionSyntax creation when creation.Type.RankSpecifiers.Count == 1
                && creation.Type.RankSpecifiers[0].Sizes.Count == 1
                && creation.Type.RankSpecifiers[0].Sizes[0] is LiteralExpressionSyntax { Token.Value: int n }:
                return n;
            case ImplicitArrayCreationExpressionSyntax implicitArray:
                return implicitArray.Initializer.Expressions.Count;
            case CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax):
                return collection.Elements.Count;
            default:
                return null;
        }
    }

    private static (ElementType Element, bool IsArray)? ClassifyType(ITypeSymbol type) => type switch
    {
        { SpecialType: SpecialType.System_Single } => (ElementType.Float, false),
        { SpecialType: SpecialType.System_Double } => (ElementType.Double, false),
        IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Single } => (ElementType.Float, true),
        IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Double } => (ElementType.Double, true),
        _ => null,
    };

    private static void CheckGeneratedNamesAreFree(INamedTypeSymbol type, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics, ImmutableArray<string> names)
    {
        foreach (string name in names)
        {
            ISymbol? own = type.GetMembers(name).FirstOrDefault(m => !m.IsImplicitlyDeclared);
            if (own is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameTaken, LocationInfo.From(own.Locations.FirstOrDefault()), type.Name, name, string.Empty));
                continue;
            }

            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
            {
                if (baseType.GetMembers(name).Any(m => m.DeclaredAccessibility != Accessibility.Private))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameTaken, classLocation, type.Name, name, $" (inherited from '{baseType.Name}')"));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A <c>file</c> type cannot get members from the generated file: a partial declaration there would be another type.
    /// Reported on the <c>file</c> modifier of <paramref name="type"/> (the model or a type containing it).
    /// </summary>
    private static void CheckNotFileLocal(INamedTypeSymbol type, INamedTypeSymbol model, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (!type.IsFileLocal)
        {
            return;
        }

        TypeDeclarationSyntax? declaration = type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>()
            .FirstOrDefault(d => d.Modifiers.Any(SyntaxKind.FileKeyword));
        SyntaxToken modifier = declaration?.Modifiers.First(m => m.IsKind(SyntaxKind.FileKeyword)) ?? default;
        diagnostics.Add(DiagnosticInfo.Create(
            DiagnosticDescriptors.FileLocalClass,
            modifier == default ? LocationInfo.From(type.Locations.FirstOrDefault()) : LocationInfo.From(modifier),
            type.Name,
            model.Name));
    }

    /// <summary>
    /// A base class with <c>[Optimize]</c> gets the same generated members, which the derived class's would hide (CS0108)
    /// — with two optimizer states and two updates. The generator cannot see the base's generated members (they are not in
    /// its input), so it looks for the attribute. Reported on the base type in the derived class's base list.
    /// </summary>
    private static void CheckBaseIsNotOptimized(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? classLocation, List<DiagnosticInfo> diagnostics)
    {
        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (Symbols.HasAttribute(baseType.OriginalDefinition, KnownTypes.OptimizeAttribute))
            {
                BaseTypeSyntax? baseSyntax = declaration.BaseList?.Types.FirstOrDefault();
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DerivedFromOptimizeClass,
                    LocationInfo.From(baseSyntax?.Type) ?? classLocation,
                    type.Name,
                    baseType.Name));
                return;
            }
        }
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static TypeDeclarationSyntax? FirstDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault();

    private static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (false, TypeKind.Struct) => "struct",
        (false, TypeKind.Interface) => "interface",
        _ => "class",
    };

    /// <summary>The type's name as C# source: <c>@class</c>, <c>Model&lt;T&gt;</c>.</summary>
    private static string NameWithTypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0
            ? Identifiers.Escape(type.Name)
            : Identifiers.Escape(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(p => Identifiers.Escape(p.Name))) + ">";

    /// <summary>The namespace as C# source, every part escaped: <c>@class.Models</c>.</summary>
    private static string NamespaceName(INamespaceSymbol ns)
    {
        var parts = new List<string>();
        for (INamespaceSymbol? n = ns; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            parts.Insert(0, Identifiers.Escape(n.Name));
        }

        return string.Join(".", parts);
    }

    /// <summary>
    /// The generated file's name before <see cref="HintNames.Assign"/> makes it unique: the fully qualified metadata name
    /// (<c>Demo.Outer`1.Model.g.cs</c>) with every character a hint name may not hold replaced by <c>_</c>.
    /// </summary>
    private static string HintName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            parts.Insert(0, t.MetadataName);
        }

        for (INamespaceSymbol? n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            parts.Insert(0, n.MetadataName);
        }

        return HintNames.Sanitize(string.Join(".", parts));
    }

    /// <summary>
    /// Whether <paramref name="declaration"/> is the first declaration of <paramref name="type"/> that carries
    /// <c>[Optimize]</c> (a class split over partial declarations may carry it on more than one: CS0579).
    /// </summary>
    private static bool IsFirstOptimizeDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && Symbols.Is(attributeClass, KnownTypes.OptimizeAttribute)
                && attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is { } syntax)
            {
                return syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() == declaration;
            }
        }

        return true;
    }
}
