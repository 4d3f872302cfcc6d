namespace OptimizerGen.Generator;

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>Each <c>[Optimize]</c> class parsed into a model plus diagnostics.</summary>
    public const string ParsedClasses = nameof(ParsedClasses);

    /// <summary>The models that are valid enough to emit.</summary>
    public const string Models = nameof(Models);

    /// <summary>The models with the unique name of their generated file.</summary>
    public const string NamedModels = nameof(NamedModels);

    /// <summary>The diagnostics of the <c>[Optimize]</c> classes.</summary>
    public const string ClassDiagnostics = nameof(ClassDiagnostics);

    /// <summary>Misplaced <c>[Param]</c> / <c>[ExcludeFromWeightDecay]</c> attributes.</summary>
    public const string MisplacedAttributes = nameof(MisplacedAttributes);

    /// <summary>Each <c>[UpdateRule]</c> type parsed and translated into a model plus diagnostics.</summary>
    public const string ParsedRules = nameof(ParsedRules);

    /// <summary>The rule models that are valid enough to emit, with the unique name of their generated file.</summary>
    public const string NamedRules = nameof(NamedRules);

    /// <summary>The diagnostics of the <c>[UpdateRule]</c> types.</summary>
    public const string RuleDiagnostics = nameof(RuleDiagnostics);
}
