using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;
using OptimizerGen.Generator.Parsing;

namespace OptimizerGen.Generator;

/// <summary>
/// Generates the optimizer state, gradients and fused update of every <c>[Optimize]</c> class:
/// find the classes → parse each into an equatable model (no symbols, no syntax) → emit C# text.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class OptimizerGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.OptimizeAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: ClassParser.Parse)
            .WithTrackingName(TrackingNames.ParsedClasses);

        IncrementalValuesProvider<OptimizedClass> models = parsed
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Models);

        IncrementalValuesProvider<DiagnosticInfo> classDiagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.ClassDiagnostics);

        IncrementalValuesProvider<DiagnosticInfo> misplaced = Misplaced(context, KnownTypes.ParamAttribute, AttributePlacementParser.ParseParam)
            .Combine(Misplaced(context, KnownTypes.ExcludeFromWeightDecayAttribute, AttributePlacementParser.ParseExclude))
            .Combine(Misplaced(context, KnownTypes.LossAttribute, AttributePlacementParser.ParseMethodAttribute))
            .Combine(Misplaced(context, KnownTypes.DifferentiableAttribute, AttributePlacementParser.ParseMethodAttribute))
            .SelectMany(static (all, _) => all.Left.Left.Left.AddRange(all.Left.Left.Right).AddRange(all.Left.Right).AddRange(all.Right))
            .WithTrackingName(TrackingNames.MisplacedAttributes);

        // Hint names must be unique (ignoring case) across the generator's files, so they are settled over all the models.
        IncrementalValuesProvider<(OptimizedClass Model, string HintName)> named = models
            .Collect()
            .SelectMany(static (all, _) => HintNames.Assign(all))
            .WithTrackingName(TrackingNames.NamedModels);

        // Users' [UpdateRule] types: each translated into a rule the runtime's update loop runs, like the built-in ones.
        IncrementalValuesProvider<RuleParseResult> parsedRules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypes.UpdateRuleAttribute,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: RuleParser.Parse)
            .WithTrackingName(TrackingNames.ParsedRules);

        IncrementalValuesProvider<(RuleModel Model, string HintName)> namedRules = parsedRules
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .Collect()
            .SelectMany(static (all, _) => HintNames.Assign(all))
            .WithTrackingName(TrackingNames.NamedRules);

        IncrementalValuesProvider<DiagnosticInfo> ruleDiagnostics = parsedRules
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.RuleDiagnostics);

        context.RegisterSourceOutput(named, static (spc, item) => EmitClass(spc, item.Model, item.HintName));
        context.RegisterSourceOutput(namedRules, static (spc, item) => EmitRule(spc, item.Model, item.HintName));
        context.RegisterSourceOutput(ruleDiagnostics, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));
        context.RegisterSourceOutput(classDiagnostics, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));
        context.RegisterSourceOutput(misplaced, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }

    /// <summary>The diagnostics for one of OptimizerGen's member attributes where it does nothing (on a field or method).</summary>
    private static IncrementalValueProvider<ImmutableArray<DiagnosticInfo>> Misplaced(
        IncrementalGeneratorInitializationContext context,
        string attribute,
        Func<GeneratorAttributeSyntaxContext, CancellationToken, DiagnosticInfo?> parse) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attribute,
                predicate: static (node, _) => node is VariableDeclaratorSyntax or MethodDeclarationSyntax,
                transform: parse)
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .Collect();

    private static void EmitRule(SourceProductionContext context, RuleModel model, string hintName)
    {
        string source;
        try
        {
            source = UpdateRuleEmitter.Emit(model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The model holds no location (so edits elsewhere in the file leave it equal and cached): name the rule in full.
            context.ReportDiagnostic(DiagnosticInfo.Failure(null, (model.Namespace is null ? string.Empty : model.Namespace + ".") + model.Name, ex).ToDiagnostic());
            return;
        }

        context.AddSource(hintName, source);
    }

    private static void EmitClass(SourceProductionContext context, OptimizedClass model, string hintName)
    {
        string source;
        try
        {
            source = ClassEmitter.Emit(model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The model holds no location (so edits elsewhere in the file leave it equal and cached): name the class in full.
            string name = (model.Namespace is null ? string.Empty : model.Namespace + ".") + string.Concat(model.ContainingTypes.Select(static t => t.NameWithTypeParameters + ".")) + model.NameWithTypeParameters;
            context.ReportDiagnostic(DiagnosticInfo.Failure(null, name, ex).ToDiagnostic());
            return;
        }

        context.AddSource(hintName, source);
    }
}
