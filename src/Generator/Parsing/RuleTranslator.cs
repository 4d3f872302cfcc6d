using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Parsing;

/// <summary>
/// Translates the <c>Update</c> method of an <c>[UpdateRule]</c> type. Every expression is either a per-step
/// <em>coefficient</em> (it reads only hyperparameters, the step, constants and locals computed from them) or an
/// <em>element</em> value (it reads the parameter, the gradient, a state or a local computed from them). Statements that
/// compute coefficients go, in order, into the rule's <c>Create</c> (plain double C#, run once per step); statements
/// that compute element values go into <c>Apply</c> (the vector vocabulary <c>ISimd</c>, run per element by the SIMD
/// loop). Where element code reads a coefficient, the largest coefficient subexpression becomes a field of the rule,
/// computed in double at that point of <c>Create</c> and rounded to the element type once. A structure the loop cannot run
/// — a loop, an <c>if</c> on element values, a call it has no vector form of, a write to a field, … — is an
/// OPTG032/OPTG033 diagnostic on that syntax.
/// </summary>
internal sealed class RuleTranslator
{
    private const string Simd = "TSimd";
    private static readonly string[] CreateNames = { "options", "step", "clipping", "T" };
    private static readonly string[] ApplyNames = { "T", "TSimd", "TVector" };

    private readonly SemanticModel _model;
    private readonly Dictionary<ISymbol, Hyperparameter> _hyperparameters;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<ISymbol, string> _elementNames = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IdentifierNameSyntax, bool> _elementNameCache = new();
    private readonly HashSet<ILocalSymbol> _elementLocals = new(SymbolEqualityComparer.Default);
    private readonly IParameterSymbol? _step;
    private readonly List<string> _create = new();
    private readonly List<string> _apply = new();
    private readonly List<string> _predeclared = new();
    private readonly List<RuleCoefficient> _coefficients = new();
    private readonly Dictionary<string, string> _coefficientsBySource = new();
    private int _depth;
    private bool _incomplete;   // the compiler reports an error (an unknown name): no diagnostic of ours, no model
    private int _flags;
    private int _values;
    private bool _readsStep;   // a coefficient reads the step: the rule is rebuilt every step
    private readonly HashSet<string> _spelled;   // every identifier the user's Update method spells: renames avoid them

    private RuleTranslator(SemanticModel model, Dictionary<ISymbol, Hyperparameter> hyperparameters, List<DiagnosticInfo> diagnostics, IParameterSymbol? step, HashSet<string> spelled)
    {
        _spelled = spelled;
        _model = model;
        _hyperparameters = hyperparameters;
        _diagnostics = diagnostics;
        _step = step;
    }

    /// <summary>The translation: state keys, Apply's parameter names, coefficients and the two bodies.</summary>
    internal sealed record Result(List<string> StateKeys, List<string> Signature, List<RuleCoefficient> Coefficients, List<string> CreateLines, List<string> ApplyLines, bool ReadsStep);

