using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>
/// Builds a random [Loss] method (and [Differentiable] helpers) over the model's valid parameters. Statements and
/// expressions are drawn type-directed and scope-aware from inside the differentiable subset, so the result compiles and
/// every index stays in bounds at run time; with some probability one construct from outside the subset (or a bad
/// signature, a second [Loss], a bad helper) is inserted and recorded as a <see cref="Flaw"/>.
/// </summary>
internal sealed class LossBuilder
{
    private static readonly string[] LocalPool =
    {
        "s", "z", "h", "t", "acc", "tmp", "a", "q", "prediction", "error", "sum", "grad", "scale", "seed", "loss", "total",
        "count", "k", "v0", "v1", "dW", "x2", "r", "e", "d", "u", "p", "value", "step", "branches", "floats", "z_bar", "s_2",
        "@float", "@in", "δ", "i", "j", "c", "n",
    };

    private static readonly string[] CounterPool = { "i", "j", "k", "t", "r", "c", "s", "n", "idx", "v0" };

    private static readonly string[] InputPool =
    {
        "x", "y", "target", "features", "label", "n", "i", "grad", "scale", "k", "total", "count", "batchSize", "seed", "loss",
        "value", "v0", "dW", "@in", "@float", "xs", "input", "z", "count_2", "xWidth",
    };

    private static readonly string[] LossNames = { "Loss", "Loss", "Loss", "Compute", "Cost", "Objective", "SampleLoss", "@float", "L" };

    private readonly Rnd _r;
    private readonly List<ParamInfo> _params;
    private readonly List<ConstantInfo> _constants;
    private readonly HashSet<string> _members;
    private readonly List<Flaw> _flaws;
    private readonly HashSet<string> _shadowed = new(StringComparer.Ordinal);
    private readonly List<Helper> _helpers = new();
    private readonly List<Input> _inputs = new();
    private int _fresh;
    private bool _runnable = true;
    private bool _allDouble = true;
    private bool _inHelper;
    private List<(string Code, string Type)> _helperAtoms = new();
    private List<(string Code, int Max)> _helperInts = new();

    public LossBuilder(Rnd r, List<ParamInfo> parameters, List<ConstantInfo> constants, HashSet<string> members, List<Flaw> flaws)
    {
        _r = r;
        _params = parameters;
        _constants = constants;
        _members = members;
        _flaws = flaws;
    }

    private enum Kind { Float, Double, Int, RoSpanF, RoSpanD, SpanF, ArrF, ArrD, ParamsF }

    private sealed record Input(Ident Name, Kind Kind, int Width)
    {
        public bool IsVector => Kind is not (Kind.Float or Kind.Double or Kind.Int);

        public string Element => Kind is Kind.Double or Kind.RoSpanD or Kind.ArrD ? "double" : Kind == Kind.Int ? "int" : "float";

        public string Declared => Kind switch
        {
            Kind.Float => "float",
            Kind.Double => "double",
            Kind.Int => "int",
            Kind.RoSpanF => "ReadOnlySpan<float>",
            Kind.RoSpanD => "ReadOnlySpan<double>",
            Kind.SpanF => "Span<float>",
            Kind.ArrF => "float[]",
            Kind.ArrD => "double[]",
            _ => "params float[]",
        };
    }

    private sealed record Helper(string Name, string[] ParamTypes, string Return, bool Instance);

    /// <summary>One block's names: the C# rule is that a name declared in a block may not be declared again in it or in any block nested in it.</summary>
    private sealed class Scope
    {
        public Scope? Parent { get; init; }

        public HashSet<string> Own { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Subtree { get; } = new(StringComparer.Ordinal);

        public List<(string Code, string Type)> Reals { get; } = new();

        public List<(string Code, string Type)> Constants { get; } = new();

        public List<(string Code, int Max)> Ints { get; } = new();

        public IEnumerable<Scope> Chain()
        {
            for (Scope? s = this; s is not null; s = s.Parent)
            {
                yield return s;
            }
        }

        public Scope Child() => new() { Parent = this };

        public void Close()
        {
            if (Parent is not null)
            {
                Parent.Subtree.UnionWith(Subtree);
            }
        }
    }

    public sealed class Result
    {
        public required List<string> Members { get; init; }

        public string? SecondLoss { get; init; }

        public required bool Runnable { get; init; }

        public required Func<string, string, List<ParamInfo>, string> Driver { get; init; }

        public required Func<string, string, int, List<ParamInfo>, Rnd, RunPlan> Plan { get; init; }
    }

    public Result Build()
    {
        var members = new List<string>();
        if (_params.Any(p => p.IsArray && p.Length is null))
        {
            _runnable = false;
        }

        // A field name a local or an input may reuse; the field is then read as this.Name everywhere.
        var instanceFields = _params.Select(p => p.Name.Value).Concat(_constants.Where(c => c.Code == "NotAParameter").Select(c => c.Code)).ToList();
        if (instanceFields.Count > 0 && _r.Chance(0.15))
        {
            _shadowed.Add(_r.PickFrom(instanceFields));
        }

        string lossName = LossNames[0];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            string candidate = _r.PickFrom(Pool(LossNames));
            if (!_members.Contains(candidate.TrimStart('@')))
            {
                lossName = candidate;
                break;
            }
        }

        if (_members.Contains(lossName.TrimStart('@')))
        {
            lossName = "LossOf" + _members.Count;
        }

        _members.Add(lossName.TrimStart('@'));
        string returnType = _r.Pick("float", "float", "double");
        if (returnType == "float")
        {
            _allDouble = false;
        }

        // ----- inputs -----
        var root = new Scope();
        int inputCount = _r.Pick(0, 1, 1, 2, 2, 2, 3, 4);
        for (int i = 0; i < inputCount; i++)
        {
            string? name = FreshName(Pool(InputPool), root);
            if (name is null)
            {
                continue;
            }

            Kind kind = _r.Pick(Kind.Float, Kind.Float, Kind.Double, Kind.Int, Kind.RoSpanF, Kind.RoSpanF, Kind.RoSpanD, Kind.SpanF, Kind.ArrF, Kind.ArrD, Kind.ParamsF);
            if (kind == Kind.ParamsF && i != inputCount - 1)
            {
                kind = Kind.ArrF;
            }

            var input = new Input(new Ident(name), kind, _r.Int(1, 4));
            _inputs.Add(input);
            if (input.Element == "float")
            {
                _allDouble = false;
            }

            if (!input.IsVector)
            {
                if (kind == Kind.Int)
                {
                    root.Ints.Add((name, 3));
                }
                else
                {
                    root.Constants.Add((name, input.Element));
                }
            }
        }

