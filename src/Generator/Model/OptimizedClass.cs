namespace OptimizerGen.Generator.Model;

/// <summary>The element type of a parameter.</summary>
internal enum ElementType
{
    Float,
    Double,
}

/// <summary>The optimizers the generator emits an update for.</summary>
internal enum OptimizerKind
{
    RmsProp,
    Sgd,
    AdaGrad,
    AdaDelta,
    Adam,
    AdamW,

    /// <summary>A user's <c>[UpdateRule]</c> type (<see cref="OptimizedClass.Rule"/>).</summary>
    UserRule,
}

/// <summary>One <c>[Param]</c> field.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Element">float or double.</param>
/// <param name="IsArray">An array (updated by a runtime kernel) or a scalar (updated by straight-line code).</param>
/// <param name="ExcludeFromWeightDecay">Marked <c>[ExcludeFromWeightDecay]</c>.</param>
/// <param name="Shape">The declared shape of an array; empty when none was declared.</param>
/// <param name="IsNullable">An array declared nullable (<c>float[]?</c>).</param>
internal sealed record ParamField(string Name, ElementType Element, bool IsArray, bool ExcludeFromWeightDecay, EquatableArray<int> Shape, bool IsNullable = false)
{
    /// <summary>The name as a C# identifier (<c>@in</c> for a field named <c>in</c>).</summary>
    public string Id => Identifiers.Escape(Name);
}

/// <summary>Writing user names as identifiers.</summary>
internal static class Identifiers
{
    /// <summary><paramref name="name"/>, prefixed with <c>@</c> when it is a C# keyword.</summary>
    public static string Escape(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? name : "@" + name;
}

/// <summary>A type that contains the <c>[Optimize]</c> class, outermost first.</summary>
/// <param name="Keyword">The declaration keyword(s): <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c>, <c>interface</c>.</param>
/// <param name="NameWithTypeParameters">E.g. <c>Outer</c>, <c>Outer&lt;T&gt;</c> or <c>@struct</c>.</param>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters);

/// <summary>Everything the emitter needs to know about one <c>[Optimize]</c> class.</summary>
/// <param name="Namespace">The namespace as C# source (keywords escaped), or null for the global namespace.</param>
/// <param name="ContainingTypes">The types the class is nested in, outermost first.</param>
/// <param name="Keyword"><c>class</c> or <c>record</c>.</param>
/// <param name="Name">The class name without type parameters, as declared (<c>class</c> for <c>@class</c>).</param>
/// <param name="NameWithTypeParameters">The name as C# source, e.g. <c>Model&lt;T&gt;</c> or <c>@class</c>.</param>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="Fields">The parameter fields, in declaration order.</param>
/// <param name="HintName">The generated file's name without <c>.g.cs</c>, before it is made unique among the generator's files.</param>
/// <param name="Loss">The differentiated <c>[Loss]</c> method, if the class has one.</param>
/// <param name="Rule">The user's rule when <paramref name="Optimizer"/> is <see cref="OptimizerKind.UserRule"/>.</param>
internal sealed record OptimizedClass(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    string Name,
    string NameWithTypeParameters,
    OptimizerKind Optimizer,
    EquatableArray<ParamField> Fields,
    string HintName,
    Differentiation.LossModel? Loss = null,
    UserRule? Rule = null,
    bool DetectConcurrentUse = true);

/// <summary>What parsing one <c>[Optimize]</c> class yields: a model to emit (when there were no errors) and diagnostics.</summary>
internal sealed record ParseResult(OptimizedClass? Model, EquatableArray<DiagnosticInfo> Diagnostics);
