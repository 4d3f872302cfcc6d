using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Generator.Emit;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Differentiation;

/// <summary>
/// Writes the reverse-mode gradient of a <see cref="LossModel"/>: a private method that runs the loss forward as the
/// user wrote it (pushing on a tape each value that a later statement overwrites and the reverse pass needs back, and
/// each branch taken), then walks the statements backwards, propagating adjoints (x̄ = ∂loss/∂x) from the result to
/// every parameter. Loops run backwards; each reverse block carries a comment naming the statement it comes from.
/// </summary>
internal sealed class GradientEmitter
{
    private readonly OptimizedClass _model;
    private readonly LossModel _loss;
    private readonly IndentedWriter _writer;
    private readonly NameSet _names;
    private readonly Dictionary<string, string> _bar = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _paramAdjoint = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Values, string Gradient)> _arrays = new(StringComparer.Ordinal);
    private readonly Dictionary<NumType, string> _tapes = new();

    /// <summary>
    /// The adjoint locals known to be 0 where the reverse pass is being written: the first contribution to one is an
    /// assignment (<c>e_bar = …</c>), not an addition to 0. All are 0 where the reverse pass starts and again after a
    /// statement's reverse resets one; a loop body starts without those its reverse adds to (a later iteration's start
    /// is the previous one's end), and after a loop or a branch only what holds on every way through is kept.
    /// </summary>
    private HashSet<string> _zeroAdjoints = new(StringComparer.Ordinal);
    private readonly string _seed;
    private readonly string _lossLocal;
    private readonly string? _branches;
    private int _nextValue;
    private int _nextAdjoint;

    private GradientEmitter(OptimizedClass model, LossModel loss, IndentedWriter writer)
    {
        _model = model;
        _loss = loss;
        _writer = writer;
        _names = new NameSet(loss.UserNames.Concat(loss.Locals.Select(l => l.Name)));

        _seed = Fresh("seed");
        _lossLocal = Fresh("loss");
        foreach (ParamField field in model.Fields.Where(f => !f.IsArray))
        {
            _paramAdjoint[field.Name] = Fresh("d" + field.Name);
        }

        // Array parameters and their gradients come in as arguments the caller read from the fields once (per Step, not per
        // element): locals the JIT keeps in registers, where a field read after each store to the gradient would be reloaded.
        foreach (ParamField field in model.Fields.Where(f => f.IsArray))
        {
            _arrays[field.Name] = (Fresh(field.Name.TrimStart('@') + "_values"), Fresh(field.Name.TrimStart('@') + "_grad"));
        }

        HashSet<string> reached = LocalsReachedByAdjoints(loss.Body, _assigned);
        var assignments = new List<Assign>();
        LocalsRead(loss.Body, _read, assignments);
        for (int before = -1; before != _read.Count;)
        {
            // A local read only by assignments to locals nothing reads is not read either.
            before = _read.Count;
            foreach (Assign assign in assignments.Where(a => _read.Contains(a.Target)))
            {
                LocalsRead(assign.Value, _read);
            }
        }
        foreach (LocalDeclaration local in loss.Locals.Where(l => reached.Contains(l.Name)))
        {
            _bar[local.Name] = Fresh(local.Name + "_bar");
        }

        foreach (NumType type in loss.TapeTypes())
        {
            _tapes[type] = Fresh(type == NumType.Float ? "floats" : "doubles");
        }

        _branches = loss.UsesBranchTape ? Fresh("branches") : null;
    }

    /// <summary>The private method's name.</summary>
    public static string CoreName(LossModel loss) => "__" + loss.MethodName + "WithGradient";

    /// <summary>The model's tape storage fields (one per tape in use).</summary>
    public static IEnumerable<(string Type, string Field)> TapeFields(LossModel loss)
    {
        foreach (NumType type in loss.TapeTypes())
        {
            yield return (Type(type), TapeField(type));
        }

        if (loss.UsesBranchTape)
        {
            yield return ("bool", "__branchTape");
        }
    }

    /// <summary>
    /// The arguments after the scalar adjoints in a call of <see cref="CoreName"/>: each array parameter and its gradient
    /// array, in field order, as <paramref name="values"/> and <paramref name="gradient"/> name them.
    /// </summary>
    public static IEnumerable<string> ArrayArguments(OptimizedClass model, Func<ParamField, string> values, Func<ParamField, string> gradient) =>
        model.Fields.Where(f => f.IsArray).SelectMany(f => new[] { values(f), gradient(f) });

    public static void Emit(IndentedWriter writer, OptimizedClass model, LossModel loss) =>
        new GradientEmitter(model, loss, writer).EmitCore();

    private void EmitCore()
    {
        string sample = string.Join(", ", _loss.Parameters.Select(p => $"{SampleType(p)} {p.Name}"));
        string parameters = string.Join(", ", new[] { sample, $"{Type(_loss.ReturnType)} {_seed}" }.Where(s => s.Length > 0)
            .Concat(_model.Fields.Where(f => !f.IsArray).Select(f => $"ref {Names.Keyword(f.Element)} {_paramAdjoint[f.Name]}"))
            .Concat(_model.Fields.Where(f => f.IsArray).Select(f => $"{Names.Keyword(f.Element)}[] {_arrays[f.Name].Values}, {Names.Keyword(f.Element)}[] {_arrays[f.Name].Gradient}")));

        _writer.Line($"/// <summary>");
        _writer.Line($"/// The loss of one sample, as <see cref=\"{_loss.MethodName}\"/> computes it, and its gradient scaled by <paramref name=\"{_seed}\"/>:");
        _writer.Line("/// added to the scalar-parameter adjoints passed by reference and to the array parameters' gradient arrays passed with them.");
        _writer.Line($"/// Reverse-mode differentiation of <see cref=\"{_loss.MethodName}\"/>, generated by OptimizerGen.");
        _writer.Line($"/// </summary>");
        _writer.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        int start = _writer.Position;
        using (_writer.Block($"private {Type(_loss.ReturnType)} {CoreName(_loss)}({parameters})"))
        {
            foreach (KeyValuePair<NumType, string> tape in _tapes)
            {
                _writer.Line($"var {tape.Value} = new {KnownTypes.TapeRef}<{Type(tape.Key)}>(ref this.{TapeField(tape.Key)});");
            }

            if (_branches is not null)
            {
                _writer.Line($"var {_branches} = new {KnownTypes.TapeRef}<bool>(ref this.__branchTape);");
            }

            // A local nothing reads (e.g. one set to an inlined helper's constant), or whose every assignment sits in a branch a
            // constant condition never takes, is left out with its assignments: it would be assigned but never used (CS0219).
            foreach (LocalDeclaration local in _loss.Locals.Where(l => _assigned.Contains(l.Name) && _read.Contains(l.Name)))
            {
                _writer.Line(_bar.TryGetValue(local.Name, out string? bar)
                    ? $"{Type(local.Type)} {local.Name} = {Zero(local.Type)}, {bar} = {Zero(local.Type)};"
                    : $"{Type(local.Type)} {local.Name} = {Zero(local.Type)};");
            }

            _writer.Line($"{Type(_loss.ReturnType)} {_lossLocal};");
            _writer.Line();
            _writer.Line("// Forward: the loss as written; values the reverse pass needs back are pushed on the tape.");
            foreach (Stmt statement in _loss.Body)
            {
                Forward(statement);
            }

            _writer.Line();
            _writer.Line("// Reverse: the adjoint of each statement, last to first (x_bar = ∂loss/∂x, scaled by the seed).");
            _zeroAdjoints = new HashSet<string>(_bar.Values, StringComparer.Ordinal);
            Reverse(_loss.Body, topLevel: true);
            _writer.Line($"return {_lossLocal};");
        }

        DropUnreadIntLocals(start);
    }

    // ----- forward -----

    private void Forward(Stmt statement)
    {
        switch (statement)
        {
            case Assign assign when !_read.Contains(assign.Target):
                _writer.Line("// " + assign.Source + "  (nothing reads it)");
                break;
            case Assign assign:
                _writer.Line("// " + assign.Source);
                if (assign.SaveOldValue)
                {
                    _writer.Line($"{_tapes[assign.Type]}.Push({assign.Target});");
                }

                _writer.Line($"{assign.Target} = {Code(assign.Value)};");
                break;
            case IntLocal intLocal:
                _writer.Line($"int {intLocal.Name} = {Code(intLocal.Value)};");
                break;
            case If { Constant: true } branch:
                _writer.Line("// " + branch.Source + "  (a constant condition: only the branch it takes)");
                using (_writer.Block())
                {
                    foreach (Stmt inner in branch.Then)
                    {
                        Forward(inner);
                    }
                }

                break;
            case If branch:
                // The branch taken is pushed after it ran, above anything it pushed itself, so the reverse pass pops it first.
                _writer.Line("// " + branch.Source);
                bool constant = DisableUnreachableWarning(branch.Condition);
                using (_writer.Block($"if ({Code(branch.Condition)})"))
                {
                    foreach (Stmt inner in branch.Then)
                    {
                        Forward(inner);
                    }

                    _writer.Line($"{_branches}.Push(true);");
                }

                using (_writer.Block("else"))
                {
                    foreach (Stmt inner in branch.Else)
                    {
                        Forward(inner);
                    }

                    _writer.Line($"{_branches}.Push(false);");
                }

                RestoreUnreachableWarning(constant);
                break;
            case For loop:
                _writer.Line("// " + loop.Source);
                using (_writer.Block($"for (int {loop.Counter} = {Code(loop.Start)}; {loop.Counter} {(loop.Inclusive ? "<=" : "<")} {Code(loop.End)}; {loop.Counter}++)"))
                {
                    foreach (Stmt inner in loop.Body)
                    {
                        Forward(inner);
                    }
                }

                break;
            case Return ret:
                _writer.Line("// " + ret.Source);
                _writer.Line($"{_lossLocal} = {Code(ret.Value)};");
                break;
        }
    }

    // ----- reverse -----

    private void Reverse(EquatableArray<Stmt> block, bool topLevel)
    {
        int start = _writer.Position;
        ReverseStatements(block);
        if (!topLevel)
        {
            RedeclareIntLocals(block, start);
        }
    }

    /// <summary>
    /// Declares again, at <paramref name="start"/>, the int locals of a nested block (an index, a bound) that its reverse
    /// pass, written since <paramref name="start"/>, reads — only those: one it does not read would be assigned but
    /// never used (CS0219).
    /// </summary>
    private void RedeclareIntLocals(EquatableArray<Stmt> block, int start)
    {
        var intLocals = block.OfType<IntLocal>().ToList();
        if (intLocals.Count == 0)
        {
            return;
        }

        string code = CommentFree.Replace(_writer.TextSince(start), string.Empty);
        var declarations = new List<string>();
        for (int i = intLocals.Count - 1; i >= 0; i--)
        {
            string declaration = $"int {intLocals[i].Name} = {Code(intLocals[i].Value)};";
            if (ReadsName(code, intLocals[i].Name) || declarations.Any(d => ReadsName(d, intLocals[i].Name)))
            {
                declarations.Insert(0, declaration);
            }
        }

        _writer.InsertLines(start, declarations);
    }

    /// <summary>
    /// Removes, from the method written since <paramref name="start"/>, the declarations <c>int i = …;</c> of int locals
    /// nothing reads any more: the user's code reads them, but only as arguments a <c>[Differentiable]</c> helper ignores,
    /// and an inlined helper leaves them assigned but never used (CS0219).
    /// </summary>
    private void DropUnreadIntLocals(int start)
    {
        var lines = _writer.TextSince(start).Split('\n').ToList();
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (string name in IntLocalNames(_loss.Body))
            {
                string declaration = "int " + name + " = ";
                bool IsDeclaration(string line) => line.TrimStart().StartsWith(declaration, StringComparison.Ordinal);
                if (lines.Any(IsDeclaration)
                    && !ReadsName(CommentFree.Replace(string.Join("\n", lines.Where(l => !IsDeclaration(l))), string.Empty), name))
                {
                    lines.RemoveAll(IsDeclaration);
                    changed = true;
                }
            }
        }

        _writer.ReplaceSince(start, string.Join("\n", lines));
    }

    private static IEnumerable<string> IntLocalNames(IEnumerable<Stmt> statements) => statements.SelectMany(statement => statement switch
    {
        IntLocal intLocal => new[] { intLocal.Name },
        If branch => IntLocalNames(branch.Then.Concat(branch.Else)),
        For loop => IntLocalNames(loop.Body),
        _ => Enumerable.Empty<string>(),
    });

    private static readonly System.Text.RegularExpressions.Regex CommentFree = new("//[^\n]*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="code"/> reads the local <paramref name="name"/> (not a member <c>x.name</c>, not a longer name).</summary>
    private static bool ReadsName(string code, string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(
            code,
            "(?<![\\p{L}\\p{N}_.@])" + System.Text.RegularExpressions.Regex.Escape(name) + "(?![\\p{L}\\p{N}_])",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private void ReverseStatements(EquatableArray<Stmt> block)
    {
        for (int i = block.Count - 1; i >= 0; i--)
        {
            switch (block[i])
            {
                case Assign assign:
                    ReverseAssign(assign);
                    break;
                case If { Constant: true } branch:
                    _writer.Line("// reverse of: " + branch.Source);
                    using (_writer.Block())
                    {
                        Reverse(branch.Then, topLevel: false);
                    }

                    break;
                case If branch:
                    _writer.Line("// reverse of: " + branch.Source);
                    var beforeBranch = new HashSet<string>(_zeroAdjoints, StringComparer.Ordinal);
                    using (_writer.Block($"if ({_branches}.Pop())"))
                    {
                        Reverse(branch.Then, topLevel: false);
                    }

                    HashSet<string> afterThen = _zeroAdjoints;
                    _zeroAdjoints = beforeBranch;
                    if (branch.Else.Count > 0)
                    {
                        using (_writer.Block("else"))
                        {
                            Reverse(branch.Else, topLevel: false);
                        }
                    }

                    _zeroAdjoints.IntersectWith(afterThen);
                    break;
                case For loop:
                    _writer.Line("// reverse of: " + loop.Source);
                    string last = loop.Inclusive ? Code(loop.End)
                        : loop.End is Literal { Code: var end } && int.TryParse(end, out int bound) ? (bound - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : Code(new Binary("-", loop.End, new Literal("1", NumType.Int), NumType.Int));
                    var beforeLoop = new HashSet<string>(_zeroAdjoints, StringComparer.Ordinal);
                    _zeroAdjoints.ExceptWith(AdjointsAddedTo(loop.Body));
                    using (_writer.Block($"for (int {loop.Counter} = {last}; {loop.Counter} >= {Code(loop.Start)}; {loop.Counter}--)"))
                    {
                        Reverse(loop.Body, topLevel: false);
                    }

                    _zeroAdjoints.IntersectWith(beforeLoop);   // the loop may run no iteration

                    break;
                case Return ret:
                    _writer.Line("// reverse of: " + ret.Source);
                    using (_writer.Block())
                    {
                        Adjoint(ret.Value, _seed);
                    }

                    break;
            }
        }
    }

    private void ReverseAssign(Assign assign)
    {
        if (assign.FirstAssignment && !IsActive(assign.Value))
        {
            return; // nothing flows back through a constant initial value, and nothing earlier reads this adjoint
        }

        if (!_read.Contains(assign.Target))
        {
            return; // left out of the forward pass too
        }

        if (!_bar.TryGetValue(assign.Target, out string? bar))
        {
            // The local never reaches the loss, so its adjoint is 0: only its old value comes back.
            if (assign.SaveOldValue)
            {
                _writer.Line("// reverse of: " + assign.Source + "  (does not reach the loss)");
                _writer.Line($"{assign.Target} = {_tapes[assign.Type]}.Pop();");
            }

            return;
        }

        _writer.Line("// reverse of: " + assign.Source);
        if (!assign.SaveOldValue && assign.Value is Binary { Operator: "+" } sum && sum.IsReal && sum.Type == assign.Type
            && (IsLocal(sum.Left, assign.Target) ? sum.Right : IsLocal(sum.Right, assign.Target) ? sum.Left : null) is Expr rest
            && !ReadsLocal(rest, assign.Target))
        {
            // x = x + rest (an accumulation): ∂x/∂x = 1, so x_bar passes through unchanged and only rest gets x_bar.
            using (_writer.Block())
            {
                if (IsActive(rest))
                {
                    string through = FreshAdjoint();
                    _writer.Line($"{Type(assign.Type)} {through} = {bar};   // {bar} itself is unchanged: ∂{assign.Target}/∂{assign.Target} = 1");
                    Adjoint(rest, through);
                }
            }

            return;
        }

        using (_writer.Block())
        {
            bool active = IsActive(assign.Value);
            string adjoint = active ? FreshAdjoint() : string.Empty;
            if (active)
            {
                _writer.Line($"{Type(assign.Type)} {adjoint} = {bar};");
            }

            _writer.Line($"{bar} = {Zero(assign.Type)};");
            _zeroAdjoints.Add(bar);
            if (assign.SaveOldValue)
            {
                _writer.Line($"{assign.Target} = {_tapes[assign.Type]}.Pop();");
            }

            if (active)
            {
                Adjoint(assign.Value, adjoint);
            }
        }
    }

    /// <summary>The adjoints the reverse of <paramref name="block"/> may add to: those of every local its expressions read.</summary>
    private IEnumerable<string> AdjointsAddedTo(IEnumerable<Stmt> block)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        var assignments = new List<Assign>();
        LocalsRead(block, read, assignments);
        foreach (Assign assign in assignments)
        {
            LocalsRead(assign.Value, read);
        }

        return read.Where(_bar.ContainsKey).Select(name => _bar[name]);
    }

    /// <summary>Recomputes the values the partial derivatives of <paramref name="expr"/> need, then propagates <paramref name="seed"/> to its leaves.</summary>
    private void Adjoint(Expr expr, string seed)
    {
        var needed = new HashSet<Expr>(ReferenceComparer.Instance);
        MarkNeeded(expr, needed);
        var values = new Dictionary<Expr, string>(ReferenceComparer.Instance);
        EmitValues(expr, needed, values);
        Propagate(expr, seed, values);
    }

    private static void MarkNeeded(Expr node, HashSet<Expr> needed)
    {
        if (!IsActive(node))
        {
            // Propagate stops at a subtree that reads no parameter or local: no partial derivative inside it is taken, so
            // none of its values are needed (computing them would leave a local assigned but never used, CS0219).
            return;
        }

        foreach (Expr used in Partials.ValuesUsedBy(node))
        {
            if (used is Binary or Unary or Call or Conditional or Cast)
            {
                needed.Add(used);
            }
        }

        // A product with a repeated factor is differentiated from its distinct factors' first occurrences: the others'
        // values would be computed and never read.
        IEnumerable<Expr> children = node is Binary { Operator: "*" } product && Partials.RepeatedProduct(product) is { } factors
            ? factors.Distinct()
            : Partials.RegionChildren(node);
        foreach (Expr child in children)
        {
            MarkNeeded(child, needed);
        }
    }

    private void EmitValues(Expr node, HashSet<Expr> needed, Dictionary<Expr, string> values)
    {
        foreach (Expr child in Partials.RegionChildren(node))
        {
            EmitValues(child, needed, values);
        }

        if (needed.Contains(node) && node.IsReal)
        {
            string name = FreshValue();
            _writer.Line($"{Type(node.Type)} {name} = {Code(node, values)};");
            values[node] = name;
        }
    }

    private void Propagate(Expr node, string adjoint, Dictionary<Expr, string> values)
    {
        if (!node.IsReal || !IsActive(node))
        {
            return;
        }

        string V(Expr e) => Code(e, values, 100);
        string one = LossParser.One(node.Type);
        string zero = Zero(node.Type);
        string half = node.Type == NumType.Float ? "0.5f" : "0.5d";
        switch (node)
        {
            case Local local:
                string bar = _bar[local.Name];
                _writer.Line(_zeroAdjoints.Remove(bar) ? $"{bar} = {adjoint};" : $"{bar} += {adjoint};");
                break;
            case ParamScalar param:
                _writer.Line($"{_paramAdjoint[param.Field]} += {adjoint};");
                break;
            case ParamElement element:
                _writer.Line($"{_arrays[element.Field].Gradient}[{Code(element.Index)}] += {adjoint};");
                break;
            case Unary { Operator: "-" } unary:
                Pass(unary.Operand, $"-{adjoint}", values);
                break;
            case Cast cast:
                Pass(cast.Operand, $"({Type(cast.Operand.Type)}){adjoint}", values);
                break;
            case Binary { Operator: "+" } b:
                Pass(b.Left, adjoint, values);
                Pass(b.Right, adjoint, values);
                break;
            case Binary { Operator: "-" } b:
                Pass(b.Left, adjoint, values);
                Pass(b.Right, $"-{adjoint}", values);
                break;
            case Binary { Operator: "*" } b when Partials.RepeatedProduct(b) is { } factors:
                // A repeated factor (e·e, 0.5·e·e): ∂/∂f of c·fᵏ·r = k·c·fᵏ⁻¹·r, one term per distinct factor.
                // Each factor as its first occurrence: the one whose value was computed above (values are keyed by node).
                var distinct = factors.Distinct().ToList();
                factors = factors.Select(f => distinct.First(d => d.Equals(f))).ToList();
                foreach (Expr factor in distinct)
                {
                    var others = new List<Expr>(factors);
                    others.Remove(factor);
                    Pass(factor, ProductTerm(adjoint, factors.Count(f => f.Equals(factor)), others, node.Type, values), values);
                }

                break;
            case Binary { Operator: "*" } b:
                Pass(b.Left, $"{adjoint} * {V(b.Right)}", values);
                Pass(b.Right, $"{adjoint} * {V(b.Left)}", values);
                break;
            case Binary { Operator: "/" } b:
                Pass(b.Left, $"{adjoint} / {V(b.Right)}", values);
                Pass(b.Right, $"-{adjoint} * {V(b)} / {V(b.Right)}", values);
                break;
            case Conditional conditional:
                bool constantCondition = DisableUnreachableWarning(conditional.Condition);
                var beforeConditional = new HashSet<string>(_zeroAdjoints, StringComparer.Ordinal);
                using (_writer.Block($"if ({Code(conditional.Condition)})"))
                {
                    Adjoint(conditional.WhenTrue, adjoint);
                }

                HashSet<string> afterTrue = _zeroAdjoints;
                _zeroAdjoints = beforeConditional;
                using (_writer.Block("else"))
                {
                    Adjoint(conditional.WhenFalse, adjoint);
                }

                _zeroAdjoints.IntersectWith(afterTrue);

                RestoreUnreachableWarning(constantCondition);

                break;
            case Call call:
                Expr a = call.Arguments[0];
                string math = MathType(call.Type);
                switch (call.Function)
                {
                    case Function.Exp:
                        Pass(a, $"{adjoint} * {V(call)}", values);
                        break;
                    case Function.Log:
                        Pass(a, $"{adjoint} / {V(a)}", values);
                        break;
                    case Function.Sqrt:
                        Pass(a, $"{adjoint} * {half} / {V(call)}", values);
                        break;
                    case Function.Pow:
                        Expr b = call.Arguments[1];
                        Pass(a, $"{adjoint} * {V(b)} * {math}.Pow({V(a)}, {V(b)} - {one})", values);
                        Pass(b, $"({V(a)} == {zero} ? {zero} : {adjoint} * {V(call)} * {math}.Log({V(a)}))", values);
                        break;
                    case Function.Tanh:
                        Pass(a, $"{adjoint} * ({one} - {V(call)} * {V(call)})", values);
                        break;
                    case Function.Sin:
                        Pass(a, $"{adjoint} * {math}.Cos({V(a)})", values);
                        break;
                    case Function.Cos:
                        Pass(a, $"-{adjoint} * {math}.Sin({V(a)})", values);
                        break;
                    case Function.Abs:
                        Pass(a, $"({V(a)} > {zero} ? {adjoint} : {V(a)} < {zero} ? -{adjoint} : {zero})", values);
                        break;
                    case Function.Max or Function.Min:
                        Expr other = call.Arguments[1];
                        if (V(a) == V(other))
                        {
                            // Max(s, s) = s: comparing s with itself would only warn (CS1718).
                            Pass(a, adjoint, values);
                            break;
                        }

                        string wins = call.Function == Function.Max ? ">" : "<";
                        string loses = call.Function == Function.Max ? "<" : ">";
                        Pass(a, $"({V(a)} {wins} {V(other)} ? {adjoint} : {V(a)} {loses} {V(other)} ? {zero} : {half} * {adjoint})", values);
                        Pass(other, $"({V(other)} {wins} {V(a)} ? {adjoint} : {V(other)} {loses} {V(a)} ? {zero} : {half} * {adjoint})", values);
                        break;
                    case Function.Sigmoid:
                        Pass(a, $"{adjoint} * {V(call)} * ({one} - {V(call)})", values);
                        break;
                    case Function.Softplus:
                        Pass(a, $"{adjoint} * {KnownTypes.ActivationRef}.Sigmoid({V(a)})", values);
                        break;
                    case Function.Relu:
                        Pass(a, $"({V(a)} > {zero} ? {adjoint} : {zero})", values);
                        break;
                }

                break;
        }
    }

    /// <summary>
    /// <paramref name="adjoint"/> · <paramref name="multiplicity"/> · <paramref name="others"/>: <c>seed * e</c> for
    /// ∂(0.5f·e·e)/∂e. The multiplicity and the literal factors are folded into one constant (left out when it is 1)
    /// when that constant is a normal number of the product's type; otherwise (<c>float.MaxValue * f * f</c> would fold
    /// to infinity) the literals stay where the user wrote them and the multiplicity goes last, so the run-time products
    /// keep the magnitudes of the user's own.
    /// </summary>
    private string ProductTerm(string adjoint, int multiplicity, List<Expr> others, NumType type, Dictionary<Expr, string> values)
    {
        var literals = others.Select(o => o is Literal literal ? LossParser.LiteralValue(literal) : null).ToList();
        double constant = literals.Aggregate((double)multiplicity, (product, value) => product * (value ?? 1));
        double rounded = type == NumType.Float ? (float)constant : constant;
        double smallestNormal = type == NumType.Float ? 1.1754943508222875E-38 : 2.2250738585072014E-308;   // the smallest normal float, double
        bool fold = constant == 0 || (!double.IsInfinity(rounded) && !double.IsNaN(rounded) && Math.Abs(rounded) >= smallestNormal);
        var terms = new List<string> { adjoint };
        if (fold && constant != 1)
        {
            terms.Add(LossParser.LiteralCode(constant, type));
        }

        for (int i = 0; i < others.Count; i++)
        {
            if (!fold || literals[i] is null)
            {
                terms.Add(Code(others[i], values, 100));
            }
        }

        if (!fold && multiplicity != 1)
        {
            terms.Add(LossParser.LiteralCode(multiplicity, type));
        }

        return string.Join(" * ", terms);
    }

    /// <summary>Hands <paramref name="adjoint"/> to <paramref name="child"/>: straight to a leaf, through a named local to an inner node.</summary>
    private void Pass(Expr child, string adjoint, Dictionary<Expr, string> values)
    {
        if (!child.IsReal || !IsActive(child))
        {
            return;
        }

        if (child is Local or ParamScalar or ParamElement || IsName(adjoint))
        {
            Propagate(child, adjoint, values);
            return;
        }

        string name = FreshAdjoint();
        _writer.Line($"{Type(child.Type)} {name} = {adjoint};");
        Propagate(child, name, values);
    }

    /// <summary>
    /// The locals whose adjoint the reverse pass adds to: those the returned value reads, then, until nothing changes,
    /// those read by an assignment to a local already reached (and, into <paramref name="assigned"/>, every local assigned). Only they get an <c>x_bar</c>: a local that never reaches
    /// the loss would leave one that is assigned but never used (CS0219).
    /// </summary>
    private static HashSet<string> LocalsReachedByAdjoints(IEnumerable<Stmt> body, HashSet<string> assigned)
    {
        var assignments = new List<Assign>();
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Stmt>(body);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case Assign assign:
                    assignments.Add(assign);
                    assigned.Add(assign.Target);
                    break;
                case Return ret:
                    LocalsReachedByAdjoints(ret.Value, reached);
                    break;
                case If branch:
                    foreach (Stmt inner in branch.Then.Concat(branch.Else))
                    {
                        pending.Push(inner);
                    }

                    break;
                case For loop:
                    foreach (Stmt inner in loop.Body)
                    {
                        pending.Push(inner);
                    }

                    break;
            }
        }

        for (int before = -1; before != reached.Count;)
        {
            before = reached.Count;
            foreach (Assign assign in assignments.Where(a => reached.Contains(a.Target)))
            {
                LocalsReachedByAdjoints(assign.Value, reached);
            }
        }

        return reached;
    }

    private static void LocalsReachedByAdjoints(Expr node, HashSet<string> reached)
    {
        if (!node.IsReal || !IsActive(node))
        {
            return;
        }

        switch (node)
        {
            case Local local:
                reached.Add(local.Name);
                break;
            case Conditional conditional:
                LocalsReachedByAdjoints(conditional.WhenTrue, reached);
                LocalsReachedByAdjoints(conditional.WhenFalse, reached);
                break;
            default:
                foreach (Expr child in Partials.RegionChildren(node))
                {
                    LocalsReachedByAdjoints(child, reached);
                }

                break;
        }
    }

    /// <summary>
    /// A condition made of literals only is a C# constant in the generated code although it was not one in the user's:
    /// an inlined <c>[Differentiable]</c> helper's parameter replaced by a literal argument (conditions the user wrote
    /// as constants are folded by the parser). One of the branches is then dead, and the compiler says so (CS0162); the
    /// warning is disabled around that one <c>if</c> only, because the code is right: the dead branch is the one the
    /// user's helper never takes for this call.
    /// </summary>
    private bool DisableUnreachableWarning(Expr condition)
    {
        if (!LiteralsOnly(condition))
        {
            return false;
        }

        _writer.Line("#pragma warning disable CS0162 // constant condition after inlining a [Differentiable] helper: one branch is never taken");
        return true;
    }

    private void RestoreUnreachableWarning(bool disabled)
    {
        if (disabled)
        {
            _writer.Line("#pragma warning restore CS0162");
        }
    }

    private static bool LiteralsOnly(Expr node) => node switch
    {
        Literal => true,
        Unary u => LiteralsOnly(u.Operand),
        Binary b => LiteralsOnly(b.Left) && LiteralsOnly(b.Right),
        Cast c => LiteralsOnly(c.Operand),
        Conditional k => LiteralsOnly(k.Condition) && LiteralsOnly(k.WhenTrue) && LiteralsOnly(k.WhenFalse),   // c ? x : y of constants is a constant too
        _ => false,
    };

    /// <summary>
    /// The locals read by the loss's returned value, conditions, bounds and int locals; the assignments to float/double
    /// locals go to <paramref name="assignments"/>, whose values count only once their target is read.
    /// </summary>
    private static void LocalsRead(IEnumerable<Stmt> statements, HashSet<string> read, List<Assign> assignments)
    {
        foreach (Stmt statement in statements)
        {
            if (statement is Assign assign)
            {
                assignments.Add(assign);
            }

            IEnumerable<Expr> expressions = statement switch
            {
                Return ret => new[] { ret.Value },
                IntLocal intLocal => new[] { intLocal.Value },
                If branch => new[] { branch.Condition },
                For loop => new[] { loop.Start, loop.End },
                _ => Array.Empty<Expr>(),
            };
            foreach (Expr expr in expressions)
            {
                LocalsRead(expr, read);
            }

            LocalsRead(
                statement switch
                {
                    If branch => branch.Then.Concat(branch.Else),
                    For loop => loop.Body,
                    _ => Enumerable.Empty<Stmt>(),
                },
                read,
                assignments);
        }
    }

    private static void LocalsRead(Expr node, HashSet<string> read)
    {
        switch (node)
        {
            case Local local:
                read.Add(local.Name);
                break;
            case ParamElement element:
                LocalsRead(element.Index, read);
                break;
            case InputElement element:
                LocalsRead(element.Index, read);
                break;
            case Conditional conditional:
                LocalsRead(conditional.Condition, read);
                LocalsRead(conditional.WhenTrue, read);
                LocalsRead(conditional.WhenFalse, read);
                break;
            default:
                foreach (Expr child in Partials.RegionChildren(node))
                {
                    LocalsRead(child, read);
                }

                break;
        }
    }

    private static bool IsLocal(Expr node, string name) => node is Local local && local.Name == name;

    /// <summary>Whether <paramref name="node"/> reads the local <paramref name="name"/> anywhere.</summary>
    private static bool ReadsLocal(Expr node, string name)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        LocalsRead(node, read);
        return read.Contains(name);
    }

    private static bool IsActive(Expr node) => node switch
    {
        Local or ParamScalar or ParamElement => true,
        Unary u => IsActive(u.Operand),
        Binary b => b.IsReal && (IsActive(b.Left) || IsActive(b.Right)),
        Cast c => c.IsReal && c.Operand.IsReal && IsActive(c.Operand),
        Call call => call.IsReal && call.Arguments.Any(IsActive),
        Conditional c => c.IsReal && (IsActive(c.WhenTrue) || IsActive(c.WhenFalse)),
        _ => false,
    };

    // ----- code -----

    private string Code(Expr expr) => Code(expr, null, 0);

    private string Code(Expr expr, Dictionary<Expr, string>? values, int parentPrecedence = 0)
    {
        if (values is not null && values.TryGetValue(expr, out string? name))
        {
            return name;
        }

        (string text, int precedence) = expr switch
        {
            Literal l => (l.Code, l.Code.StartsWith("-", StringComparison.Ordinal) ? 90 : 100),
            Constant c => (c.Code, 100),
            Local l => (l.Name, 100),
            ParamScalar p => ("this." + Identifiers.Escape(p.Field), 100),
            ParamElement p => ($"{_arrays[p.Field].Values}[{Code(p.Index, values)}]", 100),
            InputElement i => ($"{i.Input}[{Code(i.Index, values)}]", 100),
            Unary u => (u.Operator + Code(u.Operand, values, 91), 90),
            Cast c => ($"({Type(c.Type)}){Code(c.Operand, values, 91)}", 90),
            Binary b => BinaryCode(b, values),
            Call call => (CallCode(call, values), 100),
            Conditional c => ($"{Code(c.Condition, values, 21)} ? {Code(c.WhenTrue, values, 21)} : {Code(c.WhenFalse, values, 20)}", 20),
            _ => throw new InvalidOperationException("Unknown expression " + expr.GetType().Name),
        };
        return precedence < parentPrecedence ? "(" + text + ")" : text;
    }

    private (string, int) BinaryCode(Binary b, Dictionary<Expr, string>? values)
    {
        int precedence = b.Operator switch
        {
            "*" or "/" or "%" => 80,
            "+" or "-" => 70,
            "<" or ">" or "<=" or ">=" => 60,
            "==" or "!=" => 55,
            "&&" => 40,
            _ => 35,
        };
        string left = Code(b.Left, values, precedence);
        string right = Code(b.Right, values, precedence + 1);
        if (left == right && b.Left.IsReal && b.Operator is "<" or ">" or "<=" or ">=" or "==" or "!=")
        {
            // x ≥ x after inlining a helper (H0(a) => δ >= a ? … called as H0(δ)): the compiler would warn (CS1718). The
            // comparison only depends on whether x is NaN, so say that.
            string isNaN = $"{Type(b.Left.Type)}.IsNaN({Code(b.Left, values)})";
            return b.Operator switch
            {
                "<=" or ">=" or "==" => ("!" + isNaN, 90),
                "!=" => (isNaN, 100),
                _ => ($"{isNaN} && !{isNaN}", 40),   // x < x: false, but not a constant (a constant condition is CS0162)
            };
        }

        return ($"{left} {b.Operator} {right}", precedence);
    }

    private string CallCode(Call call, Dictionary<Expr, string>? values)
    {
        string owner = call.Function is Function.Sigmoid or Function.Softplus or Function.Relu ? KnownTypes.ActivationRef : MathType(call.Type);
        return $"{owner}.{call.Function}({string.Join(", ", call.Arguments.Select(a => Code(a, values)))})";
    }

    private static string MathType(NumType type) => type == NumType.Float ? "global::System.MathF" : "global::System.Math";

    private static string SampleType(LossParameter parameter) =>
        parameter.IsVector ? $"global::System.ReadOnlySpan<{Type(parameter.Element)}>" : Type(parameter.Element);

    internal static string Type(NumType type) => type switch
    {
        NumType.Float => "float",
        NumType.Double => "double",
        NumType.Int => "int",
        _ => "bool",
    };

    private static string Zero(NumType type) => type == NumType.Float ? "0f" : "0d";

    private static string TapeField(NumType type) => type == NumType.Float ? "__floatTape" : "__doubleTape";

    private static bool IsName(string text) => text.All(c => char.IsLetterOrDigit(c) || c == '_');

    private string Fresh(string preferred) => _names.Fresh(preferred);

    private string FreshValue() => _names.Numbered("v", ref _nextValue);

    private string FreshAdjoint() => _names.Numbered("g", ref _nextAdjoint);

    /// <summary>Identity comparison: two equal subtrees in one expression are still two nodes.</summary>
    private sealed class ReferenceComparer : IEqualityComparer<Expr>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y);

        public int GetHashCode(Expr obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
