using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptimizerGen.Generator.Diagnostics;
using OptimizerGen.Generator.Model;
using OptimizerGen.Generator.Parsing;

namespace OptimizerGen.Generator.Differentiation;

/// <summary>
/// Reads a <c>[Loss]</c> method (syntax + semantic model) into a <see cref="LossModel"/>: the subset of C# that
/// OptimizerGen differentiates. Anything outside it becomes a diagnostic on the exact syntax node.
/// </summary>
internal sealed class LossParser
{
    private readonly INamedTypeSymbol _type;
    private readonly Compilation _compilation;
    private readonly IReadOnlyDictionary<string, ParamField> _params;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<ISymbol, string> _localNames = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, NumType> _localTypes = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ISymbol> _intLocals = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ISymbol> _counters = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reusedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly List<LocalDeclaration> _locals = new();
    private readonly Stack<IMethodSymbol> _inlining = new();
    private Dictionary<ISymbol, Expr> _substitutions = new(SymbolEqualityComparer.Default);
    private IMethodSymbol _loss = null!;
    private int _loopDepth;
    private bool _usesBranches;
    private bool _failed;

    private LossParser(INamedTypeSymbol type, Compilation compilation, IReadOnlyDictionary<string, ParamField> parameters, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _type = type;
        _compilation = compilation;
        _params = parameters;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Finds the <c>[Loss]</c> method of <paramref name="type"/>, if any, and parses it; null when there is none or it has errors.</summary>
    public static LossModel? Parse(INamedTypeSymbol type, Compilation compilation, IReadOnlyList<ParamField> parameters, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var losses = type.GetMembers().OfType<IMethodSymbol>().Where(m => Symbols.HasAttribute(m, KnownTypes.LossAttribute)).ToList();
        if (losses.Count == 0)
        {
            return null;
        }

        if (losses.Count > 1)
        {
            foreach (IMethodSymbol extra in losses.Skip(1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultipleLossMethods, LocationInfo.From(extra.Locations.FirstOrDefault()), type.Name));
            }

            return null;
        }

        var parser = new LossParser(type, compilation, parameters.ToDictionary(p => p.Name, StringComparer.Ordinal), diagnostics, cancellationToken);
        return parser.ParseLoss(losses[0]);
    }

