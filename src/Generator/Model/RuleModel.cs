namespace OptimizerGen.Generator.Model;

/// <summary>The C# type of a rule's hyperparameter.</summary>
internal enum HyperparameterType
{
    Double,
    Float,
    Int,
    Long,
    Bool,
}

/// <summary>A settable field or property of an <c>[UpdateRule]</c> type: a hyperparameter saved in checkpoints.</summary>
/// <param name="Name">The member's name as declared.</param>
/// <param name="Type">Its type.</param>
internal sealed record Hyperparameter(string Name, HyperparameterType Type)
{
    /// <summary>The name as a C# identifier.</summary>
    public string Id => Identifiers.Escape(Name);
}

/// <summary>A per-step coefficient of a translated rule: computed once per step in double (or a flag), a field of the rule.</summary>
/// <param name="Name">The field name in the generated rule, e.g. <c>C0</c> or <c>B0</c>.</param>
/// <param name="IsFlag">A <c>bool</c> (a condition the element code branches on) rather than a value rounded to T.</param>
/// <param name="Source">The user's expression it comes from, for the generated documentation.</param>
internal sealed record RuleCoefficient(string Name, bool IsFlag, string Source);

/// <summary>
/// Everything the emitter needs to write the generated part of one <c>[UpdateRule]</c> type: its hyperparameters, its
/// state keys, and its <c>Update</c> method already translated into two line lists — the per-step code of <c>Create</c>
/// (plain double C# over the hyperparameters and the step) and the element code of <c>Apply</c> (over <c>ISimd</c>).
/// </summary>
/// <param name="Namespace">The namespace as C# source, or null for the global namespace.</param>
/// <param name="Keyword">The declaration keywords: <c>struct</c>, <c>record struct</c>, with <c>readonly</c> when declared so.</param>
/// <param name="Name">The type's name as declared.</param>
/// <param name="HintName">The generated file's name without <c>.g.cs</c>, before it is made unique.</param>
/// <param name="Hyperparameters">The settable fields and properties, in declaration order.</param>
/// <param name="StateKeys">The checkpoint key of each state parameter (0 to 3), in order.</param>
/// <param name="Signature">The names of Apply's parameters: the parameter, the gradient, then three state slots.</param>
/// <param name="Coefficients">The per-step coefficients the element code reads.</param>
/// <param name="CreateLines">The body of <c>Create</c> after its checks, relative indentation included.</param>
/// <param name="ApplyLines">The body of <c>Apply</c> after the gradient terms, relative indentation included.</param>
/// <param name="ReadsStep">Whether a coefficient reads the step (then the rule is rebuilt every step, else only when the options change).</param>
/// <remarks>No location: an edit elsewhere in the file leaves the model equal and its source cached.</remarks>
internal sealed record RuleModel(
    string? Namespace,
    string Keyword,
    string Name,
    string HintName,
    EquatableArray<Hyperparameter> Hyperparameters,
    EquatableArray<string> StateKeys,
    EquatableArray<string> Signature,
    EquatableArray<RuleCoefficient> Coefficients,
    EquatableArray<string> CreateLines,
    EquatableArray<string> ApplyLines,
    bool ReadsStep)
{
    /// <summary>The name as a C# identifier.</summary>
    public string Id => Identifiers.Escape(Name);
}

/// <summary>What parsing one <c>[UpdateRule]</c> type yields: a model to emit (when there were no errors) and diagnostics.</summary>
internal sealed record RuleParseResult(RuleModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>What an <c>[Optimize]</c> class needs to know of the user's rule it is optimized with.</summary>
/// <param name="TypeRef">The rule type, <c>global::</c>-qualified.</param>
/// <param name="Name">Its name, for comments and messages.</param>
/// <param name="StateKeys">The checkpoint keys of its state buffers, in order.</param>
/// <param name="ReadsStep">Whether its coefficients read the step.</param>
internal sealed record UserRule(string TypeRef, string Name, EquatableArray<string> StateKeys, bool ReadsStep);