        if (_params.Any(p => !p.IsDouble))
        {
            _allDouble = false;
        }

        // ----- signature flaws -----
        string modifiers = _r.Pick("public ", "private ", string.Empty, "internal ");
        string typeParameters = string.Empty;
        string signatureReturn = returnType;
        var declaredInputs = _inputs.Select(p => $"{p.Declared} {p.Name}").ToList();
        bool signatureFlaw = false;
        if (Defect(0.07))
        {
            signatureFlaw = true;
            switch (_r.Int(0, 7))
            {
                case 0:
                    signatureReturn = _r.Pick("int", "void", "float?", "object", "decimal");
                    break;
                case 1:
                    modifiers += "static ";
                    break;
                case 2:
                    typeParameters = "<TLoss>";
                    break;
                default:
                    string bad = _r.Pick("ref float", "in float", "string", "float[,]", "float?", "ReadOnlySpan<int>", "long", "Memory<float>", "decimal", "out float", "int[]");
                    string? badName = FreshName(InputPool, root);
                    if (badName is null)
                    {
                        signatureFlaw = false;
                        break;
                    }

                    declaredInputs.Insert(_r.Int(0, declaredInputs.Count), $"{bad} {badName}");
                    if (declaredInputs.Last().StartsWith("params", StringComparison.Ordinal) is false && declaredInputs.Any(d => d.StartsWith("params", StringComparison.Ordinal)))
                    {
                        // params must stay last
                        string p = declaredInputs.First(d => d.StartsWith("params", StringComparison.Ordinal));
                        declaredInputs.Remove(p);
                        declaredInputs.Add(p);
                    }

                    if (bad == "out float")
                    {
                        _outName = badName;   // the body assigns it first
                    }

                    break;
            }

            if (signatureFlaw)
            {
                _flaws.Add(new Flaw("invalid [Loss] signature", new[] { "OPTG013", "OPTG016", "CS" }));
            }
        }

        // ----- helpers -----
        int helperCount = _r.Pick(0, 0, 0, 1, 1, 2);
        for (int h = 0; h < helperCount; h++)
        {
            string? helper = BuildHelper(modifiers.Contains("static", StringComparison.Ordinal));
            if (helper is not null)
            {
                members.Add(helper);
            }
        }

        // ----- body -----
        string attribute = _r.Pick("[Loss]", "[Loss]", "[Loss]", "[Loss(Reduction = LossReduction.Sum)]", "[Loss(Reduction = LossReduction.Mean)]", "[OptimizerGen.Loss]", "[LossAttribute()]");
        bool sum = attribute.Contains("Sum", StringComparison.Ordinal);
        var body = new Writer();
        bool expressionBody = _r.Chance(0.15) && _outName is null && _badHelper is null;
        bool insertFlaw = Defect(0.35) || _badHelper is not null;
        string signatureCore = $"{signatureReturn} {lossName}{typeParameters}({string.Join(", ", declaredInputs)})";
        string header = $"{attribute}\n{modifiers}{signatureCore}";
        string lossText;
        if (expressionBody)
        {
            string value = insertFlaw && _r.Chance(0.5) ? ExpressionFlaw(root) ?? Real(root, 3, returnType).Code : Real(root, 3, returnType).Code;
            lossText = $"{header} => {value};";
        }
        else
        {
            var lines = new List<string>();
            if (_outName is not null)
            {
                lines.Add($"{_outName} = 0f;");
            }

            int budget = _r.Pick(1, 2, 3, 4, 5, 6, 8);
            _pendingFlaw = insertFlaw;
            Statements(root, budget, 0, lines);
            if (_pendingFlaw)
            {
                lines.AddRange(StatementFlaw(root));
                _pendingFlaw = false;
            }

            string value = Real(root, _r.Int(1, 3), returnType).Code;
            lines.Add($"return {value};");
            lossText = header + "\n{\n" + string.Join("\n", lines.SelectMany(l => l.Split('\n')).Select(l => "    " + l)) + "\n}";
        }

        // A partial [Loss] method (defining + implementing declarations).
        if (!expressionBody && !signatureFlaw && typeParameters.Length == 0 && Defect(0.03))
        {
            string access = modifiers.Trim().Length == 0 ? "private " : modifiers;
            int brace = lossText.IndexOf("\n{", StringComparison.Ordinal);
            lossText = $"{attribute}\n{access}partial {signatureCore};\n\n{access}partial {signatureCore}{lossText[brace..]}";
            _flaws.Add(new Flaw("partial [Loss] method", null));
            _runnable = false;
        }

        members.Add(lossText);

        string? second = null;
        if (Defect(0.04))
        {
            string name = "Loss" + _r.Int(2, 9);
            if (_members.Add(name))
            {
                second = $"[Loss]\npublic float {name}(float sample) => sample * 2f;";
                _flaws.Add(new Flaw("two [Loss] methods", new[] { "OPTG014" }));
            }
        }

        bool runnable = _runnable && !_flaws.Any();
        string lossNameFinal = lossName;
        return new Result
        {
            Members = members,
            SecondLoss = second,
            Runnable = runnable,
            Driver = (self, ctorArgs, parameters) => Driver(self, ctorArgs, parameters, lossNameFinal),
            Plan = (source, metadata, arity, parameters, rnd) => Plan(source, metadata, arity, parameters, rnd, returnType == "float", sum),
        };
    }

    private string? _outName;
    private Helper? _badHelper;
    private int _depth;
    private bool _pendingFlaw;

    // ----- names -----

    private bool CanDeclare(Scope scope, string name)
    {
        string value = name.TrimStart('@');
        if (_members.Contains(value) && !_shadowed.Contains(value))
        {
            return false;
        }

        if (value is "Math" or "MathF" or "Activation" or "Console" or "System" or "OptimizerGen" or "Real" or "Vec")
        {
            return false;
        }

        return !scope.Chain().Any(s => s.Own.Contains(value)) && !scope.Subtree.Contains(value);
    }

    private void Declare(Scope scope, string name)
    {
        scope.Own.Add(name.TrimStart('@'));
        scope.Subtree.Add(name.TrimStart('@'));
    }