    private LossModel? ParseLoss(IMethodSymbol loss)
    {
        loss = loss.PartialImplementationPart ?? loss; // a partial method's body is in its implementing part
        _loss = loss;
        var syntax = loss.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (syntax is null)
        {
            return null;
        }

        LocationInfo? nameLocation = LocationInfo.From(syntax.Identifier);
        NumType? returnType = Real(loss.ReturnType);
        if (returnType is null)
        {
            Report(DiagnosticDescriptors.InvalidLossSignature, syntax.ReturnType, loss.Name, $"returns '{Display(loss.ReturnType)}': a loss returns float or double");
        }

        if (loss.IsStatic)
        {
            Report(DiagnosticDescriptors.InvalidLossSignature, syntax.Identifier, loss.Name, "is static: a loss reads the model's [Param] fields, so make it an instance method");
        }

        if (loss.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.InvalidLossSignature, syntax.TypeParameterList!, loss.Name, "is generic: remove its type parameters");
        }

        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            Report(DiagnosticDescriptors.InvalidLossSignature, syntax.Identifier, loss.Name, "has no body: write the loss of one sample");
        }

        var parameters = new List<LossParameter>();
        foreach (IParameterSymbol parameter in loss.Parameters)
        {
            _names.Add(parameter.Name);
            LossParameter? parsed = ParseParameter(parameter);
            if (parsed is null)
            {
                var parameterSyntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
                Report(DiagnosticDescriptors.InvalidLossSignature, parameterSyntax ?? syntax.Identifier.Parent!, loss.Name,
                    $"has parameter '{parameter.Name}' of type '{Display(parameter.Type)}'{(parameter.RefKind != RefKind.None ? " passed by reference" : string.Empty)}: a sample is made of float, double or int values and ReadOnlySpan<float>/ReadOnlySpan<double> (or float[]/double[]) vectors, passed by value");
            }
            else
            {
                parameters.Add(parsed);
            }
        }

        if (_failed || returnType is null)
        {
            return null;
        }

        foreach (SyntaxToken token in syntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)))
        {
            _names.Add(token.ValueText);
        }

        // Float/double locals are hoisted to the method's top and plain blocks are flattened, so a name declared
        // twice in the method (in sibling scopes, legal C#) gets a unique name for every declaration.
        // Loop counters keep their names (sibling loops are separate scopes in the generated code too); other locals
        // sharing a name with any declaration are renamed.
        foreach (var group in syntax.DescendantNodes().OfType<VariableDeclaratorSyntax>().GroupBy(v => v.Identifier.ValueText))
        {
            int counters = group.Count(v => v.Parent?.Parent is ForStatementSyntax);
            int others = group.Count() - counters;
            if (others > 1 || (others == 1 && counters > 0))
            {
                _reusedNames.Add(group.Key);
            }
        }

        var body = new List<Stmt>();
        if (syntax.ExpressionBody is not null)
        {
            Expr? value = ParseReal(syntax.ExpressionBody.Expression);
            if (value is not null)
            {
                body.Add(new Return(SourceText(syntax.ExpressionBody), Convert(value, returnType.Value)));
            }
        }
        else if (syntax.Body is not null)
        {
            ParseTopLevel(syntax.Body, returnType.Value, body);
        }

        if (_failed)
        {
            return null;
        }

        body = Partials.ElideUnneededSaves(body);
        var saved = new HashSet<NumType>();
        CollectSavedTypes(body, saved);
        return new LossModel(
            loss.Name,
            returnType.Value,
            parameters.ToEquatableArray(),
            _locals.ToEquatableArray(),
            body.ToEquatableArray(),
            Sum: LossIsSum(loss),
            saved.Contains(NumType.Float),
            saved.Contains(NumType.Double),
            _usesBranches,
            _names.OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray());
    }

    private static void CollectSavedTypes(IEnumerable<Stmt> statements, HashSet<NumType> types)
    {
        foreach (Stmt statement in statements)
        {
            switch (statement)
            {
                case Assign { SaveOldValue: true } assign:
                    types.Add(assign.Type);
                    break;
                case If branch:
                    CollectSavedTypes(branch.Then.Concat(branch.Else), types);
                    break;
                case For loop:
                    CollectSavedTypes(loop.Body, types);
                    break;
            }
        }
    }

    private static bool LossIsSum(IMethodSymbol loss)
    {
        AttributeData? attribute = Symbols.Attribute(loss, KnownTypes.LossAttribute);
        TypedConstant reduction = attribute?.NamedArguments.FirstOrDefault(a => a.Key == "Reduction").Value ?? default;
        return reduction.Value is int value && value == 1;
    }

    private static LossParameter? ParseParameter(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None)
        {
            return null;
        }

        ITypeSymbol type = parameter.Type;
        if (Number(type) is { } scalar)
        {
            return new LossParameter(Identifiers.Escape(parameter.Name), scalar, IsVector: false, IsArray: false);
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array && Real(array.ElementType) is { } arrayElement)
        {
            return new LossParameter(Identifiers.Escape(parameter.Name), arrayElement, IsVector: true, IsArray: true);
        }

        if (type is INamedTypeSymbol { Name: "ReadOnlySpan" or "Span", ContainingNamespace.Name: "System", TypeArguments.Length: 1 } span
            && Real(span.TypeArguments[0]) is { } spanElement)
        {
            return new LossParameter(Identifiers.Escape(parameter.Name), spanElement, IsVector: true, IsArray: false);
        }

        return null;
    }

    // ----- statements -----

    private void ParseTopLevel(BlockSyntax body, NumType returnType, List<Stmt> output)
    {
        var statements = body.Statements;
        if (statements.Count == 0 || statements[statements.Count - 1] is not ReturnStatementSyntax { Expression: not null } last)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, body.CloseBraceToken, "A loss without a final 'return'", "end the method with one 'return <loss>;'");
            return;
        }

        for (int i = 0; i < statements.Count - 1; i++)
        {
            ParseStatement(statements[i], output);
        }

        Expr? value = ParseReal(last.Expression!);
        if (value is not null)
        {
            output.Add(new Return(SourceText(last), Convert(value, returnType)));
        }
    }

    private void ParseStatement(StatementSyntax statement, List<Stmt> output)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case BlockSyntax block:
                foreach (StatementSyntax inner in block.Statements)
                {
                    ParseStatement(inner, output);
                }

                break;
            case LocalDeclarationStatementSyntax declaration:
                ParseDeclaration(declaration, output);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                ParseAssignment(assignment, statement, output);
                break;
            case ExpressionStatementSyntax { Expression: PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax } increment:
                ParseIncrement(increment, output);
                break;
            case IfStatementSyntax ifStatement:
                ParseIf(ifStatement, output);
                break;
            case ForStatementSyntax forStatement:
                ParseFor(forStatement, output);
                break;
            case EmptyStatementSyntax:
                break;
            case ReturnStatementSyntax:
                Report(DiagnosticDescriptors.UnsupportedStatement, statement, "A 'return' before the end", "assign the result to a local and return it once, as the method's last statement");
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, StatementHead(statement), $"'{StatementKind(statement)}'", StatementAdvice(statement));
                break;
        }
    }

    private void ParseDeclaration(LocalDeclarationStatementSyntax declaration, List<Stmt> output)
    {
        if (declaration.IsConst)
        {
            return; // constants are read through their value
        }

        foreach (VariableDeclaratorSyntax variable in declaration.Declaration.Variables)
        {
            if (SemanticModel(variable).GetDeclaredSymbol(variable, _cancellationToken) is not ILocalSymbol local)
            {
                continue;
            }

            if (Real(local.Type) is { } real)
            {
                string name = DeclareLocal(local, real);
                if (variable.Initializer is not null && ParseReal(variable.Initializer.Value) is { } value)
                {
                    output.Add(new Assign(SourceText(declaration), name, real, Convert(value, real), SaveOldValue: _loopDepth > 0, FirstAssignment: _loopDepth == 0));
                }
            }
            else if (local.Type.SpecialType == SpecialType.System_Int32 && variable.Initializer is not null)
            {
                _intLocals.Add(local);
                string name = UniqueName(local);
                _localNames[local] = name;
                if (ParseInt(variable.Initializer.Value) is { } value)
                {
                    output.Add(new IntLocal(SourceText(declaration), name, value));
                }
            }
            else
            {
                Report(DiagnosticDescriptors.UnsupportedStatement, declaration.Declaration.Type, $"A local of type '{Display(local.Type)}'",
                    "a loss's locals are float or double values, or int values assigned once where they are declared");
            }
        }
    }

    private string DeclareLocal(ILocalSymbol local, NumType type)
    {
        string name = UniqueName(local);
        _localNames[local] = name;
        _localTypes[local] = type;
        _locals.Add(new LocalDeclaration(name, type));
        return name;
    }

    private void ParseAssignment(AssignmentExpressionSyntax assignment, StatementSyntax statement, List<Stmt> output)
    {
        ISymbol? target = SemanticModel(assignment).GetSymbolInfo(assignment.Left, _cancellationToken).Symbol;
        if (target is not ILocalSymbol local || !_localNames.TryGetValue(local, out string? name) || !_localTypes.TryGetValue(local, out NumType type))
        {
            string advice = target switch
            {
                IFieldSymbol or IPropertySymbol => "a loss only computes a value; it may assign its own float/double locals, never fields or properties of the model",
                IParameterSymbol => "copy the parameter into a local and assign the local",
                ILocalSymbol when _intLocals.Contains(target) || _counters.Contains(target) => "int locals are assigned once, where they are declared, and loop counters only by the loop",
                _ => "assign float or double locals only",
            };
            Report(DiagnosticDescriptors.UnsupportedExpression, assignment.Left, assignment.Left.ToString(), advice);
            return;
        }

        string? op = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => null,
            SyntaxKind.AddAssignmentExpression => "+",
            SyntaxKind.SubtractAssignmentExpression => "-",
            SyntaxKind.MultiplyAssignmentExpression => "*",
            SyntaxKind.DivideAssignmentExpression => "/",
            _ => "?",
        };
        if (op == "?")
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, assignment, assignment.OperatorToken.Text, "use =, +=, -=, *= or /=");
            return;
        }

        Expr? right = ParseReal(assignment.Right);
        if (right is null)
        {
            return;
        }

        Expr value = op is null ? Convert(right, type) : new Binary(op, new Local(name, type), Convert(right, type), type);
        output.Add(new Assign(SourceText(statement), name, type, value, SaveOldValue: true));
    }

    private void ParseIncrement(ExpressionStatementSyntax statement, List<Stmt> output)
    {
        (ExpressionSyntax operand, SyntaxKind kind) = statement.Expression switch
        {
            PostfixUnaryExpressionSyntax post => (post.Operand, post.Kind()),
            PrefixUnaryExpressionSyntax pre => (pre.Operand, pre.Kind()),
            _ => throw new InvalidOperationException(),
        };
        ISymbol? target = SemanticModel(statement).GetSymbolInfo(operand, _cancellationToken).Symbol;
        if (target is ILocalSymbol local && _localNames.TryGetValue(local, out string? name) && _localTypes.TryGetValue(local, out NumType type)
            && kind is SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression or SyntaxKind.PostDecrementExpression or SyntaxKind.PreDecrementExpression)
        {
            string op = kind is SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression ? "+" : "-";
            output.Add(new Assign(SourceText(statement), name, type, new Binary(op, new Local(name, type), new Literal(One(type), type), type), SaveOldValue: true));
                return;
        }

        Report(DiagnosticDescriptors.UnsupportedExpression, statement.Expression, statement.Expression.ToString(), "only float/double locals of the loss can be incremented");
    }

    private void ParseIf(IfStatementSyntax statement, List<Stmt> output)
    {
        Expr? condition = ParseCondition(statement.Condition);
        var whenTrue = new List<Stmt>();
        var whenFalse = new List<Stmt>();
        ParseStatement(statement.Statement, whenTrue);
        if (statement.Else is not null)
        {
            ParseStatement(statement.Else.Statement, whenFalse);
        }

        if (condition is null)
        {
            return;
        }

        if (ConstantCondition(statement.Condition) is bool known)
        {
            output.Add(new If($"if ({statement.Condition})", condition, (known ? whenTrue : whenFalse).ToEquatableArray(), EquatableArray<Stmt>.Empty, Constant: true));
            return;
        }

        _usesBranches = true;
        output.Add(new If($"if ({statement.Condition})", condition, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray()));
    }

    private void ParseFor(ForStatementSyntax statement, List<Stmt> output)
    {
        SemanticModel model = SemanticModel(statement);
        if (statement.Declaration is not { Variables.Count: 1 } declaration
            || statement.Initializers.Count != 0
            || declaration.Variables[0].Initializer is null
            || model.GetDeclaredSymbol(declaration.Variables[0], _cancellationToken) is not ILocalSymbol counter
            || counter.Type.SpecialType != SpecialType.System_Int32)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, statement.ForKeyword, "declare one int counter in it, as in 'for (int i = 0; i < n; i++)'");
            return;
        }

        bool inclusive;
        ExpressionSyntax? end = null;
        if (statement.Condition is BinaryExpressionSyntax condition
            && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(condition.Left, _cancellationToken).Symbol, counter)
            && condition.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression)
        {
            inclusive = condition.IsKind(SyntaxKind.LessThanOrEqualExpression);
            end = condition.Right;
        }
        else
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, (SyntaxNode?)statement.Condition ?? statement, $"the condition must be '{counter.Name} < end' or '{counter.Name} <= end'");
            return;
        }

        bool incrementsByOne = statement.Incrementors.Count == 1 && statement.Incrementors[0] switch
        {
            PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression } post => IsSymbol(model, post.Operand, counter),
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression } pre => IsSymbol(model, pre.Operand, counter),
            AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression } add => IsSymbol(model, add.Left, counter) && model.GetConstantValue(add.Right, _cancellationToken).Value is 1,
            _ => false,
        };
        if (!incrementsByOne)
        {
            Report(DiagnosticDescriptors.UnsupportedLoop, statement.Incrementors.Count > 0 ? statement.Incrementors[0] : statement, $"the counter must step by one: '{counter.Name}++'");
            return;
        }

        foreach (AssignmentExpressionSyntax write in statement.Statement.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (IsSymbol(model, write.Left, counter))
            {
                Report(DiagnosticDescriptors.UnsupportedLoop, write, $"the body assigns the counter '{counter.Name}'; only the loop may change it");
                return;
            }
        }

        Expr? start = ParseInt(declaration.Variables[0].Initializer!.Value);
        Expr? stop = ParseInt(end);
        _counters.Add(counter);
        string counterName = Identifiers.Escape(counter.Name); // locals sharing its name were renamed instead
        _localNames[counter] = counterName;
        _loopDepth++;
        var body = new List<Stmt>();
        ParseStatement(statement.Statement, body);
        _loopDepth--;
        if (start is not null && stop is not null)
        {
            string header = $"for ({statement.Declaration}; {statement.Condition}; {string.Join(", ", statement.Incrementors)})";
            output.Add(new For(header, counterName, start, stop, inclusive, body.ToEquatableArray()));
        }
    }

    // ----- expressions -----

    private Expr? ParseReal(ExpressionSyntax syntax)
    {
        Expr? expr = ParseExpr(syntax);
        if (expr is null)
        {
            return null;
        }

        if (expr.Type is NumType.Bool)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, syntax, syntax.ToString(), "a condition is not a number; use it in '?:' or 'if'");
            return null;
        }

        return expr.IsReal ? expr : new Cast(expr, NumType.Float);
    }

    private Expr? ParseInt(ExpressionSyntax syntax)
    {
        Expr? expr = ParseExpr(syntax);
        if (expr is null)
        {
            return null;
        }

        if (expr.Type != NumType.Int)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, syntax, syntax.ToString(), "counts, bounds and indexes must be int expressions of constants, lengths, counters, int locals and int inputs");
            return null;
        }

        return expr;
    }

    /// <summary>The value of a condition that is a C# constant (<c>1 &gt; 2</c>, <c>true</c>), else null.</summary>
    private bool? ConstantCondition(ExpressionSyntax syntax) =>
        SemanticModel(syntax).GetConstantValue(syntax, _cancellationToken) is { HasValue: true, Value: bool known } ? known : null;

    private Expr? ParseCondition(ExpressionSyntax syntax)
    {
        Expr? expr = ParseExpr(syntax);
        if (expr is null)
        {
            return null;
        }

        if (expr.Type != NumType.Bool)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, syntax, syntax.ToString(), "a condition must be a comparison or a logical combination of comparisons");
            return null;
        }

        return expr;
    }

    private Expr? ParseExpr(ExpressionSyntax syntax)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        SemanticModel model = SemanticModel(syntax);
        TypeInfo typeInfo = model.GetTypeInfo(syntax, _cancellationToken);
        NumType? converted = Number(typeInfo.ConvertedType) ?? (typeInfo.ConvertedType?.SpecialType == SpecialType.System_Boolean ? NumType.Bool : null);

        Optional<object?> constant = model.GetConstantValue(syntax, _cancellationToken);
        if (constant.HasValue && converted is { } constantType && constant.Value is not null && constantType != NumType.Bool)
        {
            return new Literal(LiteralCode(constant.Value, constantType), constantType);
        }

        Expr? expr = ParseNatural(syntax, model);
        if (expr is null || converted is null || converted == expr.Type)
        {
            return expr;
        }

        return Convert(expr, converted.Value);
    }

    private Expr? ParseNatural(ExpressionSyntax syntax, SemanticModel model)
    {
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ParseExpr(parenthesized.Expression);
            case CastExpressionSyntax cast:
            {
                NumType? to = Number(model.GetTypeInfo(cast.Type, _cancellationToken).Type);
                Expr? operand = ParseExpr(cast.Expression);
                if (operand is null)
                {
                    return null;
                }

                if (to is null)
                {
                    return Unsupported(cast, "only conversions between float, double and int are supported");
                }

                if (to == NumType.Int && operand.IsReal)
                {
                    return Unsupported(cast, "a float or double cannot be turned into an int (an index or bound): the result would not be differentiable");
                }

                return Convert(operand, to.Value);
            }

            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryMinusExpression):
            {
                Expr? operand = ParseExpr(prefix.Operand);
                return operand is null ? null : new Unary("-", operand, operand.Type);
            }

            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.UnaryPlusExpression):
                return ParseExpr(prefix.Operand);
            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.LogicalNotExpression):
            {
                Expr? operand = ParseCondition(prefix.Operand);
                return operand is null ? null : new Unary("!", operand, NumType.Bool);
            }

            case BinaryExpressionSyntax binary:
                return ParseBinary(binary, model);
            case ConditionalExpressionSyntax conditional:
            {
                Expr? condition = ParseCondition(conditional.Condition);
                Expr? whenTrue = ParseExpr(conditional.WhenTrue);
                Expr? whenFalse = ParseExpr(conditional.WhenFalse);
                if (condition is null || whenTrue is null || whenFalse is null)
                {
                    return null;
                }

                NumType type = Number(model.GetTypeInfo(conditional, _cancellationToken).Type) ?? whenTrue.Type;
                if (ConstantCondition(conditional.Condition) is bool known)
                {
                    // Only the branch a constant condition takes: differentiating both would leave unreachable code (CS0162).
                    return Convert(known ? whenTrue : whenFalse, type);
                }

                return new Conditional(condition, Convert(whenTrue, type), Convert(whenFalse, type), type);
            }

            case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                return ParseName(syntax, model);
            case ElementAccessExpressionSyntax element:
                return ParseElement(element, model);
            case InvocationExpressionSyntax invocation:
                return ParseInvocation(invocation, model);
            case ThisExpressionSyntax:
                return Unsupported(syntax, "read the model's [Param] fields by name, e.g. 'this.W' or 'W'");
            case LiteralExpressionSyntax:
                return Unsupported(syntax, "only numeric literals are supported");
            case AssignmentExpressionSyntax:
                return Unsupported(syntax, "write the assignment as its own statement");
            case PostfixUnaryExpressionSyntax suppression when suppression.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                return ParseExpr(suppression.Operand);
            case PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax:
                return Unsupported(syntax, "write increments as their own statements ('x += 1;')");
            case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax:
                return Unsupported(syntax, "lambdas cannot be differentiated; write the computation inline or in a [Differentiable] method");
            case QueryExpressionSyntax:
                return Unsupported(syntax, "LINQ cannot be differentiated; write a for loop");
            case ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax or StackAllocArrayCreationExpressionSyntax or CollectionExpressionSyntax:
                return Unsupported(syntax, "a loss cannot allocate; compute values in float/double locals");
            case DeclarationExpressionSyntax or RefExpressionSyntax:
                return Unsupported(syntax, "ref and out values cannot be differentiated; return values instead");
            case ThrowExpressionSyntax:
                return Unsupported(syntax, "a loss cannot throw");
            default:
                return Unsupported(syntax, "use arithmetic, Math/MathF functions, '?:', locals, [Param] fields and the loss's inputs");
        }
    }

    private Expr? ParseBinary(BinaryExpressionSyntax binary, SemanticModel model)
    {
        string op = binary.OperatorToken.Text;
        bool logical = op is "&&" or "||";
        bool comparison = op is "<" or ">" or "<=" or ">=" or "==" or "!=";
        if (!logical && !comparison && op is not ("+" or "-" or "*" or "/" or "%"))
        {
            return Unsupported(binary, $"the operator '{op}' is not differentiable; use + - * / and comparisons");
        }

        Expr? left = logical ? ParseCondition(binary.Left) : ParseExpr(binary.Left);
        Expr? right = logical ? ParseCondition(binary.Right) : ParseExpr(binary.Right);
        if (left is null || right is null)
        {
            return null;
        }

        if (logical)
        {
            return new Binary(op, left, right, NumType.Bool);
        }

        NumType operandType = Widest(left.Type, right.Type);
        if (comparison)
        {
            return new Binary(op, Convert(left, operandType), Convert(right, operandType), NumType.Bool);
        }

        if (op == "%" && operandType != NumType.Int)
        {
            return Unsupported(binary, "'%' is supported on int values only");
        }

        NumType type = Number(model.GetTypeInfo(binary, _cancellationToken).Type) ?? operandType;
        return new Binary(op, Convert(left, type), Convert(right, type), type);
    }

    private Expr? ParseName(ExpressionSyntax syntax, SemanticModel model)
    {
        ISymbol? symbol = model.GetSymbolInfo(syntax, _cancellationToken).Symbol;
        if (syntax is MemberAccessExpressionSyntax access && symbol is IPropertySymbol { Name: "Length" })
        {
            ISymbol? receiver = model.GetSymbolInfo(WithoutSuppression(access.Expression), _cancellationToken).Symbol;
            if (receiver is IParameterSymbol input && SymbolEqualityComparer.Default.Equals(input.ContainingSymbol, _loss) && _inlining.Count == 0)
            {
                return new Constant(Identifiers.Escape(input.Name) + ".Length", NumType.Int);
            }

            if (receiver is IFieldSymbol field && _params.TryGetValue(field.Name, out ParamField? param) && param.IsArray && SymbolEqualityComparer.Default.Equals(field.ContainingType, _type))
            {
                return new Constant("this." + Identifiers.Escape(field.Name) + (param.IsNullable ? "!" : string.Empty) + ".Length", NumType.Int);
            }

            return Unsupported(syntax, "only the Length of the loss's input vectors and of [Param] arrays can be read");
        }

        if (syntax is MemberAccessExpressionSyntax member && member.Expression is not ThisExpressionSyntax && symbol is IFieldSymbol { IsStatic: false })
        {
            return Unsupported(syntax, "a loss reads the model's own fields, not those of other objects");
        }

        switch (symbol)
        {
            case ILocalSymbol local when _localTypes.TryGetValue(local, out NumType type):
                return new Local(_localNames[local], type);
            case ILocalSymbol local when _intLocals.Contains(local) || _counters.Contains(local):
                return new Constant(_localNames[local], NumType.Int);
            case IParameterSymbol parameter when _substitutions.TryGetValue(parameter, out Expr? argument):
                return argument;
            case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _loss):
                if (Number(parameter.Type) is { } inputType)
                {
                    return new Constant(Identifiers.Escape(parameter.Name), inputType);
                }

                return Unsupported(syntax, $"'{parameter.Name}' is a vector: read its elements by index, '{parameter.Name}[i]'");
            case IFieldSymbol field when _params.TryGetValue(field.Name, out ParamField? param) && SymbolEqualityComparer.Default.Equals(field.ContainingType, _type):
                if (param.IsArray)
                {
                    return Unsupported(syntax, $"'{field.Name}' is an array parameter: read its elements by index, '{field.Name}[i]'");
                }

                return new ParamScalar(field.Name, param.Element == ElementType.Float ? NumType.Float : NumType.Double);
            case IFieldSymbol field when Number(field.Type) is { } fieldType:
                return new Constant(field.IsStatic ? Qualified(field) : "this." + Identifiers.Escape(field.Name), fieldType);
            default:
                return Unsupported(syntax, "a loss can read its inputs, its locals, the model's [Param] fields and numeric fields or constants");
        }
    }

    private Expr? ParseElement(ElementAccessExpressionSyntax element, SemanticModel model)
    {
        if (element.ArgumentList.Arguments.Count != 1)
        {
            return Unsupported(element, "index vectors with one int index; a matrix is a flat array read as W[row * columns + column]");
        }

        ISymbol? receiver = model.GetSymbolInfo(WithoutSuppression(element.Expression), _cancellationToken).Symbol;
        Expr? index = ParseInt(element.ArgumentList.Arguments[0].Expression);
        if (index is null)
        {
            return null;
        }

        switch (receiver)
        {
            case IParameterSymbol input when SymbolEqualityComparer.Default.Equals(input.ContainingSymbol, _loss) && _inlining.Count == 0
                && ParseParameter(input) is { IsVector: true } vector:
                return new InputElement(Identifiers.Escape(input.Name), index, vector.Element);
            case IFieldSymbol field when _params.TryGetValue(field.Name, out ParamField? param) && param.IsArray && SymbolEqualityComparer.Default.Equals(field.ContainingType, _type):
                return new ParamElement(field.Name, index, param.Element == ElementType.Float ? NumType.Float : NumType.Double);
            default:
                return Unsupported(element, "only the loss's input vectors and the model's [Param] arrays can be indexed");
        }
    }

    private Expr? ParseInvocation(InvocationExpressionSyntax invocation, SemanticModel model)
    {
        if (model.GetSymbolInfo(invocation, _cancellationToken).Symbol is not IMethodSymbol method)
        {
            return Unsupported(invocation, "the call could not be resolved");
        }

        var arguments = new List<Expr>();
        foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
        {
            if (argument.RefKindKeyword.IsKind(SyntaxKind.None) == false)
            {
                return Unsupported(argument, "ref and out arguments cannot be differentiated");
            }

            Expr? value = ParseExpr(argument.Expression);
            if (value is null)
            {
                return null;
            }

            arguments.Add(value);
        }

        INamedTypeSymbol? container = method.ContainingType;
        bool activation = Symbols.Is(container, KnownTypes.Activation);
        bool math = Symbols.Is(container, "System.Math") || Symbols.Is(container, "System.MathF")
            || container?.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
        if ((math || activation)
            && Enum.TryParse(method.Name, out Function function)
            && Arity(function) == arguments.Count
            && activation == function is Function.Sigmoid or Function.Softplus or Function.Relu)
        {
            NumType type = Number(method.ReturnType) ?? NumType.Double;
            if (type == NumType.Bool)
            {
                return Unsupported(invocation, "unexpected return type");
            }

            return new Call(function, arguments.Select(a => Convert(a, type)).ToEquatableArray(), type);
        }

        if (SymbolEqualityComparer.Default.Equals(method.ContainingType, _type) && Symbols.HasAttribute(method, KnownTypes.DifferentiableAttribute))
        {
            return Inline(method, arguments, invocation);
        }

        string name = method.ContainingType is null ? method.Name : method.ContainingType.Name + "." + method.Name;
        return Unsupported(invocation.Expression, $"'{name}' is not a function OptimizerGen can differentiate; use Math/MathF Exp, Log, Sqrt, Pow, Tanh, Sin, Cos, Abs, Max, Min, Activation.Sigmoid/Softplus/Relu, or mark a method of the model [Differentiable]");
    }

    private Expr? Inline(IMethodSymbol method, List<Expr> arguments, InvocationExpressionSyntax call)
    {
        if (_inlining.Contains(method, SymbolEqualityComparer.Default) || SymbolEqualityComparer.Default.Equals(method, _loss))
        {
            Report(DiagnosticDescriptors.RecursiveHelper, call, method.Name);
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        ExpressionSyntax? body = syntax?.ExpressionBody?.Expression
            ?? (syntax?.Body?.Statements is { Count: 1 } statements && statements[0] is ReturnStatementSyntax { Expression: { } returned } ? returned : null);
        NumType? returnType = Real(method.ReturnType);
        if (syntax is null || body is null || returnType is null || method.Parameters.Any(p => p.RefKind != RefKind.None || Number(p.Type) is null))
        {
            const string Advice = "must take float, double or int values, return float or double, and be a single expression ('=> …' or one 'return …;') so it can be inlined";
            if (syntax is not null)
            {
                Report(DiagnosticDescriptors.HelperNotSingleExpression, syntax.Identifier, method.Name, Advice);
            }
            else
            {
                Report(DiagnosticDescriptors.HelperNotSingleExpression, call, method.Name, Advice);
            }

            return null;
        }

        foreach (SyntaxToken token in syntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)))
        {
            _names.Add(token.ValueText);
        }

        Dictionary<ISymbol, Expr> saved = _substitutions;
        _substitutions = new Dictionary<ISymbol, Expr>(saved, SymbolEqualityComparer.Default);
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            _substitutions[method.Parameters[i]] = Convert(arguments[i], Number(method.Parameters[i].Type)!.Value);
        }

        _inlining.Push(method);
        Expr? value = ParseExpr(body);
        _inlining.Pop();
        _substitutions = saved;
        return value is null ? null : Convert(value, returnType.Value);
    }

    // ----- helpers -----

    /// <summary>The local's name, or a fresh one (<c>j_2</c>, …) when the method declares that name more than once.</summary>
    private string UniqueName(ILocalSymbol local)
    {
        if (!_reusedNames.Contains(local.Name))
        {
            return Identifiers.Escape(local.Name);
        }

        int suffix = 2;
        while (_names.Contains(local.Name + "_" + suffix))
        {
            suffix++;
        }

        string name = local.Name + "_" + suffix;
        _names.Add(name);
        return name;
    }

    private static ExpressionSyntax WithoutSuppression(ExpressionSyntax expression) =>
        expression is PostfixUnaryExpressionSyntax suppression && suppression.IsKind(SyntaxKind.SuppressNullableWarningExpression)
            ? suppression.Operand
            : expression;

    private Expr? Unsupported(SyntaxNode node, string advice)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, node, Abbreviate(node.ToString()), advice);
        return null;
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] args) => Report(descriptor, LocationInfo.From(node), args);

    private void Report(DiagnosticDescriptor descriptor, SyntaxToken token, params string[] args) => Report(descriptor, LocationInfo.From(token), args);

    private void Report(DiagnosticDescriptor descriptor, LocationInfo? location, string[] args)
    {
        _failed = true;
        DiagnosticInfo diagnostic = DiagnosticInfo.Create(descriptor, location, args);
        if (!_diagnostics.Contains(diagnostic))
        {
            _diagnostics.Add(diagnostic); // a helper called twice reports its problem once
        }
    }

    private SemanticModel SemanticModel(SyntaxNode node)
    {
        // One semantic model per tree: each new model starts with empty binding caches.
        if (!_models.TryGetValue(node.SyntaxTree, out SemanticModel? model))
        {
            model = _compilation.GetSemanticModel(node.SyntaxTree);
            _models.Add(node.SyntaxTree, model);
        }

        return model;
    }

    private bool IsSymbol(SemanticModel model, ExpressionSyntax expression, ISymbol symbol) =>
        SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression, _cancellationToken).Symbol, symbol);

    private static Expr Convert(Expr expr, NumType type) =>
        expr.Type == type || type == NumType.Bool || expr.Type == NumType.Bool ? expr
        : expr is Literal literal && LiteralValue(literal) is double value && type != NumType.Int
            ? new Literal(LiteralCode(value, type), type)
            : new Cast(expr, type);

    /// <summary>
    /// A literal's value as the program has it: a float literal rounded to float first (<c>0.1f</c> widened is
    /// 0.100000001490116…, not 0.1), so converting it to double keeps the value C# computes.
    /// </summary>
    internal static double? LiteralValue(Literal literal)
    {
        string code = literal.Code.TrimEnd('f', 'd');
        var style = System.Globalization.NumberStyles.Float;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return literal.Type == NumType.Float
            ? float.TryParse(code, style, culture, out float single) ? single : null
            : double.TryParse(code, style, culture, out double number) ? number : null;
    }

    private static NumType Widest(NumType a, NumType b) =>
        a == NumType.Double || b == NumType.Double ? NumType.Double : a == NumType.Float || b == NumType.Float ? NumType.Float : NumType.Int;

    private static NumType? Real(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Single => NumType.Float,
        SpecialType.System_Double => NumType.Double,
        _ => null,
    };

    private static NumType? Number(ITypeSymbol? type) =>
        Real(type) ?? (type?.SpecialType == SpecialType.System_Int32 ? NumType.Int : null);

    private static int Arity(Function function) => function is Function.Pow or Function.Max or Function.Min ? 2 : 1;

    internal static string LiteralCode(object value, NumType type)
    {
        double number = System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        string keyword = type == NumType.Float ? "float" : "double";
        if (type == NumType.Float)
        {
            number = (float)number;   // a double beyond float's range becomes an infinity here, not in the text
        }

        if (type != NumType.Int && (double.IsNaN(number) || double.IsInfinity(number)))
        {
            return keyword + (double.IsNaN(number) ? ".NaN" : number > 0 ? ".PositiveInfinity" : ".NegativeInfinity");
        }

        return type switch
        {
            NumType.Float => ((float)number).ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f",
            NumType.Double => number.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "d",
            _ => ((long)number).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    internal static string One(NumType type) => type == NumType.Float ? "1f" : "1d";

    private static string Qualified(IFieldSymbol field) => field.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);


    private static string SourceText(SyntaxNode node) => Abbreviate(string.Join(" ", node.ToString().Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())));

    private static string Abbreviate(string text) => text.Length <= 100 ? text : text.Substring(0, 97) + "...";

    private static SyntaxNode StatementHead(StatementSyntax statement) => statement switch
    {
        WhileStatementSyntax s => s.WhileKeyword.Parent!,
        _ => statement,
    };

    private static string StatementKind(StatementSyntax statement) => statement switch
    {
        WhileStatementSyntax => "while",
        DoStatementSyntax => "do",
        ForEachStatementSyntax => "foreach",
        SwitchStatementSyntax => "switch",
        BreakStatementSyntax => "break",
        ContinueStatementSyntax => "continue",
        GotoStatementSyntax => "goto",
        TryStatementSyntax => "try",
        ThrowStatementSyntax => "throw",
        UsingStatementSyntax => "using",
        LockStatementSyntax => "lock",
        YieldStatementSyntax => "yield",
        LocalFunctionStatementSyntax => "local function",
        ExpressionStatementSyntax => "a call or expression statement",
        _ => statement.Kind().ToString(),
    };

    private static string StatementAdvice(StatementSyntax statement) => statement switch
    {
        WhileStatementSyntax or DoStatementSyntax => "write a for loop with an int counter and a fixed bound",
        ForEachStatementSyntax => "write 'for (int i = 0; i < x.Length; i++)' and index the vector",
        SwitchStatementSyntax => "write if/else or '?:'",
        BreakStatementSyntax or ContinueStatementSyntax or GotoStatementSyntax => "loops run to their bound; use if/else inside the loop",
        TryStatementSyntax or ThrowStatementSyntax => "a loss cannot throw or catch; validate inputs before training",
        LocalFunctionStatementSyntax => "move it to a method of the model marked [Differentiable]",
        ExpressionStatementSyntax => "a loss only computes values: assign results to locals",
        _ => "use locals, assignments, if/else, for loops and one final return",
    };
}
