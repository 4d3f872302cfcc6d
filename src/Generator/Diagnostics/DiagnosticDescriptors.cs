using Microsoft.CodeAnalysis;

namespace OptimizerGen.Generator.Diagnostics;

/// <summary>
/// Every diagnostic OptimizerGen reports. Ids are stable: never reuse or renumber one; record new ones in
/// AnalyzerReleases.Unshipped.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "OptimizerGen";

    /// <summary>Where each id's page lives (docs/diagnostics/OPTGnnn.md in the repository).</summary>
    internal const string HelpLinkBase = "https://github.com/optimizergen/optimizergen/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor ClassNotPartial = Error(
        "OPTG001",
        "[Optimize] class must be partial",
        "The class '{0}' has [Optimize] but is not partial: add the 'partial' modifier so OptimizerGen can add its optimizer members");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "OPTG002",
        "Type containing an [Optimize] class must be partial",
        "'{0}' contains the [Optimize] class '{1}' but is not partial: add the 'partial' modifier to '{0}'");

    public static readonly DiagnosticDescriptor NoParameters = Error(
        "OPTG003",
        "[Optimize] class has no parameters",
        "'{0}' has no [Param] fields: mark at least one float, double, float[] or double[] instance field with [Param]");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "OPTG004",
        "Unsupported parameter type",
        "Parameter field '{0}' has type '{1}', which OptimizerGen cannot optimize: use float, double, float[] or double[] (a matrix is an array with its shape on [Param(rows, columns)])");

    public static readonly DiagnosticDescriptor ParameterNotWritableInstanceField = Error(
        "OPTG005",
        "Parameter must be a writable instance field",
        "Parameter field '{0}' is {1}: the optimizer writes every parameter of each instance, so remove '{1}'");

    public static readonly DiagnosticDescriptor UnknownOptimizer = Error(
        "OPTG006",
        "Unknown optimizer",
        "'{0}' is not an optimizer OptimizerGen knows: use a built-in one (RmsProp, Sgd, AdaGrad, AdaDelta, Adam, AdamW) or a partial struct marked [UpdateRule]");

    public static readonly DiagnosticDescriptor MemberNameTaken = Error(
        "OPTG007",
        "Member name needed by OptimizerGen is taken",
        "'{0}' already has a member named '{1}'{2}, which OptimizerGen generates: rename that member");

    public static readonly DiagnosticDescriptor ParamOutsideOptimizeClass = Error(
        "OPTG008",
        "[Param] outside an [Optimize] class",
        "Field '{0}' is marked [Param], but its type '{1}' has no [Optimize] attribute: add [Optimize(typeof(RmsProp))] to '{1}', or remove [Param]");

    public static readonly DiagnosticDescriptor ExcludeFromWeightDecayWithoutParam = new(
        "OPTG009",
        "[ExcludeFromWeightDecay] on a field that is not a parameter",
        "[ExcludeFromWeightDecay] on '{0}' has no effect because '{0}' is not marked [Param]: add [Param], or remove [ExcludeFromWeightDecay]",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "OPTG009.md");

    public static readonly DiagnosticDescriptor InvalidShape = Error(
        "OPTG010",
        "Invalid parameter shape",
        "The shape of parameter '{0}' is invalid: {1}");

    public static readonly DiagnosticDescriptor StaticClass = Error(
        "OPTG011",
        "[Optimize] class must not be static",
        "'{0}' is static: the optimizer state belongs to each model instance, so remove 'static'");

    public static readonly DiagnosticDescriptor GeneratorFailure = Error(
        "OPTG012",
        "OptimizerGen failed",
        "OptimizerGen could not generate code for '{0}' ({1}): this is a bug in OptimizerGen, please report it with this message");

    public static readonly DiagnosticDescriptor InvalidLossSignature = Error(
        "OPTG013",
        "Invalid [Loss] method",
        "[Loss] method '{0}' {1}");

    public static readonly DiagnosticDescriptor MultipleLossMethods = Error(
        "OPTG014",
        "More than one [Loss] method",
        "'{0}' has more than one [Loss] method: keep [Loss] on one method and call the others from it after marking them [Differentiable]");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "OPTG015",
        "Statement cannot be differentiated",
        "{0} is not supported in a [Loss] method: {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "OPTG016",
        "Expression cannot be differentiated",
        "'{0}' cannot be differentiated: {1}");

    public static readonly DiagnosticDescriptor UnsupportedLoop = Error(
        "OPTG017",
        "Loop cannot be differentiated",
        "This for loop cannot be differentiated: {0}");

    public static readonly DiagnosticDescriptor RecursiveHelper = Error(
        "OPTG018",
        "Recursive [Differentiable] call",
        "'{0}' calls itself (directly or through other helpers): a [Differentiable] helper is inlined, so it cannot recurse; write the recursion as a for loop");

    public static readonly DiagnosticDescriptor LossOutsideOptimizeClass = Error(
        "OPTG019",
        "[Loss] or [Differentiable] outside an [Optimize] class",
        "Method '{0}' is marked [{1}], but its type '{2}' has no [Optimize] attribute: add [Optimize(typeof(RmsProp))] to '{2}', or remove [{1}]");

    public static readonly DiagnosticDescriptor HelperNotSingleExpression = Error(
        "OPTG020",
        "[Differentiable] helper is not a single expression",
        "[Differentiable] method '{0}' {1}");

    public static readonly DiagnosticDescriptor RecordModel = Error(
        "OPTG021",
        "[Optimize] class must not be a record",
        "'{0}' is a record: a record's copies and equality would share or compare the optimizer state and gradients, so declare the model as a class");

    public static readonly DiagnosticDescriptor ParamOnPropertyBackingField = Error(
        "OPTG022",
        "[Param] on a property's backing field",
        "[field: Param] marks the hidden backing field of property '{0}', which OptimizerGen cannot name in the code it generates: declare a field, '[Param] public float {0};', instead of the property");

    public static readonly DiagnosticDescriptor ClassNamedLikeGeneratedMember = Error(
        "OPTG023",
        "[Optimize] class has the name of a generated member",
        "The class '{0}' has the name of a member OptimizerGen generates in it, and a member cannot be named like its class: rename the class");

    public static readonly DiagnosticDescriptor FileLocalClass = Error(
        "OPTG024",
        "[Optimize] class must not be file-local",
        "'{0}' is a file-local type, so the members OptimizerGen generates in another file cannot be part of '{1}': remove the 'file' modifier (make the type internal instead)");

    public static readonly DiagnosticDescriptor DerivedFromOptimizeClass = Error(
        "OPTG025",
        "[Optimize] class derives from another [Optimize] class",
        "'{0}' derives from the [Optimize] class '{1}': the members OptimizerGen generates in '{0}' would hide those of '{1}', each with its own gradients and optimizer state; keep [Optimize] on one class of the hierarchy and declare the [Param] fields there");

    public static readonly DiagnosticDescriptor RuleNotPartialStruct = Error(
        "OPTG030",
        "[UpdateRule] type must be a top-level partial struct",
        "'{0}' has [UpdateRule] but {1}: declare it as a non-generic 'partial struct' (or 'partial record struct') directly in a namespace, so OptimizerGen can add its rule and checkpoint members");

    public static readonly DiagnosticDescriptor InvalidUpdateMethod = Error(
        "OPTG031",
        "[UpdateRule] type needs one valid Update method",
        "'{0}' {1}: declare one instance method 'void Update(ref double parameter, double gradient, ref double state…, long step)' with 0 to 3 state parameters (the step is optional)");

    public static readonly DiagnosticDescriptor UnsupportedRuleStatement = Error(
        "OPTG032",
        "Statement not supported in an update rule",
        "This {0} cannot be vectorized: {1}");

    public static readonly DiagnosticDescriptor UnsupportedRuleExpression = Error(
        "OPTG033",
        "Expression not supported in an update rule",
        "'{0}' cannot be vectorized: {1}");

    public static readonly DiagnosticDescriptor RuleMemberNameTaken = Error(
        "OPTG034",
        "[UpdateRule] type declares a member OptimizerGen generates",
        "'{0}' declares '{1}', a member OptimizerGen generates in an [UpdateRule] type: rename it");

    public static readonly DiagnosticDescriptor UnsupportedHyperparameter = Error(
        "OPTG035",
        "Unsupported hyperparameter in an update rule",
        "'{0}' is {1}: a rule's instance fields and settable properties are its hyperparameters, saved in checkpoints; make it a settable double, float, int, long or bool, or make it static, const or a get-only computed property");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