    private string? FreshName(IReadOnlyList<string> pool, Scope scope)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            string name = _r.PickFrom(pool);
            if (CanDeclare(scope, name))
            {
                Declare(scope, name);
                return name;
            }
        }

        string fallback = "q" + _fresh++;
        if (!CanDeclare(scope, fallback))
        {
            return null;
        }

        Declare(scope, fallback);
        return fallback;
    }

    private string Unique(Scope scope)
    {
        while (true)
        {
            string name = "f" + _fresh++;
            if (CanDeclare(scope, name))
            {
                Declare(scope, name);
                return name;
            }
        }
    }

    private string Field(Ident name) => _shadowed.Contains(name.Value) || _r.Chance(0.15) ? "this." + name.Code : name.Code;

    // ----- expressions -----

    private static string Widest(string a, string b) =>
        a == "double" || b == "double" ? "double" : a == "float" || b == "float" ? "float" : "int";

    private static bool Converts(string from, string to) => from == to || from == "int" || (from == "float" && to == "double");

    private (string Code, string Type) Literal(string type)
    {
        if (_r.Chance(0.04))
        {
            string odd = type == "float"
                ? _r.Pick("float.Epsilon", "float.MaxValue", "MathF.PI", "(float)Math.E", "float.PositiveInfinity", "float.NaN", "1f / 0f", "default(float)", "sizeof(float)", "-0f", "1e-30f", "float.NegativeInfinity", "(float)double.MaxValue")
                : _r.Pick("double.Epsilon", "Math.PI", "double.MaxValue", "double.NaN", "0d / 0d", "default(double)", "sizeof(double)", "1e300", "-0d", "double.PositiveInfinity", "Math.Tau");
            return (odd, odd.StartsWith("sizeof", StringComparison.Ordinal) ? "int" : type);
        }

        string number = _r.Pick("0.5", "2", "1.25", "0.1", "3", "1e-3", "0.75", "1", "10", "0");
        if (number is "2" or "3" or "1" or "10" or "0" && _r.Chance(0.5))
        {
            return (number, "int");   // an int literal, converted
        }

        return (type == "float" ? number + "f" : number + _r.Pick(string.Empty, "d"), type);
    }

    /// <summary>An expression whose natural type converts implicitly to <paramref name="want"/> (float or double).</summary>
    private (string Code, string Type) Real(Scope scope, int depth, string want)
    {
        (string Code, string Type) result = depth <= 0 || _r.Chance(0.25) ? RealLeaf(scope, want) : RealNode(scope, depth, want);
        if (!Converts(result.Type, want))
        {
            result = ($"({want})({result.Code})", want);
        }

        if (result.Type == "float")
        {
            _allDouble = false;
        }

        return result;
    }

    private (string Code, string Type) RealLeaf(Scope scope, string want)
    {
        var options = new List<Func<(string, string)>>
        {
            () => Literal(want),
        };

        foreach (ParamInfo p in _params.Where(p => !p.IsArray))
        {
            options.Add(() => (Field(p.Name), p.Type));
            options.Add(() => (Field(p.Name), p.Type));
        }

        foreach (ParamInfo p in _params.Where(p => p.IsArray && p.Length is not null))
        {
            options.Add(() => ($"{Field(p.Name)}[{Index(scope, p.Length!.Value, $"{Field(p.Name)}.Length")}]", p.Type));
            options.Add(() => ($"{Field(p.Name)}[{Index(scope, p.Length!.Value, $"{Field(p.Name)}.Length")}]", p.Type));
        }

        if (!_inHelper)
        {
            foreach (Input input in _inputs.Where(i => i.IsVector))
            {
                options.Add(() => ($"{input.Name}[{Index(scope, input.Width, $"{input.Name}.Length")}]", input.Element));
            }
        }

        foreach (ConstantInfo c in _constants)
        {
            if (_inHelper && _helperStatic && c.Instance)
            {
                continue;
            }

            options.Add(() => (c.Code == "NotAParameter" && _shadowed.Contains(c.Code) ? "this." + c.Code : c.Code, c.Type));
        }

        foreach (Scope s in scope.Chain())
        {
            foreach (var real in s.Reals.Concat(s.Constants))
            {
                options.Add(() => real);
                options.Add(() => real);
            }
        }

        if (_inHelper)
        {
            foreach (var atom in _helperAtoms)
            {
                options.Add(() => atom);
                options.Add(() => atom);
            }
        }

        if (_r.Chance(0.15))
        {
            var i = Int(scope, 1);
            return ($"({i.Code})", "int");
        }

        return _r.PickFrom(options)();
    }

    private bool _helperStatic;

    private (string Code, string Type) RealNode(Scope scope, int depth, string want)
    {
        switch (_r.Int(0, 11))
        {
            case 0:
            case 1:
            case 2:
            {
                var a = Real(scope, depth - 1, want);
                var b = Real(scope, depth - 1, want);
                string op = _r.Pick("+", "-", "*", "*", "/");
                if (op == "/")
                {
                    // Never an int division (by a constant 0: CS0020; by a counter that is 0: an exception): the divisor
                    // is cast to the wanted floating type whatever type it was tracked as. (Guarding only when both
                    // operands were tracked as int let `(0 / 2) / 0` through in the 10 000-case run of 939cb13.)
                    b = ($"({want}){Wrap(b.Code)}", want);
                }

                return ($"{Wrap(a.Code)} {op} {Wrap(b.Code)}", Widest(a.Type, b.Type));
            }

            case 3:
            {
                var a = Real(scope, depth - 1, want);
                return ($"-{Wrap(a.Code)}", a.Type);
            }

            case 4:
            {
                var a = Real(scope, depth - 1, want);
                return ($"({a.Code})", a.Type);
            }

            case 5:
            {
                string to = want == "double" && _r.Chance(0.5) ? "double" : "float";
                var a = Real(scope, depth - 1, "double");
                return ($"({to}){Wrap(a.Code)}", to);
            }

            case 6:
            case 7:
            case 8:
                return Call(scope, depth, want);
            case 9:
            {
                string condition = Condition(scope, depth - 1);
                var a = Real(scope, depth - 1, want);
                var b = Real(scope, depth - 1, want);
                return ($"({condition} ? {a.Code} : {b.Code})", Widest(a.Type, b.Type));
            }

            case 10 when _helpers.Count > 0:
            {
                Helper helper = _r.PickFrom(_helpers);
                if (_inHelper && _helperStatic && helper.Instance)
                {
                    return Real(scope, depth - 1, want);
                }

                var args = helper.ParamTypes.Select(t => t == "int" ? $"{WrapInt(Int(scope, 1).Code)} % 4" : Real(scope, depth - 1, t).Code);
                return ($"{helper.Name}({string.Join(", ", args)})", helper.Return);
            }

            default:
                return RealLeaf(scope, want);
        }
    }

    private static string Wrap(string code) =>
        code.All(ch => char.IsLetterOrDigit(ch) || ch is '_' || ch is '.' || ch is '@') || (code.StartsWith('(') && code.EndsWith(')') && Balanced(code)) ? code : "(" + code + ")";

    private static bool Balanced(string code)
    {
        // "(a) + (b)" starts and ends with parentheses but is not one parenthesized expression.
        int depth = 0;
        for (int i = 0; i < code.Length; i++)
        {
            depth += code[i] == '(' ? 1 : code[i] == ')' ? -1 : 0;
            if (depth == 0 && i < code.Length - 1)
            {
                return false;
            }
        }

        return true;
    }

    private (string Code, string Type) Call(Scope scope, int depth, string want)
    {
        string[] unary = { "Exp", "Log", "Sqrt", "Tanh", "Sin", "Cos", "Abs" };
        string[] binary = { "Pow", "Max", "Min" };
        string type = want == "double" && _r.Chance(0.6) ? "double" : "float";
        string container = type == "float" ? _r.Pick("MathF", "MathF", "float", "Math") : _r.Pick("Math", "Math", "double");
        if (_r.Chance(0.15))
        {
            string f = _r.Pick("Sigmoid", "Softplus", "Relu");
            var a = Real(scope, depth - 1, type);
            string call = _usingStaticActivation && _r.Chance(0.5) ? f : "Activation." + f;
            return ($"{call}(({type}){Wrap(a.Code)})", type);
        }

        if (_r.Chance(0.7))
        {
            string f = _r.Pick(unary);
            var a = Real(scope, depth - 1, type);
            string arg = f is "Log" or "Sqrt" && _r.Chance(0.6) ? $"{Wrap(a.Code)} * {Wrap(a.Code)} + 0.5{(type == "float" ? "f" : string.Empty)}" : a.Code;
            if (container == "Math" && type == "float" && f is not "Abs")
            {
                return ($"(float)Math.{f}({arg})", "float");
            }

            string cast = container == "Math" ? $"({type})" + Wrap(arg) : arg;
            return ($"{container}.{f}({cast})", type);
        }
        else
        {
            string f = _r.Pick(binary);
            var a = Real(scope, depth - 1, type);
            var b = Real(scope, depth - 1, type);
            string first = f == "Pow" ? $"{container}.Abs({a.Code}) + 0.5{(type == "float" ? "f" : string.Empty)}" : a.Code;
            if (container == "Math" && type == "float")
            {
                return ($"(float)Math.{f}({first}, {b.Code})", "float");
            }

            if (container == "float" || container == "double")
            {
                // float.Max(1, 2) is ambiguous with int arguments only when both are int; cast to be sure.
                return ($"{container}.{f}(({type}){Wrap(first)}, ({type}){Wrap(b.Code)})", type);
            }

            return ($"{container}.{f}(({type}){Wrap(first)}, {b.Code})", type);
        }
    }

    private bool _usingStaticActivation;

    public bool Verbatim { get; init; }

    public bool Clean { get; init; }

    private bool Defect(double p) => !Clean && _r.Chance(p);

    private IReadOnlyList<string> Pool(IReadOnlyList<string> pool) => Verbatim ? pool : pool.Where(n => !n.StartsWith('@')).ToList();

    public bool UsingStaticActivation
    {
        init => _usingStaticActivation = value;
    }

    private string Condition(Scope scope, int depth)
    {
        switch (depth <= 0 ? 0 : _r.Int(0, 5))
        {
            case 4:
                return $"{Condition(scope, depth - 1)} {_r.Pick("&&", "||")} {Condition(scope, depth - 1)}";
            case 5:
                return $"!({Condition(scope, depth - 1)})";
            default:
                string op = _r.Pick("<", ">", "<=", ">=", "==", "!=");
                if (_r.Chance(0.2))
                {
                    return $"{Int(scope, 1).Code} {op} {Int(scope, 1).Code}";
                }

                return $"{Wrap(Real(scope, Math.Max(0, depth - 1), "double").Code)} {op} {Wrap(Real(scope, 0, "double").Code)}";
        }
    }

    /// <summary>A non-negative int expression and its largest possible value.</summary>
    private (string Code, int Max) Int(Scope scope, int depth)
    {
        var atoms = new List<(string Code, int Max)> { ("0", 0), ("1", 1), ("2", 2), ("3", 3) };
        foreach (Scope s in scope.Chain())
        {
            atoms.AddRange(s.Ints);
            atoms.AddRange(s.Ints);
        }

        if (_inHelper)
        {
            atoms.AddRange(_helperInts);
        }
        else
        {
            foreach (Input input in _inputs.Where(i => i.IsVector))
            {
                atoms.Add(($"{input.Name}.Length", input.Width));
            }
        }

        foreach (ParamInfo p in _params.Where(p => p.IsArray && p.Length is not null))
        {
            atoms.Add(($"{Field(p.Name)}.Length", p.Length!.Value));
        }

        foreach (ConstantInfo c in _constants.Where(c => c.IntMax is not null))
        {
            atoms.Add((c.Code, c.IntMax!.Value));
        }

        if (depth <= 0 || _r.Chance(0.5))
        {
            return _r.PickFrom(atoms);
        }

        var a = Int(scope, depth - 1);
        var b = Int(scope, depth - 1);
        switch (_r.Int(0, 6))
        {
            case 0:
                return ($"{a.Code} + {b.Code}", a.Max + b.Max);
            case 1 when a.Max * b.Max <= 40:
                return ($"{WrapInt(a.Code)} * {WrapInt(b.Code)}", a.Max * b.Max);
            case 2:
                int m = _r.Int(1, 4);
                return ($"{WrapInt(a.Code)} % {m}", Math.Min(a.Max, m - 1));
            case 3:
                return ($"{WrapInt(a.Code)} / 2", a.Max / 2);
            case 4:
                return ($"Math.Max({a.Code}, {b.Code})", Math.Max(a.Max, b.Max));
            case 5:
                return ($"Math.Min({a.Code}, {b.Code})", Math.Min(a.Max, b.Max));
            default:
                return a;
        }
    }

    private static string WrapInt(string code) => code.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '.' or '@') ? code : "(" + code + ")";

    /// <summary>An index into something of <paramref name="length"/> elements (never out of bounds).</summary>
    private string Index(Scope scope, int length, string lengthCode)
    {
        var i = Int(scope, _r.Int(0, 2));
        if (i.Max < length)
        {
            return i.Code;
        }

        return $"{WrapInt(i.Code)} % {(_r.Chance(0.5) ? length.ToString(CultureInfo.InvariantCulture) : lengthCode)}";
    }

    // ----- statements -----

    private void Statements(Scope scope, int budget, int loops, List<string> output)
    {
        int count = _r.Int(1, Math.Max(1, budget));
        for (int n = 0; n < count; n++)
        {
            if (_pendingFlaw && _r.Chance(0.2))
            {
                output.AddRange(StatementFlaw(scope));
                _pendingFlaw = false;
            }

            Statement(scope, budget / 2, loops, output);
        }
    }

    private void Statement(Scope scope, int budget, int loops, List<string> output)
    {
        var reals = scope.Chain().SelectMany(s => s.Reals).ToList();
        _depth++;
        try
        {
            StatementCore(scope, budget, loops, output, reals, _depth > 4 ? _r.Int(0, 7) : _r.Int(0, 12));
        }
        finally
        {
            _depth--;
        }
    }

    private void StatementCore(Scope scope, int budget, int loops, List<string> output, List<(string Code, string Type)> reals, int choice)
    {
        switch (choice)
        {
            case 0:
            case 1:
            case 2:
            {
                // float z = e;  (or double, var, Real, or a declaration followed by its first assignment)
                string? name = FreshName(Pool(LocalPool), scope);
                if (name is null)
                {
                    return;
                }

                string type = _r.Pick("float", "float", "double");
                var value = Real(scope, _r.Int(0, 3), type);
                if (type == "float")
                {
                    _allDouble = false;
                }

                switch (_r.Int(0, 5))
                {
                    case 0 when value.Type != "int":
                        // Cast: a real-typed expression may still be written as an int literal ('0'), which 'var' would make an int.
                        output.Add($"var {name} = ({value.Type})({value.Code});");
                        type = value.Type;
                        if (type == "float")
                        {
                            _allDouble = false;
                        }

                        break;
                    case 1:
                        output.Add($"{type} {name};");
                        output.Add($"{name} = {value.Code};");
                        break;
                    case 2 when type == "float":
                        output.Add($"Real {name} = {value.Code};");
                        break;
                    case 3:
                        string? second = FreshName(Pool(LocalPool), scope);
                        if (second is not null)
                        {
                            var value2 = Real(scope, 1, type);
                            output.Add($"{type} {name} = {value.Code}, {second} = {value2.Code};");
                            scope.Reals.Add((name, type));
                            scope.Reals.Add((second, type));
                            return;
                        }

                        output.Add($"{type} {name} = {value.Code};");
                        break;
                    default:
                        output.Add($"{type} {name} = {value.Code};");
                        break;
                }

                scope.Reals.Add((name, type));
                return;
            }

            case 3:
            case 4:
            case 5:
                if (reals.Count == 0 || scope.Chain().All(s => s.Reals.Count == 0))
                {
                    goto case 0;
                }

                var target = _r.PickFrom(reals);
                if (_r.Chance(0.2))
                {
                    output.Add(_r.Pick($"{target.Code}++;", $"++{target.Code};", $"{target.Code}--;", $"--{target.Code};"));
                    return;
                }

                output.Add($"{target.Code} {_r.Pick("=", "+=", "+=", "-=", "*=", "/=")} {Real(scope, _r.Int(0, 3), target.Type).Code};");
                return;
            case 6:
            {
                string? name = FreshName(Pool(LocalPool), scope);
                if (name is null)
                {
                    return;
                }

                var value = Int(scope, 2);
                output.Add($"int {name} = {value.Code};");
                scope.Ints.Add((name, value.Max));
                return;
            }

            case 7:
            {
                string? name = FreshName(Pool(LocalPool), scope);
                if (name is null)
                {
                    return;
                }

                string type = _r.Pick("float", "double");
                string literal = Literal(type).Code;
                output.Add($"const {type} {name} = {literal};");
                scope.Constants.Add((name, type));
                return;
            }

            case 8:
            case 9:
            {
                // if / else
                string condition = Condition(scope, _r.Int(0, 2));
                var then = new List<string>();
                var otherwise = new List<string>();
                bool single = reals.Count > 0 && _r.Chance(0.3);
                if (single)
                {
                    var t = _r.PickFrom(reals);
                    output.Add($"if ({condition})");
                    output.Add($"    {t.Code} {_r.Pick("=", "+=", "*=")} {Real(scope, 1, t.Type).Code};");
                    if (_r.Chance(0.4))
                    {
                        output.Add("else");
                        output.Add($"    {t.Code} -= {Real(scope, 1, t.Type).Code};");
                    }

                    return;
                }

                Scope thenScope = scope.Child();
                Statements(thenScope, Math.Max(1, budget), loops, then);
                thenScope.Close();
                output.Add($"if ({condition})");
                output.Add("{");
                output.AddRange(then.Select(l => "    " + l.Replace("\n", "\n    ", StringComparison.Ordinal)));
                output.Add("}");
                if (_r.Chance(0.5))
                {
                    Scope elseScope = scope.Child();
                    Statements(elseScope, Math.Max(1, budget), loops, otherwise);
                    elseScope.Close();
                    output.Add("else");
                    output.Add("{");
                    output.AddRange(otherwise.Select(l => "    " + l.Replace("\n", "\n    ", StringComparison.Ordinal)));
                    output.Add("}");
                }

                return;
            }

            case 10:
            case 11:
            {
                if (loops >= 2)
                {
                    goto case 0;
                }

                // for (int i = start; i < end; i++)
                Scope loopScope = scope.Child();
                string? counter = FreshName(CounterPool, loopScope);
                if (counter is null)
                {
                    return;
                }

                var startValue = _r.Chance(0.7) ? ("0", 0) : Int(scope, 0);
                var end = _r.PickFrom(LoopEnds(scope));
                bool inclusive = _r.Chance(0.2);
                string step = _r.Pick($"{counter}++", $"{counter}++", $"++{counter}", $"{counter} += 1");
                int max = inclusive ? end.Max : end.Max - 1;
                if (max < 0)
                {
                    max = 0;
                }

                loopScope.Ints.Add((counter, max));
                var body = new List<string>();
                Scope bodyScope = loopScope.Child();
                Statements(bodyScope, Math.Max(1, budget), loops + 1, body);
                bodyScope.Close();
                loopScope.Close();
                output.Add($"for (int {counter} = {startValue.Item1}; {counter} {(inclusive ? "<=" : "<")} {end.Code}; {step})");
                if (body.Count == 1 && !body[0].Contains('\n', StringComparison.Ordinal) && !body[0].StartsWith("float ", StringComparison.Ordinal) && !body[0].StartsWith("double ", StringComparison.Ordinal)
                    && !body[0].StartsWith("int ", StringComparison.Ordinal) && !body[0].StartsWith("var ", StringComparison.Ordinal) && !body[0].StartsWith("const ", StringComparison.Ordinal)
                    && !body[0].StartsWith("Real ", StringComparison.Ordinal) && !body[0].StartsWith("if", StringComparison.Ordinal) && _r.Chance(0.5))
                {
                    output.Add("    " + body[0]);
                }
                else
                {
                    output.Add("{");
                    output.AddRange(body.Select(l => "    " + l.Replace("\n", "\n    ", StringComparison.Ordinal)));
                    output.Add("}");
                }

                return;
            }

            default:
            {
                // a nested block, or an empty statement
                if (_r.Chance(0.2))
                {
                    output.Add(";");
                    return;
                }

                Scope inner = scope.Child();
                var lines = new List<string>();
                Statements(inner, Math.Max(1, budget / 2), loops, lines);
                inner.Close();
                output.Add("{");
                output.AddRange(lines.Select(l => "    " + l.Replace("\n", "\n    ", StringComparison.Ordinal)));
                output.Add("}");
                return;
            }
        }
    }

    private List<(string Code, int Max)> LoopEnds(Scope scope)
    {
        var ends = new List<(string Code, int Max)> { ("2", 2), ("3", 3), ("1", 1) };
        foreach (Input input in _inputs.Where(i => i.IsVector))
        {
            ends.Add(($"{input.Name}.Length", input.Width));
            ends.Add(($"{input.Name}.Length - 1", input.Width - 1));
        }

        foreach (ParamInfo p in _params.Where(p => p.IsArray && p.Length is not null))
        {
            ends.Add(($"{Field(p.Name)}.Length", p.Length!.Value));
            ends.Add(($"{Field(p.Name)}.Length", p.Length!.Value));
        }

        foreach (Scope s in scope.Chain())
        {
            ends.AddRange(s.Ints.Where(i => i.Max <= 6));
        }

        foreach (ConstantInfo c in _constants.Where(c => c.IntMax is not null))
        {
            ends.Add((c.Code, c.IntMax!.Value));
        }

        return ends;
    }

    // ----- helpers -----

    private string? BuildHelper(bool staticLoss)
    {
        string name = "H" + _helpers.Count;
        if (!_members.Add(name))
        {
            return null;
        }

        bool instance = !staticLoss && _r.Chance(0.5);
        string ret = _r.Pick("float", "float", "double");
        int arity = _r.Int(1, 2);
        var types = new string[arity];
        var names = new string[arity];
        _inHelper = true;
        _helperStatic = !instance;
        _helperAtoms = new List<(string, string)>();
        _helperInts = new List<(string, int)>();
        var helperScope = new Scope();
        for (int i = 0; i < arity; i++)
        {
            types[i] = _r.Pick("float", "float", "double", "int");
            names[i] = FreshName(new[] { "a", "b", "c", "u", "z" }, helperScope) ?? "p" + i;
            if (types[i] == "int")
            {
                _helperInts.Add((names[i], 3));
            }
            else
            {
                _helperAtoms.Add((names[i], types[i]));
            }
        }

        var savedParams = _params.ToList();
        if (!instance)
        {
            _params.Clear();
        }

        string body;
        try
        {
            body = Real(helperScope, _r.Int(1, 3), ret).Code;
        }
        finally
        {
            if (!instance)
            {
                _params.AddRange(savedParams);
            }

            _inHelper = false;
        }

        // Flawed helpers.
        string signature = $"{ret} {name}({string.Join(", ", types.Select((t, i) => $"{t} {names[i]}"))})";
        string text;
        if (_badHelper is null && Defect(0.08))
        {
            int kind = _r.Int(0, 3);
            switch (kind)
            {
                case 0:
                    text = $"[Differentiable]\nprivate static {ret} {name}({ret} a) => a > 1 ? {name}(a - 1) : a;";
                    _flaws.Add(new Flaw("recursive helper", new[] { "OPTG018" }));
                    _helpers.Add(_badHelper = new Helper(name, new[] { ret }, ret, false));
                    return text;
                case 1:
                    text = $"[Differentiable]\nprivate static {ret} {name}({ret} a)\n{{\n    {ret} b = a * 2;\n    return b;\n}}";
                    _flaws.Add(new Flaw("helper with statements", new[] { "OPTG020" }));
                    _helpers.Add(_badHelper = new Helper(name, new[] { ret }, ret, false));
                    return text;
                case 2:
                    text = $"private static {ret} {name}({ret} a) => a * 2;";
                    _flaws.Add(new Flaw("helper without [Differentiable]", new[] { "OPTG016" }));
                    _helpers.Add(_badHelper = new Helper(name, new[] { ret }, ret, false));
                    return text;
                default:
                    text = $"[Differentiable]\nprivate static int {name}(int a) => a * 2;";
                    _flaws.Add(new Flaw("helper returning int", new[] { "OPTG020", "OPTG016" }));
                    _helpers.Add(_badHelper = new Helper(name, new[] { "int" }, "int", false));
                    return text;
            }
        }

        text = _r.Chance(0.7)
            ? $"[Differentiable]\nprivate {(instance ? string.Empty : "static ")}{signature} => {body};"
            : $"[Differentiable]\n{(instance ? "internal " : "public static ")}{signature}\n{{\n    return {body};\n}}";
        _helpers.Add(new Helper(name, types, ret, instance));
        if (types.Any(t => t == "float") || ret == "float")
        {
            _allDouble = false;
        }

        return text;
    }

    // ----- constructs outside the subset -----

    /// <summary>A float operand for a construct outside the subset; never a constant (a constant would be folded and accepted).</summary>
    private string RealAtom(Scope scope)
    {
        var atom = Real(scope, 0, "float");
        return $"MathF.Abs({atom.Code})";
    }

    private IEnumerable<string> StatementFlaw(Scope scope)
    {
        string Add(string what, string code, params string[] allowed)
        {
            _flaws.Add(new Flaw(what, allowed));
            return code;
        }

        string n = Unique(scope);
        string m = Unique(scope);
        string r = RealAtom(scope);
        ParamInfo? array = _params.FirstOrDefault(p => p.IsArray && p.Length is not null);
        ParamInfo? scalar = _params.FirstOrDefault(p => !p.IsArray);
        Input? scalarInput = _inputs.FirstOrDefault(i => i.Kind is Kind.Float or Kind.Double);
        var choices = new List<Func<string>>
        {
            () => Add("while", $"float {n} = 0f;\nwhile ({n} < 1f) {n} += 0.5f;", "OPTG015"),
            () => Add("do", $"float {n} = 0f;\ndo {{ {n} += 0.5f; }} while ({n} < 1f);", "OPTG015"),
            () => Add("switch", $"switch ((int){Wrap(r)})\n{{\n    default:\n        break;\n}}", "OPTG015", "OPTG016"),
            () => Add("try", $"try {{ }} finally {{ }}", "OPTG015"),
            () => Add("throw", $"if ({Wrap(r)} > 1e30f) throw new InvalidOperationException();", "OPTG015"),
            () => Add("local function", $"float {n}(float arg) => arg * 2f;", "OPTG015"),
            () => Add("early return", $"if ({Wrap(r)} > 100f) return 0;", "OPTG015"),
            () => Add("break", $"for (int {n} = 0; {n} < 2; {n}++)\n{{\n    break;\n}}", "OPTG015"),
            () => Add("continue", $"for (int {n} = 0; {n} < 2; {n}++)\n{{\n    continue;\n}}", "OPTG015"),
            () => Add("call statement", $"Console.WriteLine({r});", "OPTG015"),
            () => Add("unknown call", $"float {n} = MathF.Atan({r});", "OPTG016"),
            () => Add("unknown call", $"double {n} = Math.Log({r}, 2.0);", "OPTG016"),
            () => Add("unknown call", $"float {n} = MathF.Round({r});", "OPTG016"),
            () => Add("unknown call", $"float {n} = float.Clamp({r}, 0f, 1f);", "OPTG016"),
            () => Add("lambda", $"Func<float, float> {n} = arg => arg * 2f;", "OPTG015", "OPTG016"),
            () => Add("local array", $"float[] {n} = new float[2];", "OPTG015"),
            () => Add("allocation", $"float {n} = (float)new System.Numerics.BigInteger(3);", "OPTG016"),
            () => Add("float to int", $"int {n} = (int){Wrap(r)};", "OPTG016"),
            () => Add("increment in an expression", $"float {n} = 0f;\nfloat {m} = {n}++;", "OPTG016"),
            () => Add("bool local", $"bool {n} = {Wrap(r)} > 0f;", "OPTG015"),
            () => Add("pattern", $"float {n} = {Wrap(r)} is > 0f ? 1f : 0f;", "OPTG016"),
            () => Add("true literal", $"float {n} = {Wrap(r)} > 0f && true ? 1f : 0f;", "OPTG016"),
            () => Add("checked", $"float {n} = checked({r} * 2f);", "OPTG016"),
            () => Add("float remainder", $"float {n} = {Wrap(r)} % 2f;", "OPTG016"),
            () => Add("remainder assignment", $"float {n} = {r};\n{n} %= 2f;", "OPTG016"),
            () => Add("goto", $"goto {n};\n{n}:\n;", "OPTG015"),
            () => Add("lock", $"lock (this) {{ }}", "OPTG015"),
            () => Add("using", $"using (var {n} = new System.IO.MemoryStream()) {{ }}", "OPTG015"),
            () => Add("checked block", $"checked {{ }}", "OPTG015"),
            () => Add("ref local", $"float {n} = {r};\nref float {m} = ref {n};", "OPTG016", "OPTG015"),
            () => Add("out argument", $"float.TryParse(\"1\", out float {n});", "OPTG015"),
            () => Add("switch expression", $"float {n} = {Wrap(r)} switch {{ > 0f => 1f, _ => 0f }};", "OPTG016"),
            () => Add("tuple", $"var ({n}, {m}) = ({r}, 1f);", "OPTG015", "OPTG016"),
            () => Add("string local", $"string {n} = \"loss\";", "OPTG015"),
            () => Add("undeclared name", $"float {n} = {r} + {m}Missing;", "CS", "OPTG016"),
            () => Add("loop without int counter", $"for (float {n} = 0f; {n} < 1f; {n} += 0.5f) {{ }}", "OPTG017"),
            () => Add("loop condition !=", $"for (int {n} = 0; {n} != 3; {n}++) {{ }}", "OPTG017"),
            () => Add("loop condition reversed", $"for (int {n} = 0; 3 > {n}; {n}++) {{ }}", "OPTG017"),
            () => Add("loop step 2", $"for (int {n} = 0; {n} < 3; {n} += 2) {{ }}", "OPTG017"),
            () => Add("loop step down", $"for (int {n} = 3; {n} < 4; {n}--) {{ }}", "OPTG017"),
            () => Add("counter written in the body", $"for (int {n} = 0; {n} < 3; {n}++)\n{{\n    {n} = 3;\n}}", "OPTG017"),
            () => Add("two counters", $"for (int {n} = 0, {m} = 0; {n} < 3; {n}++) {{ }}", "OPTG017"),
            () => Add("int local assigned twice", $"int {n} = 2;\n{n} = 3;", "OPTG016"),
            () => Add("int local without initializer", $"int {n};", "OPTG015"),
            () => Add("this", $"float {n} = this == null ? 1f : 0f;", "OPTG016"),
            () => Add("property read", $"float {n} = (float)Math.PI + {r} * {n.Length};", "NONE"),
            () => Add("default literal", $"float {n} = default;", "NONE"),
            () => Add("nameof", $"float {n} = nameof({m}Other).Length;", "CS", "OPTG016"),
        };

        if (array is not null)
        {
            choices.Add(() => Add("foreach", $"foreach (var {n} in {Field(array.Name)}) {{ }}", "OPTG015"));
            choices.Add(() => Add("LINQ", $"{array.Type} {n} = {Field(array.Name)}.Sum();", "OPTG016"));
            choices.Add(() => Add("query", $"{array.Type} {n} = (from {m} in {Field(array.Name)} select {m}).Sum();", "OPTG016"));
            choices.Add(() => Add("array element write", $"{Field(array.Name)}[0] = 1;", "OPTG016"));
            choices.Add(() => Add("bitwise", $"int {n} = {Field(array.Name)}.Length ^ 1;", "OPTG016"));
            choices.Add(() => Add("shift", $"int {n} = {Field(array.Name)}.Length << 1;", "OPTG016"));
            choices.Add(() => Add("whole array", $"var {n} = {Field(array.Name)};", "OPTG015", "OPTG016"));
        }

        if (scalar is not null)
        {
            choices.Add(() => Add("parameter field write", $"{Field(scalar.Name)} = 1;", "OPTG016"));
            choices.Add(() => Add("parameter field compound write", $"this.{scalar.Name} += 1;", "OPTG016"));
        }

        if (_constants.Any(c => c.Code == "NotAParameter"))
        {
            choices.Add(() => Add("field write", $"{(_shadowed.Contains("NotAParameter") ? "this." : string.Empty)}NotAParameter = 1f;", "OPTG016"));
        }

        if (scalarInput is not null)
        {
            choices.Add(() => Add("input write", $"{scalarInput.Name} = 1;", "OPTG016"));
        }

        if (_badHelper is { } bad)
        {
            return new[] { $"var {n} = {bad.Name}({(bad.ParamTypes[0] == "int" ? "1" : "1f")});" };
        }

        string chosen = _r.PickFrom(choices)();
        if (_flaws.Count > 0 && _flaws[^1].Allowed is ["NONE"])
        {
            // Not a flaw after all: inside the subset (constants).
            _flaws.RemoveAt(_flaws.Count - 1);
        }

        return chosen.Split('\n');
    }

    private string? ExpressionFlaw(Scope scope)
    {
        string r = RealAtom(scope);
        (string Code, string What, string[] Allowed) flaw = _r.Pick(
            ($"MathF.Atan({r})", "unknown call", new[] { "OPTG016" }),
            ($"{Wrap(r)} is > 0f ? 1f : 0f", "pattern", new[] { "OPTG016" }),
            ($"checked({r} * 2f)", "checked", new[] { "OPTG016" }),
            ($"{Wrap(r)} % 2f", "float remainder", new[] { "OPTG016" }),
            ($"throw new InvalidOperationException()", "throw expression", new[] { "OPTG016" }),
            ($"new Func<float>(() => 1f)()", "lambda call", new[] { "OPTG016" }));
        _flaws.Add(new Flaw(flaw.What, flaw.Allowed));
        return flaw.Code;
    }

    // ----- running -----

    private string Driver(string self, string ctorArgs, List<ParamInfo> parameters, string lossName)
    {
        var w = new StringBuilder();
        string sampleParams = string.Join(", ", _inputs.Select((p, i) => $"{(p.IsVector ? p.Element + "[]" : p.Element)} __a{i}"));
        string batchParams = string.Join(string.Empty, _inputs.Select((p, i) => $", {p.Element}[] __a{i}"));
        string args = string.Join(", ", _inputs.Select((_, i) => $"__a{i}"));
        bool explicitCount = _inputs.All(p => p.IsVector);
        w.Append($"public static object __FuzzCreate() => new {self}({ctorArgs});\n");
        w.Append($"public double __FuzzLoss({sampleParams}) => {lossName}({args});\n");
        w.Append($"public double __FuzzAccumulate({sampleParams}) => AccumulateGradients({args});\n");
        w.Append($"public double __FuzzStep(int __count{batchParams}) => Step({(explicitCount ? "__count" + (args.Length > 0 ? ", " : string.Empty) : string.Empty)}{args});\n");
        var coordinates = Coordinates(parameters);
        w.Append($"public int __FuzzCoordinates => {coordinates.Count};\n");
        w.Append("public double __FuzzGet(int __c)\n{\n    switch (__c)\n    {\n");
        for (int c = 0; c < coordinates.Count; c++)
        {
            w.Append($"        case {c}: return this.{coordinates[c].Access};\n");
        }

        w.Append("        default: return 0;\n    }\n}\n");
        w.Append("public void __FuzzSet(int __c, double __v)\n{\n    switch (__c)\n    {\n");
        for (int c = 0; c < coordinates.Count; c++)
        {
            w.Append($"        case {c}: this.{coordinates[c].Access} = ({coordinates[c].Type})__v; break;\n");
        }

        w.Append("    }\n}\n");
        w.Append("public double __FuzzGrad(int __c)\n{\n    switch (__c)\n    {\n");
        for (int c = 0; c < coordinates.Count; c++)
        {
            w.Append($"        case {c}: return Grad.{coordinates[c].Access};\n");
        }

        w.Append("        default: return 0;\n    }\n}");
        return w.ToString();
    }

    private static List<(string Access, string Type)> Coordinates(List<ParamInfo> parameters)
    {
        var list = new List<(string, string)>();
        foreach (ParamInfo p in parameters.Where(p => !p.IsArray))
        {
            list.Add((p.Name.Code, p.Type));
        }

        foreach (ParamInfo p in parameters.Where(p => p.IsArray))
        {
            for (int i = 0; i < (p.Length ?? 0); i++)
            {
                list.Add(($"{p.Name.Code}[{i}]", p.Type));
            }
        }

        return list;
    }

    private RunPlan Plan(string source, string metadata, int arity, List<ParamInfo> parameters, Rnd r, bool returnsFloat, bool sum)
    {
        object Sample(Input input) => input.Kind switch
        {
            Kind.Float => (float)r.Value(),
            Kind.Double => r.Value(),
            Kind.Int => r.Int(0, 3),
            Kind.RoSpanD or Kind.ArrD => Enumerable.Range(0, input.Width).Select(_ => r.Value()).ToArray(),
            _ => Enumerable.Range(0, input.Width).Select(_ => (float)r.Value()).ToArray(),
        };

        object[] s1 = _inputs.Select(Sample).ToArray();
        object[] s2 = _inputs.Select(Sample).ToArray();

        static Array Batch(object[] samples, string element)
        {
            var values = new List<object>();
            foreach (object s in samples)
            {
                if (s is Array array)
                {
                    values.AddRange(array.Cast<object>());
                }
                else
                {
                    values.Add(s);
                }
            }

            Array result = Array.CreateInstance(element switch { "double" => typeof(double), "int" => typeof(int), _ => typeof(float) }, values.Count);
            for (int i = 0; i < values.Count; i++)
            {
                result.SetValue(values[i], i);
            }

            return result;
        }

        object[] batch1 = new object[] { 1 }.Concat(_inputs.Select((p, i) => (object)Batch(new[] { s1[i] }, p.Element))).ToArray();
        object[] batch2 = new object[] { 2 }.Concat(_inputs.Select((p, i) => (object)Batch(new[] { s1[i], s2[i] }, p.Element))).ToArray();
        double[] coordinates = Coordinates(parameters).Select(c => c.Type == "float" ? (double)(float)r.Value() : r.Value()).ToArray();
        return new RunPlan
        {
            DriverSource = source,
            MetadataName = metadata,
            GenericArity = arity,
            Sample1 = s1,
            Sample2 = s2,
            Batch1 = batch1,
            Batch2 = batch2,
            Coordinates = coordinates,
            ReturnsFloat = returnsFloat,
            Sum = sum,
            AllDouble = _allDouble && !returnsFloat,
        };
    }
}