    /// <summary>Translates <paramref name="update"/>, or reports why it cannot be and returns null.</summary>
    public static Result? Translate(
        INamedTypeSymbol type,
        IMethodSymbol update,
        Dictionary<ISymbol, Hyperparameter> hyperparameters,
        Compilation compilation,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        var syntax = update.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        LocationInfo? name = LocationInfo.From(update.Locations.FirstOrDefault());
        int before = diagnostics.Count;
        void Invalid(LocationInfo? where, string what) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidUpdateMethod, where ?? name, type.Name, what));

        if (update.IsStatic)
        {
            Invalid(name, "has a static Update method");
        }

        if (update.IsGenericMethod)
        {
            Invalid(name, "has a generic Update method");
        }

        if (!update.ReturnsVoid)
        {
            Invalid(LocationInfo.From(syntax?.ReturnType) ?? name, "has an Update method that returns a value");
        }

        if (syntax is null)
        {
            Invalid(name, "has an Update method without a body");
            return null;
        }

        var parameters = update.Parameters;
        IParameterSymbol? step = parameters.Length > 2 && parameters[parameters.Length - 1].RefKind == RefKind.None
            && parameters[parameters.Length - 1].Type.SpecialType == SpecialType.System_Int64
            ? parameters[parameters.Length - 1]
            : null;
        int stateCount = parameters.Length - 2 - (step is null ? 0 : 1);
        if (parameters.Length < 2)
        {
            Invalid(LocationInfo.From(syntax.ParameterList), "has an Update method without the parameter and the gradient");
        }

        bool IsDouble(IParameterSymbol p) => p.Type.SpecialType == SpecialType.System_Double;
        LocationInfo? At(IParameterSymbol p) => LocationInfo.From(p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken));
        if (parameters.Length > 0 && !(IsDouble(parameters[0]) && parameters[0].RefKind == RefKind.Ref))
        {
            Invalid(At(parameters[0]), $"has an Update method whose first parameter '{parameters[0].Name}' is not 'ref double' (the parameter element, updated in place)");
        }

        if (parameters.Length > 1 && !(IsDouble(parameters[1]) && parameters[1].RefKind == RefKind.None))
        {
            Invalid(At(parameters[1]), $"has an Update method whose second parameter '{parameters[1].Name}' is not 'double' (the gradient element)");
        }

        var keys = new List<string>();
        for (int i = 2; i < 2 + stateCount; i++)
        {
            IParameterSymbol p = parameters[i];
            if (i >= 5)
            {
                Invalid(At(p), $"has more than 3 state parameters ('{p.Name}'); the update loop carries 0 to 3 state buffers");
                continue;
            }

            if (!(IsDouble(p) && p.RefKind == RefKind.Ref))
            {
                Invalid(At(p), $"has an Update method whose parameter '{p.Name}' is not 'ref double' (a state element) or the last parameter 'long step'");
                continue;
            }

            AttributeData? state = Symbols.Attribute(p, KnownTypes.StateAttribute);
            string key = state?.ConstructorArguments.FirstOrDefault().Value as string ?? p.Name;
            if (string.IsNullOrWhiteSpace(key) || key.Any(c => char.IsWhiteSpace(c) || c == '.'))
            {
                Invalid(LocationInfo.From(state?.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? At(p), $"names a state '{key}'; a state key is a non-empty name without spaces or dots, e.g. \"exp_avg\"");
            }
            else if (keys.Contains(key))
            {
                Invalid(At(p), $"has two states named '{key}'; give each state its own key");
            }

            keys.Add(key);
        }

        if (diagnostics.Count > before)
        {
            return null;
        }

        SemanticModel model = compilation.GetSemanticModel(syntax.SyntaxTree);
        var spelled = new HashSet<string>(syntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText));
        var translator = new RuleTranslator(model, hyperparameters, diagnostics, step, spelled);
        var signature = new List<string>();
        for (int i = 0; i < 2 + stateCount; i++)
        {
            string id = translator.ElementName(parameters[i].Name);
            translator._elementNames[parameters[i]] = id;
            signature.Add(id);
        }

        for (int i = signature.Count; i < 5; i++)
        {
            signature.Add("__s" + (i - 2));
        }

        translator.Run(syntax, cancellationToken);
        return diagnostics.Count > before || translator._incomplete
            ? null
            : new Result(keys, signature, translator._coefficients, translator._predeclared.Concat(translator._create).ToList(), translator._apply, translator._readsStep);
    }

    private void Run(MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        SyntaxNode body = (SyntaxNode?)method.Body ?? method.ExpressionBody!;
        ClassifyLocals(body, cancellationToken);
        if (_step is not null && _step.Name != "step")
        {
            _create.Add($"long {StepName} = step;");
        }

        if (method.Body is { } block)
        {
            foreach (StatementSyntax statement in block.Statements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Statement(statement);
            }
        }
        else
        {
            ExpressionStatement(method.ExpressionBody!.Expression, method.ExpressionBody.Expression);
        }
    }

    /// <summary>
    /// Marks every local that is ever assigned an element value (to a fixed point: a local computed from such a local is
    /// one too). The others are coefficients, computed once per step.
    /// </summary>
    private void ClassifyLocals(SyntaxNode body, CancellationToken cancellationToken)
    {
        var assignments = new List<(ILocalSymbol Local, ExpressionSyntax Value)>();
        foreach (SyntaxNode node in body.DescendantNodes())
        {
            if (node is VariableDeclaratorSyntax { Initializer: { } init } declarator && _model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol declared)
            {
                assignments.Add((declared, init.Value));
            }
            else if (node is AssignmentExpressionSyntax assignment && _model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol is ILocalSymbol assigned)
            {
                assignments.Add((assigned, assignment.Right));
            }
        }

        for (bool changed = true; changed;)
        {
            changed = false;
            foreach ((ILocalSymbol local, ExpressionSyntax value) in assignments)
            {
                if (!_elementLocals.Contains(local) && IsElement(value))
                {
                    _elementNameCache.Clear();
                    _elementLocals.Add(local);
                    _elementNames[local] = ElementName(local.Name);
                    changed = true;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="expression"/> reads an element value (the parameter, gradient, a state or such a local).</summary>
    private bool IsElement(ExpressionSyntax expression) =>
        expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(IsElementName);

    /// <summary>Whether <paramref name="id"/> names an element value; memoized (nested expressions ask again for their parts).</summary>
    private bool IsElementName(IdentifierNameSyntax id)
    {
        if (!_elementNameCache.TryGetValue(id, out bool element))
        {
            element = _model.GetSymbolInfo(id).Symbol is { } symbol && _elementNames.ContainsKey(symbol);
            _elementNameCache[id] = element;
        }

        return element;
    }

    private string Indent => new(' ', 4 * _depth);

    private void Statement(StatementSyntax statement)
    {
        switch (statement)
        {
            case BlockSyntax block:
                _create.Add(Indent + "{");
                _apply.Add(Indent + "{");
                _depth++;
                foreach (StatementSyntax inner in block.Statements)
                {
                    Statement(inner);
                }

                _depth--;
                _create.Add(Indent + "}");
                _apply.Add(Indent + "}");
                break;
            case EmptyStatementSyntax:
                break;
            case LocalDeclarationStatementSyntax local:
                LocalDeclaration(local);
                break;
            case ExpressionStatementSyntax expression:
                ExpressionStatement(expression.Expression, statement);
                break;
            case IfStatementSyntax ifStatement:
                If(ifStatement);
                break;
            case ReturnStatementSyntax:
                UnsupportedStatement(statement, "'return' statement", "the update ends at the end of Update; choose values with 'x = condition ? a : b' instead of returning early");
                break;
            case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachVariableStatementSyntax:
                UnsupportedStatement(statement, "loop", "Update is the update of one element, and the generated SIMD loop runs it over the elements; write the element's update without a loop");
                break;
            case SwitchStatementSyntax:
                UnsupportedStatement(statement, "'switch' statement", "choose values with conditional expressions 'c ? a : b' (per element) or 'if' on hyperparameters");
                break;
            case LocalFunctionStatementSyntax:
                UnsupportedStatement(statement, "local function", "write its computation inline");
                break;
            default:
                UnsupportedStatement(statement, Describe(statement), "use local declarations, assignments ('=', '+=', '-=', '*=', '/=') and 'if' on hyperparameters or the step");
                break;
        }
    }

    private static string Describe(StatementSyntax statement) => statement switch
    {
        TryStatementSyntax => "'try' statement",
        ThrowStatementSyntax => "'throw' statement",
        UsingStatementSyntax => "'using' statement",
        LockStatementSyntax => "'lock' statement",
        CheckedStatementSyntax => "'checked' block",
        UnsafeStatementSyntax or FixedStatementSyntax => "unsafe code",
        GotoStatementSyntax or LabeledStatementSyntax => "'goto' or label",
        BreakStatementSyntax or ContinueStatementSyntax => "'break' or 'continue'",
        YieldStatementSyntax => "'yield' statement",
        _ => "statement",
    };

    private void LocalDeclaration(LocalDeclarationStatementSyntax statement)
    {
        if (statement.IsConst)
        {
            return; // its reads are folded to the constant
        }

        if (statement.UsingKeyword != default || statement.Declaration.Type is RefTypeSyntax)
        {
            UnsupportedStatement(statement, statement.Declaration.Type is RefTypeSyntax ? "ref local" : "'using' declaration", "declare 'double' locals; assign the parameter or a state through its own name");
            return;
        }

        foreach (VariableDeclaratorSyntax declarator in statement.Declaration.Variables)
        {
            if (_model.GetDeclaredSymbol(declarator) is not ILocalSymbol local)
            {
                continue;
            }

            string id = ElementName(local.Name);
            if (_elementLocals.Contains(local))
            {
                if (local.Type.SpecialType != SpecialType.System_Double)
                {
                    UnsupportedExpression(declarator.Initializer?.Value ?? (SyntaxNode)declarator, local.Type.SpecialType == SpecialType.System_Boolean
                        ? "a comparison of element values cannot be stored; use it directly as the condition of 'c ? a : b'"
                        : $"element values are double (the rule runs in float for float parameters); declare '{local.Name}' as double");
                    continue;
                }

                string? value = declarator.Initializer is null ? null : Element(declarator.Initializer.Value);
                _apply.Add($"{Indent}// {Source(statement)}");
                _apply.Add(declarator.Initializer is null ? $"{Indent}TVector {id};" : $"{Indent}TVector {id} = {value};");
                continue;
            }

            string? type = CoefficientType(local.Type);
            if (type is null)
            {
                UnsupportedExpression(statement.Declaration.Type, $"a rule's locals are double (or bool, int, long for per-step values); '{local.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' is not supported");
                continue;
            }

            string name = CoefficientLocal(local);
            if (declarator.Initializer is null)
            {
                _create.Add($"{Indent}{type} {name};");
            }
            else if (Coefficient(declarator.Initializer.Value) is { } value)
            {
                _create.Add($"{Indent}{type} {name} = {value};");
            }
        }
    }

    private void ExpressionStatement(ExpressionSyntax expression, SyntaxNode statement)
    {
        if (expression is not AssignmentExpressionSyntax assignment)
        {
            if (expression is PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression })
            {
                UnsupportedExpression(expression, "write increments as assignments, e.g. 'x += 1;'");
            }
            else
            {
                UnsupportedStatement(statement, "expression statement", "a rule's statements are declarations and assignments ('=', '+=', '-=', '*=', '/=') of the parameter, its states and locals");
            }

            return;
        }

        string? op = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => string.Empty,
            SyntaxKind.AddAssignmentExpression => "+",
            SyntaxKind.SubtractAssignmentExpression => "-",
            SyntaxKind.MultiplyAssignmentExpression => "*",
            SyntaxKind.DivideAssignmentExpression => "/",
            _ => null,
        };
        if (op is null)
        {
            UnsupportedExpression(assignment, "use '=', '+=', '-=', '*=' or '/='");
            return;
        }

        ISymbol? target = _model.GetSymbolInfo(assignment.Left).Symbol;
        bool simpleName = assignment.Left is IdentifierNameSyntax;
        if (target is not null && simpleName && _elementNames.TryGetValue(target, out string? name))
        {
            string? value = Element(assignment.Right);
            if (value is null)
            {
                return;
            }

            _apply.Add($"{Indent}// {Source(statement)}");
            _apply.Add($"{Indent}{name} = {(op.Length == 0 ? value : $"{Simd}.{Operation(op)}({name}, {value})")};");
            return;
        }

        if (target is ILocalSymbol local && simpleName)
        {
            if (Coefficient(assignment.Right) is { } value)
            {
                _create.Add($"{Indent}{CoefficientLocal(local)} {op}= {value};");
            }

            return;
        }

        string why = target switch
        {
            _ when target is not null && _hyperparameters.ContainsKey(target) => "a rule cannot change its hyperparameters; compute the value in a local",
            IParameterSymbol p when SymbolEqualityComparer.Default.Equals(p, _step) => "the step is read-only; copy it into a local",
            IFieldSymbol or IPropertySymbol => "a rule writes only the parameter, its states and its locals, never fields or properties",
            _ when assignment.Left is ElementAccessExpressionSyntax => "a rule updates one element: it has no arrays to index",
            _ => "assign the parameter, a state or a local by its name",
        };
        UnsupportedExpression(assignment.Left, why);
    }

    private void If(IfStatementSyntax statement)
    {
        if (IsElement(statement.Condition))
        {
            UnsupportedStatement(statement, "'if' on element values", "every element runs the same instructions; compute both values and choose per element with 'x = condition ? a : b'");
            return;
        }

        if (Coefficient(statement.Condition) is not { } condition)
        {
            return;
        }

        string flag = Flag(condition, Source(statement.Condition));
        _create.Add($"{Indent}if ({Capture(flag)})");
        _apply.Add($"{Indent}if ({Capture(flag)})");
        Branch(statement.Statement);
        if (statement.Else is { } elseClause)
        {
            _create.Add(Indent + "else");
            _apply.Add(Indent + "else");
            Branch(elseClause.Statement);
        }
    }

    private void Branch(StatementSyntax statement)
    {
        if (statement is BlockSyntax)
        {
            Statement(statement);
            return;
        }

        _create.Add(Indent + "{");
        _apply.Add(Indent + "{");
        _depth++;
        Statement(statement);
        _depth--;
        _create.Add(Indent + "}");
        _apply.Add(Indent + "}");
    }

    // ---- element code (over ISimd) ----

    /// <summary>The vector code of <paramref name="expression"/>, or null after reporting why it cannot be translated.</summary>
    private string? Element(ExpressionSyntax expression)
    {
        if (!IsElement(expression))
        {
            return Hoisted(expression);
        }

        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Element(parenthesized.Expression);
            case IdentifierNameSyntax identifier when _model.GetSymbolInfo(identifier).Symbol is { } symbol && _elementNames.TryGetValue(symbol, out string? name):
                return name;
            case BinaryExpressionSyntax binary:
                return Binary(binary);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus:
                return Element(minus.Operand) is { } negated ? $"{Simd}.Negate({negated})" : null;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression } plus:
                return Element(plus.Operand);
            case CastExpressionSyntax cast when _model.GetTypeInfo(cast.Type).Type?.SpecialType == SpecialType.System_Double
                && _model.GetTypeInfo(cast.Expression).Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Int32:
                return Element(cast.Expression);
            case CastExpressionSyntax cast:
                return Unsupported(cast, "element values are double (the rule runs in float for float parameters); remove the cast");
            case ConditionalExpressionSyntax conditional:
                return Conditional(conditional);
            case InvocationExpressionSyntax invocation:
                return Call(invocation);
            case AssignmentExpressionSyntax:
                return Unsupported(expression, "write the assignment as its own statement");
            case ElementAccessExpressionSyntax:
                return Unsupported(expression, "a rule updates one element: it has no arrays to index");
            default:
                return Unsupported(expression, "use + - * /, unary -, Math.Sqrt/Abs/Sign/Min/Max/FusedMultiplyAdd and 'c ? a : b' on element values");
        }
    }

    private string? Binary(BinaryExpressionSyntax binary)
    {
        string op = binary.OperatorToken.Text;
        switch (binary.Kind())
        {
            case SyntaxKind.DivideExpression when _model.GetTypeInfo(binary).Type?.SpecialType is SpecialType.System_Int32:
                return Unsupported(binary, "this is an integer division (of Math.Sign results), which the vector code does in double; write '(double)Math.Sign(a) / Math.Sign(b)' or multiply instead");
            case SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
                string? left = Element(binary.Left), right = Element(binary.Right);
                return left is null || right is null ? null : $"{Simd}.{Operation(op)}({left}, {right})";
            case SyntaxKind.GreaterThanExpression or SyntaxKind.LessThanExpression or SyntaxKind.GreaterThanOrEqualExpression
                or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression:
                return Unsupported(binary, "a comparison of element values can only choose between two values: use it as the condition of 'c ? a : b'");
            case SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression:
                return Unsupported(binary, $"'{op}' of element comparisons has no vector form here; nest conditional expressions, e.g. 'a > 0 ? (b > 0 ? x : y) : y'");
            default:
                return Unsupported(binary, $"the operator '{op}' has no vector form here; use + - * / on element values");
        }
    }

    private string? Conditional(ConditionalExpressionSyntax conditional)
    {
        ExpressionSyntax condition = conditional.Condition;
        while (condition is ParenthesizedExpressionSyntax parenthesized)
        {
            condition = parenthesized.Expression;
        }

        if (!IsElement(condition))
        {
            // A per-step flag: the same branch for every element of this step.
            string? whenTrueCode = Element(conditional.WhenTrue), whenFalseCode = Element(conditional.WhenFalse);
            if (Coefficient(condition) is not { } flagValue || whenTrueCode is null || whenFalseCode is null)
            {
                return null;
            }

            return $"({Capture(Flag(flagValue, Source(condition)))} ? {whenTrueCode} : {whenFalseCode})";
        }

        bool negate = false;
        while (condition is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not)
        {
            negate = !negate;
            condition = not.Operand;
            while (condition is ParenthesizedExpressionSyntax inner)
            {
                condition = inner.Expression;
            }
        }

        if (condition is not BinaryExpressionSyntax comparison)
        {
            return Unsupported(condition, "a per-element condition is one comparison of element values (<, >, <=, >=, ==, !=); nest conditional expressions for more");
        }

        string? mask = comparison.Kind() switch
        {
            SyntaxKind.GreaterThanExpression => "GreaterThan",
            SyntaxKind.LessThanExpression => "LessThan",
            SyntaxKind.GreaterThanOrEqualExpression => "GreaterThanOrEqual",
            SyntaxKind.LessThanOrEqualExpression => "LessThanOrEqual",
            SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression => "EqualTo",
            _ => null,
        };
        if (mask is null)
        {
            return Unsupported(comparison, comparison.IsKind(SyntaxKind.LogicalAndExpression) || comparison.IsKind(SyntaxKind.LogicalOrExpression)
                ? $"'{comparison.OperatorToken.Text}' of element comparisons has no vector form here; nest conditional expressions, e.g. 'a > 0 ? (b > 0 ? x : y) : y'"
                : "a per-element condition is one comparison of element values (<, >, <=, >=, ==, !=)");
        }

        negate ^= comparison.IsKind(SyntaxKind.NotEqualsExpression);
        string? left = Element(comparison.Left), right = Element(comparison.Right);
        string? whenTrue = Element(conditional.WhenTrue), whenFalse = Element(conditional.WhenFalse);
        if (left is null || right is null || whenTrue is null || whenFalse is null)
        {
            return null;
        }

        return negate
            ? $"{Simd}.Select({Simd}.{mask}({left}, {right}), {whenFalse}, {whenTrue})"
            : $"{Simd}.Select({Simd}.{mask}({left}, {right}), {whenTrue}, {whenFalse})";
    }

    private string? Call(InvocationExpressionSyntax invocation)
    {
        var method = _model.GetSymbolInfo(invocation).Symbol as IMethodSymbol;
        if (method is null && _model.GetSymbolInfo(invocation.Expression).Symbol is null && _model.GetSymbolInfo(invocation.Expression).CandidateSymbols.IsEmpty)
        {
            _incomplete = true;
            return null; // an unknown method: the compiler's CS0103/CS1061
        }

        SyntaxNode nameSyntax = invocation.Expression is MemberAccessExpressionSyntax access ? access.Name : invocation.Expression;
        if (method is null || !IsMath(method.ContainingType))
        {
            return Unsupported(invocation, $"'{(method is null ? invocation.Expression.ToString() : method.ContainingType.Name + "." + method.Name)}' is not a function OptimizerGen can vectorize; use Math.Sqrt, Abs, Sign, Min, Max or FusedMultiplyAdd on element values, or inline the method's computation");
        }

        (string Operation, int Arity)? vector = method.Name switch
        {
            "Sqrt" => ("Sqrt", 1),
            "Abs" => ("Abs", 1),
            "Sign" => ("Sign", 1),
            "Min" => ("Min", 2),
            "Max" => ("Max", 2),
            "FusedMultiplyAdd" => ("FusedMultiplyAdd", 3),
            _ => null,
        };
        if (vector is null || invocation.ArgumentList.Arguments.Count != vector.Value.Arity)
        {
            return Unsupported(nameSyntax, $"{method.ContainingType.Name}.{method.Name} has no vector form; use it only on hyperparameters and the step (a per-step coefficient), and Math.Sqrt, Abs, Sign, Min, Max or FusedMultiplyAdd on element values");
        }

        var arguments = new List<string>();
        foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
        {
            if (argument.RefKindKeyword != default || argument.NameColon is not null)
            {
                return Unsupported(argument, "pass plain values, in order");
            }

            if (Element(argument.Expression) is not { } code)
            {
                return null;
            }

            arguments.Add(code);
        }

        return $"{Simd}.{vector.Value.Operation}({string.Join(", ", arguments)})";
    }

    private static bool IsMath(INamedTypeSymbol? type) =>
        type is not null && (Symbols.Is(type, "System.Math") || Symbols.Is(type, "System.MathF"));

    private static string Operation(string op) => op switch
    {
        "+" => "Add",
        "-" => "Subtract",
        "*" => "Multiply",
        _ => "Divide",
    };

    /// <summary>A coefficient read by element code: a field of the rule, broadcast to every lane.</summary>
    private string? Hoisted(ExpressionSyntax expression)
    {
        ITypeSymbol? type = _model.GetTypeInfo(expression).Type;
        if (type is null || type.TypeKind == TypeKind.Error)
        {
            _incomplete = true;
            return null;
        }

        if (type.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32 or SpecialType.System_Int64))
        {
            return Unsupported(expression, "element values are double; use a number here");
        }

        string? value = Coefficient(expression);
        if (value is null)
        {
            return null;
        }

        string source = Source(expression);
        bool readsLocals = expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => _model.GetSymbolInfo(id).Symbol is ILocalSymbol);
        if (!readsLocals && _depth == 0 && _coefficientsBySource.TryGetValue(source, out string? existing))
        {
            return Capture(existing);
        }

        string name = "C" + _values++;
        _coefficients.Add(new RuleCoefficient(name, IsFlag: false, source));
        if (!readsLocals && _depth == 0)
        {
            _coefficientsBySource[source] = name;
        }

        Assign(name, "double", value);
        return Capture(name);
    }

    /// <summary>A per-step condition: a bool field of the rule.</summary>
    private string Flag(string value, string source)
    {
        string name = "B" + _flags++;
        _coefficients.Add(new RuleCoefficient(name, IsFlag: true, source));
        Assign(name, "bool", value);
        return name;
    }

    /// <summary>Computes a coefficient into its capture local at this point of Create (declared up front inside branches).</summary>
    private void Assign(string name, string type, string value)
    {
        if (_depth == 0)
        {
            _create.Add($"{type} {Capture(name)} = {value};");
        }
        else
        {
            _predeclared.Add($"{type} {Capture(name)} = {(type == "bool" ? "false" : "0")};");
            _create.Add($"{Indent}{Capture(name)} = {value};");
        }
    }

    /// <summary>The local in Create that holds coefficient <paramref name="name"/>.</summary>
    internal static string Capture(string name) => "__" + char.ToLowerInvariant(name[0]) + name.Substring(1);

    // ---- coefficient code (plain double C#, once per step) ----

    /// <summary>The C# text of a per-step expression in Create, or null after reporting why it is not supported.</summary>
    private string? Coefficient(ExpressionSyntax expression)
    {
        Optional<object?> constant = _model.GetConstantValue(expression);
        if (constant.HasValue)
        {
            return constant.Value switch
            {
                double or float or int or long or bool when expression is LiteralExpressionSyntax literal => literal.Token.Text,
                double d => Literal(d, "d"),
                float f => Literal(f, "f"),
                int i => i.ToString(CultureInfo.InvariantCulture),
                long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                bool b => b ? "true" : "false",
                _ => Unsupported(expression, "use numbers and true/false"),
            };
        }

        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Coefficient(parenthesized.Expression) is { } inner ? $"({inner})" : null;
            case IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }:
                return Read(expression);
            case BinaryExpressionSyntax binary when binary.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression
                or SyntaxKind.DivideExpression or SyntaxKind.ModuloExpression or SyntaxKind.GreaterThanExpression or SyntaxKind.LessThanExpression
                or SyntaxKind.GreaterThanOrEqualExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.EqualsExpression
                or SyntaxKind.NotEqualsExpression or SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression:
                string? left = Coefficient(binary.Left), right = Coefficient(binary.Right);
                return left is null || right is null ? null : $"{left} {binary.OperatorToken.Text} {right}";
            case BinaryExpressionSyntax binary:
                return Unsupported(binary, $"the operator '{binary.OperatorToken.Text}' is not supported; use arithmetic, comparisons, && and ||");
            case PrefixUnaryExpressionSyntax unary when unary.Kind() is SyntaxKind.UnaryMinusExpression or SyntaxKind.UnaryPlusExpression or SyntaxKind.LogicalNotExpression:
                return Coefficient(unary.Operand) is { } operand ? unary.OperatorToken.Text + operand : null;
            case ConditionalExpressionSyntax conditional:
                string? condition = Coefficient(conditional.Condition), whenTrue = Coefficient(conditional.WhenTrue), whenFalse = Coefficient(conditional.WhenFalse);
                return condition is null || whenTrue is null || whenFalse is null ? null : $"{condition} ? {whenTrue} : {whenFalse}";
            case CastExpressionSyntax cast when _model.GetTypeInfo(cast.Type).Type is { } castType && CoefficientType(castType) is { } keyword:
                return Coefficient(cast.Expression) is { } castee ? $"({keyword}){castee}" : null;
            case InvocationExpressionSyntax invocation when _model.GetSymbolInfo(invocation).Symbol is IMethodSymbol { IsStatic: true } method && IsMath(method.ContainingType):
                var arguments = new List<string>();
                foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
                {
                    if (argument.RefKindKeyword != default || argument.NameColon is not null)
                    {
                        return Unsupported(argument, "pass plain values, in order");
                    }

                    if (Coefficient(argument.Expression) is not { } code)
                    {
                        return null;
                    }

                    arguments.Add(code);
                }

                return $"global::System.{method.ContainingType.Name}.{method.Name}({string.Join(", ", arguments)})";
            case InvocationExpressionSyntax invocation when _model.GetSymbolInfo(invocation).Symbol is null && _model.GetSymbolInfo(invocation).CandidateSymbols.IsEmpty:
                _incomplete = true;
                return null; // an unknown method: the compiler's CS0103/CS1061
            case InvocationExpressionSyntax invocation:
                return Unsupported(invocation, $"'{invocation.Expression}' is not a function a rule can call; use Math functions, or inline the method's computation");
            case AssignmentExpressionSyntax:
                return Unsupported(expression, "write the assignment as its own statement");
            case ElementAccessExpressionSyntax:
                return Unsupported(expression, "a rule updates one element: it has no arrays to index");
            case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or StackAllocArrayCreationExpressionSyntax or CollectionExpressionSyntax:
                return Unsupported(expression, "a rule cannot allocate; compute values in double locals");
            case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax:
                return Unsupported(expression, "write the computation inline");
            default:
                return Unsupported(expression, "use hyperparameters, the step, numbers, locals, + - * /, comparisons, Math functions and 'c ? a : b'");
        }
    }

    /// <summary>A name read in per-step code: a hyperparameter (<c>options.X</c>), the step, or a coefficient local.</summary>
    private string? Read(ExpressionSyntax expression)
    {
        ISymbol? symbol = _model.GetSymbolInfo(expression).Symbol;
        if (symbol is not null && _hyperparameters.TryGetValue(symbol, out Hyperparameter? hyperparameter))
        {
            return "options." + hyperparameter.Id;
        }

        switch (symbol)
        {
            case IParameterSymbol p when SymbolEqualityComparer.Default.Equals(p, _step):
                _readsStep = true;
                return StepName;
            case ILocalSymbol local:
                return CoefficientLocal(local);
            case IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true }:
                return Unsupported(expression, "a rule reads its hyperparameters, the step, constants and its locals; make it a const or a hyperparameter");
            case IFieldSymbol or IPropertySymbol:
                return Unsupported(expression, "a rule reads its hyperparameters (settable double, float, int, long or bool fields and properties), not computed properties or other members");
            case null:
                _incomplete = true;
                return null; // the compiler reports an unknown name
            default:
                return Unsupported(expression, "a rule reads its hyperparameters, the step, constants and its locals");
        }
    }

    /// <summary>An element value's name in Apply, clear of Apply's type parameters and the kernel's fields.</summary>
    private string ElementName(string name) =>
        Unclash(name, ApplyNames.Contains(name) || name.StartsWith("__", System.StringComparison.Ordinal));

    /// <summary>The step's name in Create: <c>step</c>, or the user's name for it, clear of Create's other parameters.</summary>
    private string StepName => _step is null || _step.Name == "step" ? "step" : Unclash(_step.Name, CreateNames.Contains(_step.Name));

    /// <summary>A coefficient local's name in Create, clear of Create's own parameters.</summary>
    private string CoefficientLocal(ILocalSymbol local) =>
        Unclash(local.Name, CreateNames.Contains(local.Name) || local.Name.StartsWith("__", System.StringComparison.Ordinal));

    /// <summary>
    /// <paramref name="name"/> as written, or — when it <paramref name="clashes"/> with a generated name — with as many
    /// <c>_</c> appended as it takes to be a name the user's method does not spell itself (<c>T</c> → <c>T_</c>, or
    /// <c>T__</c> when the method also has a <c>T_</c>).
    /// </summary>
    private string Unclash(string name, bool clashes)
    {
        if (!clashes)
        {
            return Identifiers.Escape(name);
        }

        string candidate = name + "_";
        while (_spelled.Contains(candidate))
        {
            candidate += "_";
        }

        return candidate;
    }

    private static string? CoefficientType(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => "double",
        SpecialType.System_Single => "float",
        SpecialType.System_Int32 => "int",
        SpecialType.System_Int64 => "long",
        SpecialType.System_Boolean => "bool",
        _ => null,
    };

    private static string Literal(double value, string suffix) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + suffix;

    private static string Literal(float value, string suffix) =>
        float.IsNaN(value) ? "float.NaN"
        : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + suffix;

    /// <summary>The user's source of <paramref name="node"/> on one line, for comments.</summary>
    private static string Source(SyntaxNode node) => Regex.Replace(node.ToString(), @"\s+", " ").Replace("*/", "* /");

    private void UnsupportedStatement(SyntaxNode statement, string what, string advice)
    {
        LocationInfo? location = statement is IfStatementSyntax ifStatement
            ? LocationInfo.From(ifStatement.Condition)
            : Keyword(statement) is SyntaxToken keyword ? LocationInfo.From(keyword) : LocationInfo.From(statement);
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedRuleStatement, location, what, advice));
    }

    /// <summary>A statement is reported on its keyword (<c>for</c>, <c>while</c>, …) when it has one, else on the whole statement.</summary>
    private static SyntaxToken? Keyword(SyntaxNode statement) => statement switch
    {
        ForStatementSyntax s => s.ForKeyword,
        CommonForEachStatementSyntax s => s.ForEachKeyword,
        WhileStatementSyntax s => s.WhileKeyword,
        DoStatementSyntax s => s.DoKeyword,
        SwitchStatementSyntax s => s.SwitchKeyword,
        ReturnStatementSyntax s => s.ReturnKeyword,
        TryStatementSyntax s => s.TryKeyword,
        ThrowStatementSyntax s => s.ThrowKeyword,
        _ => null,
    };

    private string? UnsupportedExpression(SyntaxNode node, string why)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedRuleExpression, LocationInfo.From(node), Source(node), why));
        return null;
    }

    private string? Unsupported(SyntaxNode node, string why) => UnsupportedExpression(node, why);
}
