using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>A name as written in C# (<see cref="Code"/>, maybe with '@') and as the compiler sees it (<see cref="Value"/>).</summary>
internal sealed record Ident(string Code)
{
    public string Value => Code.TrimStart('@');

    public override string ToString() => Code;
}

/// <summary>A [Param] field the case generator made valid: what a loss may read and the runner may set.</summary>
internal sealed record ParamInfo(Ident Name, bool IsDouble, bool IsArray, int? Length)
{
    public string Type => IsDouble ? "double" : "float";
}

/// <summary>A numeric non-parameter member a loss may read as a constant (value known when <see cref="IntMax"/> is set).</summary>
internal sealed record ConstantInfo(string Code, string Type, int? IntMax, bool Instance = false);

/// <summary>
/// Builds one random model declaration: namespace, containing types, the [Optimize] class with its fields, attributes and
/// members, optionally a [Loss] (see <see cref="LossBuilder"/>), and other classes that misuse the attributes. Every
/// deliberate defect is recorded as a <see cref="Flaw"/> with the diagnostics it may produce.
/// </summary>
internal sealed class CaseBuilder
{
    internal static readonly string[] AnyOptg = Enumerable.Range(1, 20).Where(i => i != 12).Select(i => $"OPTG{i:000}").Append("CS").ToArray();

    private static readonly string[] ReservedNames =
    {
        "Optimizer", "Grad", "Gradients", "ApplyGradients", "StepCount", "ResetOptimizerState", "OptimizerState", "OptimizerStates",
        "SkipNonFiniteGradients", "SkippedSteps", "SaveCheckpoint", "LoadCheckpoint",
    };

    private static readonly string[] FieldNames =
    {
        "W", "B", "V", "U", "W1", "W2", "B1", "B2", "Bias", "Weight", "Gain", "w", "b", "theta", "Alpha", "Beta", "Scale2",
        "x", "y", "i", "s", "k", "grad", "scale", "seed", "loss", "total", "count", "dW", "v0", "v1", "floats", "doubles",
        "branches", "batchSize", "state", "options", "step", "g", "p", "d", "u", "mHat", "variance", "model", "value",
        "@float", "@double", "@class", "@event", "@this", "δ", "Ŵ", "权重", "_", "_w", "W_bar", "s_bar",
    };

    private static readonly string[] OddFieldNames = { "__grad", "__optimizerState", "__floatTape", "__doubleTape", "__branchTape", "__LossWithGradient" };

    private static readonly string[] ClassNames = { "Model", "Net", "Neuron", "Linear", "Regressor", "Mlp", "@class", "Modèle", "M" };

    private static readonly string[] OuterNames = { "Outer", "Zoo", "Container", "Host", "@struct" };

    private static readonly string[] Namespaces = { "Demo", "Company.Models", "A.B.C", "OptimizerGen.Models", "@class", "Ns" };

    private readonly Rnd _r;
    private readonly List<Flaw> _flaws = new();
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fileTypes = new(StringComparer.Ordinal);
    private readonly List<string> _members0 = new();
    private readonly List<string> _secondPart = new();
    private readonly List<string> _fileTail = new();
    private readonly List<ParamInfo> _params = new();
    private readonly List<ConstantInfo> _constants = new();
    private int _paramFields;
    private bool _runnable = true;

    public CaseBuilder(Rnd r)
    {
        _r = r;
        Clean = _r.Chance(0.45);
        Verbatim = _r.Chance(0.06);
        FieldTarget = _r.Chance(0.02);
    }

    /// <summary>Whether this case may use @keyword identifiers (rare, so the other features get tested too).</summary>
    internal bool Verbatim { get; }

    /// <summary>A clean case gets no deliberate defect (about half of the cases), so valid models are well covered.</summary>
    internal bool Clean { get; }

    /// <summary>A chance of putting a defect in: zero in a clean case.</summary>
    private bool Defect(double p) => !Clean && _r.Chance(p);

    private bool FieldTarget { get; }

    private IReadOnlyList<string> Pool(IReadOnlyList<string> pool) => Verbatim ? pool : pool.Where(n => !n.StartsWith('@')).ToList();

    private void Flaw(string what, params string[] allowed) => _flaws.Add(new Flaw(what, allowed));

    private void Edge(string what)
    {
        _flaws.Add(new Flaw(what, null));
        _runnable = false;
    }

    private string Unique(IReadOnlyList<string> pool, HashSet<string> taken)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            string name = _r.PickFrom(pool);
            if (taken.Add(name.TrimStart('@')))
            {
                return name;
            }
        }

        for (int n = 0; ; n++)
        {
            if (taken.Add("F" + n))
            {
                return "F" + n;
            }
        }
    }

    public FuzzCase Build()
    {
        // ----- where the class lives -----
        int namespaceMode = _r.Pick(0, 0, 1, 1, 2, 2, 3);   // none, block, file-scoped, nested blocks
        string ns = _r.PickFrom(Pool(Namespaces));
        if (namespaceMode == 3 && ns.Contains('.', StringComparison.Ordinal) is false)
        {
            ns = "Outer" + ns.TrimStart('@') + "." + ns;
        }

        var containers = new List<(string Keyword, string Name, string TypeParams, bool Partial)>();
        int containerCount = _r.Pick(0, 0, 0, 1, 1, 2);
        for (int c = 0; c < containerCount; c++)
        {
            string keyword = _r.Pick("class", "class", "class", "struct", "record", "record struct", "static class", "interface", "sealed class");
            string name = _r.Chance(0.1) ? _r.PickFrom(Pool(OuterNames)) : OuterNames[c];
            if (containers.Any(x => x.Name.TrimStart('@') == name.TrimStart('@')))
            {
                name = "Outer" + c;
            }

            string outerTypeParams = keyword != "interface" && _r.Chance(0.2) ? (c == 0 ? "<TOuter>" : "<TKey, TValue>") : string.Empty;
            bool partial = !Defect(0.06);
            if (!partial)
            {
                Flaw($"containing {keyword} {name} is not partial", "OPTG002");
            }

            containers.Add((keyword, name, outerTypeParams, partial));
        }

        // ----- the class itself -----
        string className = _r.PickFrom(Pool(ClassNames));
        if (containers.Any(x => x.Name.TrimStart('@') == className.TrimStart('@')))
        {
            className = "Inner";
        }

        if (Defect(0.02))
        {
            className = _r.Pick("Gradients", "OptimizerStates", "Optimizer", "Grad");
            Edge($"class named {className}, like a generated member");
        }

        _members.Add(className.TrimStart('@'));
        _fileTypes.Add(className.TrimStart('@'));
        foreach (var c in containers)
        {
            _fileTypes.Add(c.Name.TrimStart('@'));
        }

        string classKeyword = Clean
            ? _r.Pick("class", "class", "class", "class", "sealed class", "abstract class")
            : _r.Pick("class", "class", "class", "class", "sealed class", "record", "record class", "abstract class");
        bool isStruct = false;
        bool isStatic = false;
        if (Defect(0.05))
        {
            classKeyword = _r.Pick("struct", "record struct", "interface", "static class");
            if (classKeyword == "static class")
            {
                isStatic = true;
                Flaw("static [Optimize] class", "OPTG011", "OPTG005", "CS");
            }
            else
            {
                isStruct = true;
                Flaw($"[Optimize] on a {classKeyword}", AnyOptg);
            }
        }

        if (classKeyword is "abstract class")
        {
            _runnable = false;
        }

        if (classKeyword.StartsWith("record", StringComparison.Ordinal))
        {
            // OPTG021: a record's copies and equality would share or compare the optimizer state.
            Flaw("[Optimize] record", "OPTG021");
        }

        string classModifier = classKeyword.StartsWith("sealed ", StringComparison.Ordinal) ? "sealed " : classKeyword.StartsWith("abstract ", StringComparison.Ordinal) ? "abstract " : classKeyword.StartsWith("static ", StringComparison.Ordinal) ? "static " : string.Empty;
        string kindKeyword = classKeyword[classModifier.Length..];
        bool partialClass = !Defect(0.06);
        if (!partialClass)
        {
            Flaw("class not partial", "OPTG001");
        }

        string access = containers.Count == 0
            ? _r.Pick("public ", "internal ", string.Empty)
            : _r.Pick("public ", "internal ", "private ", string.Empty);
        if (containers.Count > 0 && containers[^1].Keyword == "interface" && access == "private ")
        {
            access = "public ";
        }

        bool fileLocal = false;
        if (containers.Count == 0 && Defect(0.02))
        {
            access = "file ";
            fileLocal = true;
            Edge("file-local [Optimize] class");
        }

        string typeParams = string.Empty, constraints = string.Empty;
        int ownArity = 0;
        if (!isStruct && _r.Chance(0.15))
        {
            (typeParams, constraints, ownArity) = _r.Pick(("<T>", string.Empty, 1), ("<T, U>", string.Empty, 2), ("<TFloat>", " where TFloat : struct", 1), ("<T>", " where T : notnull", 1));
        }

        foreach (string typeParameter in typeParams.Trim('<', '>').Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            _members.Add(typeParameter);
        }

        string primaryCtor = string.Empty, ctorArgs = string.Empty;
        if (!isStruct && !isStatic && classKeyword != "interface" && _r.Chance(0.1))
        {
            (primaryCtor, ctorArgs) = classKeyword.StartsWith("record", StringComparison.Ordinal)
                ? ("(float Init)", "1.5f")
                : ("(float init)", "1.5f");
            if (classKeyword.StartsWith("record", StringComparison.Ordinal))
            {
                _members.Add("Init");
            }
        }

        // ----- the [Optimize] attribute -----
        // Half the cases RMSprop, the others one of the family (each emitted through RuleEmitter).
        string kind = _r.Pick("RmsProp", "RmsProp", "RmsProp", "RmsProp", "RmsProp", "Sgd", "AdaGrad", "AdaDelta", "Adam", "AdamW");
        string optimizer = _r.Pick($"Optimize(typeof({kind}))", $"Optimize(typeof({kind}))", $"Optimize(typeof({kind}))", $"OptimizerGen.Optimize(typeof(OptimizerGen.{kind}))",
            $"OptimizeAttribute(typeof({kind}))", $"global::OptimizerGen.Optimize(typeof(global::OptimizerGen.{kind}))", $"Optimize(optimizer: typeof({kind}))");
        if (Defect(0.05))
        {
            switch (_r.Int(0, 4))
            {
                case 0:
                    optimizer = "Optimize(typeof(MyOptimizer))";
                    _fileTail.Add("public sealed class MyOptimizer { }");
                    Flaw("unknown optimizer MyOptimizer", "OPTG006");
                    break;
                case 1:
                    optimizer = "Optimize(typeof(int))";
                    Flaw("typeof(int) as optimizer", "OPTG006");
                    break;
                case 2:
                    optimizer = "Optimize(typeof(MissingOptimizer))";
                    Flaw("optimizer type does not exist", "CS");
                    break;
                case 3:
                    optimizer = "Optimize(null!)";
                    Flaw("null optimizer type", "OPTG006", "CS");
                    break;
                default:
                    optimizer = "Optimize(typeof(System.Collections.Generic.List<>))";
                    Flaw("open generic optimizer type", "OPTG006");
                    break;
            }
        }

        // A fifth of the cases set the guard option, either way (without the guard every member is emitted without it).
        if (_r.Pick(0, 0, 0, 0, 1) == 1)
        {
            optimizer = optimizer.Substring(0, optimizer.Length - 1) + _r.Pick(", DetectConcurrentUse = false)", ", DetectConcurrentUse = true)");
        }

        // ----- fields -----
        int declarations = _r.Pick(0, 1, 1, 2, 2, 2, 3, 3, 4, 5);
        for (int f = 0; f < declarations; f++)
        {
            AddField(ownArity > 0);
        }

        if (_paramFields == 0 && (Clean || _r.Chance(0.8)))
        {
            AddField(ownArity > 0, forceParam: true);
        }

        if (_paramFields == 0)
        {
            Flaw("no [Param] field", "OPTG003", "CS");
        }

        AddOtherMembers(isStatic);
        bool wantLoss = !isStatic && _r.Chance(0.65);
        AddClashes(wantLoss, classKeyword.StartsWith("record", StringComparison.Ordinal) || isStruct || isStatic);

        bool usingStatic = _r.Chance(0.1);

        // ----- the loss -----
        LossBuilder.Result? loss = null;
        if (wantLoss)
        {
            loss = new LossBuilder(_r, _params, _constants, _members, _flaws) { UsingStaticActivation = usingStatic, Verbatim = Verbatim, Clean = Clean }.Build();
            _members0.AddRange(loss.Members);
            if (loss.SecondLoss is not null)
            {
                _members0.Add(loss.SecondLoss);
            }
        }
        else if (!isStatic && _r.Chance(0.05))
        {
            // Helpers without a loss are harmless.
            _members0.Add("[Differentiable] private static float Helper(float a) => a * a;");
            _members.Add("Helper");
        }

        // Split the class over two partial declarations.
        bool split = partialClass && !isStruct && _members0.Count > 1 && _r.Chance(0.15);
        if (split)
        {
            int move = _r.Int(1, _members0.Count - 1);
            _secondPart.AddRange(_members0.Skip(move));
            _members0.RemoveRange(move, _members0.Count - move);
            if (Defect(0.1))
            {
                Flaw("[Optimize] on both partial declarations", "CS", "OPTG007");
            }
        }

        // ----- other classes in the file -----
        int optimizeClasses = isStruct ? 0 : 1;
        var extraTypes = new List<string>();
        if (Defect(0.12))
        {
            extraTypes.Add(MisuseClass());
        }

        if (!isStruct && !isStatic && !fileLocal && typeParams.Length == 0 && containers.Count == 0 && Defect(0.03))
        {
            string derived = "Derived" + className.TrimStart('@');
            extraTypes.Add($"[Optimize(typeof(RmsProp))]\npublic partial class {derived} : {className}{primaryCtor.Replace("float init", "1f").Replace("float Init", "1f")}\n{{\n    [Param] public float Extra;\n}}");
            Edge("[Optimize] class derived from another [Optimize] class");
            if (classKeyword.Contains("sealed", StringComparison.Ordinal) || classKeyword.StartsWith("record", StringComparison.Ordinal))
            {
                Flaw("derived from a sealed class or a record", "CS", "OPTG007");
            }

            optimizeClasses++;
        }

        if (_r.Chance(0.08))
        {
            string other = _r.Chance(0.4) ? SwapCase(className.TrimStart('@')) : "Extra" + _r.Int(0, 9);
            if (_fileTypes.Add(other))
            {
                extraTypes.Add($"[Optimize(typeof(RmsProp))]\npublic partial class {other}\n{{\n    [Param] public double[] P = new double[2];\n    [Param] public float Q;\n}}");
                optimizeClasses++;   // a name differing only in case from the first class is valid C#
            }
        }

        if (isStatic || isStruct)
        {
            _runnable = false;
        }

        // ----- render -----
        var w = new Writer();
        w.Line("using System;");
        w.Line("using System.Linq;");
        w.Line("using OptimizerGen;");
        if (usingStatic)
        {
            w.Line("using static OptimizerGen.Activation;");
        }

        w.Line("using Real = System.Single;");
        w.Line("using Vec = double[];");
        w.Line();

        RenderClass render = (driver) =>
        {
            var body = new Writer();
            RenderNamespaceAndContainers(body, namespaceMode, ns, containers, inner =>
            {
                inner.Line($"[{optimizer}]");
                string header = $"{access}{classModifier}{(partialClass ? "partial " : string.Empty)}{kindKeyword} {className}{typeParams}{primaryCtor}{BaseList()}{constraints}";

                inner.Line(header);
                inner.Block(() =>
                {
                    foreach (string member in _members0)
                    {
                        inner.Lines(member);
                        inner.Line();
                    }
                });
                if (_secondPart.Count > 0)
                {
                    inner.Line();
                    if (_flaws.Any(f => f.What.StartsWith("[Optimize] on both", StringComparison.Ordinal)))
                    {
                        inner.Line($"[{optimizer}]");
                    }

                    inner.Line($"{(access == "file " ? "file " : string.Empty)}partial {kindKeyword} {className}{typeParams}");
                    inner.Block(() =>
                    {
                        foreach (string member in _secondPart)
                        {
                            inner.Lines(member);
                            inner.Line();
                        }
                    });
                }

                if (driver is not null)
                {
                    inner.Line();
                    inner.Line($"partial {kindKeyword} {className}{typeParams}");
                    inner.Block(() => inner.Lines(driver));
                }
            });
            foreach (string extra in extraTypes)
            {
                if (namespaceMode == 2)
                {
                    body.Line();
                    body.Lines(extra);
                }
            }

            return body.ToString();
        };

        string Tail()
        {
            var tail = new Writer();
            if (namespaceMode != 2)
            {
                foreach (string extra in extraTypes)
                {
                    tail.Line();
                    tail.Lines(extra);
                }
            }

            foreach (string t in _fileTail)
            {
                tail.Line();
                tail.Lines(t);
            }

            return tail.ToString();
        }

        string head = w.ToString();
        string source = head + render(null) + Tail();

        RunPlan? run = null;
        if (loss is not null && _flaws.Count == 0 && _runnable && loss.Runnable && optimizeClasses >= 1)
        {
            var metadata = new StringBuilder();
            if (namespaceMode != 0)
            {
                metadata.Append(ns.Replace("@", string.Empty, StringComparison.Ordinal)).Append('.');
            }

            int arity = ownArity;
            foreach (var c in containers)
            {
                int n = c.TypeParams.Length == 0 ? 0 : c.TypeParams.Count(ch => ch == ',') + 1;
                arity += n;
                metadata.Append(c.Name.TrimStart('@')).Append(n > 0 ? "`" + n : string.Empty).Append('+');
            }

            metadata.Append(className.TrimStart('@')).Append(ownArity > 0 ? "`" + ownArity : string.Empty);
            string self = className + typeParams;
            string driver = loss.Driver(self, ctorArgs, _params);
            run = loss.Plan(head + render(driver) + Tail(), metadata.ToString(), arity, _params, _r);
        }

        return new FuzzCase
        {
            Source = source,
            Flaws = _flaws.ToList(),
            OptimizeClasses = optimizeClasses,
            Run = run,
        };
    }

    private delegate string RenderClass(string? driver);

    private string _baseList = string.Empty;

    private string BaseList() => _baseList;

    private static string SwapCase(string name) =>
        char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : char.ToUpperInvariant(name[0]) + name[1..];

    private static void RenderNamespaceAndContainers(Writer w, int mode, string ns, List<(string Keyword, string Name, string TypeParams, bool Partial)> containers, Action<Writer> inner)
    {
        void Containers(int index)
        {
            if (index == containers.Count)
            {
                inner(w);
                return;
            }

            var c = containers[index];
            string access = index == 0 ? "public " : string.Empty;
            string modifier = c.Keyword.StartsWith("static ", StringComparison.Ordinal) ? "static " : c.Keyword.StartsWith("sealed ", StringComparison.Ordinal) ? "sealed " : string.Empty;
            w.Line($"{access}{modifier}{(c.Partial ? "partial " : string.Empty)}{c.Keyword[modifier.Length..]} {c.Name}{c.TypeParams}");
            w.Block(() => Containers(index + 1));
        }

        switch (mode)
        {
            case 1:
                w.Line($"namespace {ns}");
                w.Block(() => Containers(0));
                break;
            case 2:
                w.Line($"namespace {ns};");
                w.Line();
                Containers(0);
                break;
            case 3:
                int dot = ns.IndexOf('.', StringComparison.Ordinal);
                w.Line($"namespace {ns[..dot]}");
                w.Block(() =>
                {
                    w.Line($"namespace {ns[(dot + 1)..]}");
                    w.Block(() => Containers(0));
                });
                break;
            default:
                Containers(0);
                break;
        }
    }

    // ----- fields -----

    private void AddField(bool generic, bool forceParam = false)
    {
        int role = forceParam ? 0 : Clean ? _r.Pick(0, 0, 0, 0, 0, 0, 1, 3) : _r.Pick(0, 0, 0, 0, 0, 0, 1, 2, 3);   // 0 param, 1 param+exclude, 2 exclude only, 3 plain numeric field
        bool isDouble = _r.Chance(0.4);
        bool isArray = _r.Chance(0.45);
        string element = isDouble ? "double" : "float";
        string type = isArray
            ? _r.Pick($"{element}[]", $"{element}[]", $"{element}[]", isDouble ? "Double[]" : "Single[]", $"{element}[]?", isDouble ? "Vec" : "float[]", isDouble ? "global::System.Double[]" : "System.Single[]")
            : _r.Pick(element, element, element, isDouble ? "Double" : "Single", isDouble ? "System.Double" : "Real", isDouble ? "global::System.Double" : "float");
        bool supported = true;

        if (role <= 1 && Defect(0.07))
        {
            supported = false;
            string bad = _r.Pick("int", "long", "decimal", "System.Half", "float?", "double?", "float[,]", "double[][]", "object", "string", "System.Collections.Generic.List<float>", "System.Numerics.Vector2", "nint", "MissingType", generic ? "T" : "byte", "Real?");
            type = bad;
            Flaw($"[Param] of type {bad}", bad == "MissingType" ? new[] { "CS" } : new[] { "OPTG004", "CS" });
        }

        string access = _r.Pick("public ", "public ", "private ", "internal ", string.Empty, "protected ", "protected internal ");
        string modifiers = string.Empty;
        bool badModifier = false;
        if (role <= 1 && Defect(0.07))
        {
            badModifier = true;
            modifiers = _r.Pick("static ", "readonly ", "const ", "volatile ", "static readonly ");
            Flaw($"[Param] field is {modifiers.Trim()}", "OPTG005", "CS");
        }

        int declarators = _r.Chance(0.15) ? _r.Int(2, 3) : 1;
        int? length = isArray ? _r.Int(1, 6) : null;
        string? shapeText = null;
        string shapeFlaw = string.Empty;
        bool useConstShape = false;

        if (role <= 1 && supported && isArray && _r.Chance(0.35))
        {
            int l = length!.Value;
            var divisors = Enumerable.Range(1, l).Where(d => l % d == 0).ToList();
            int rows = _r.PickFrom(divisors);
            shapeText = _r.Pick($"({rows}, {l / rows})", $"({l})", $"(1, {rows}, {l / rows})", $"(new[] {{ {rows}, {l / rows} }})");
            if (_r.Chance(0.2) && _members.Add("Rows" + _paramFields) && _members.Add("Cols" + _paramFields))
            {
                useConstShape = true;
                _members0.Add($"private const int Rows{_paramFields} = {rows}, Cols{_paramFields} = {l / rows};");
                shapeText = $"(Rows{_paramFields}, Cols{_paramFields})";
            }
        }

        if (role <= 1 && supported && Defect(0.06))
        {
            int l = length ?? 3;
            (shapeText, shapeFlaw) = _r.Pick(
                ($"({l + 1}, 1)", "shape disagrees with the array"),
                ("(0, 3)", "zero dimension"),
                ("(-2, 3)", "negative dimension"),
                ("(65536, 65536)", "shape too large"),
                ("(2, 3)", isArray ? "shape disagrees with the array" : "shape on a scalar"));
            if (shapeFlaw == "shape disagrees with the array" && isArray && l == 6)
            {
                shapeText = "(7)";
            }

            useConstShape = false;
            Flaw($"[Param{shapeText}]: {shapeFlaw}", "OPTG010");
            if (!isArray && shapeFlaw != "shape on a scalar")
            {
                Flaw("shape on a scalar", "OPTG010");
            }
        }

        string attribute = role switch
        {
            0 => _r.Pick("[Param]", "[Param]", "[Param]", "[ParamAttribute]", "[OptimizerGen.Param]", "[Param()]", "[global::OptimizerGen.ParamAttribute]") is var p && shapeText is not null
                ? (p.EndsWith("()]", StringComparison.Ordinal) ? "[Param" : p.TrimEnd(']')) + shapeText + "]"
                : _r.Pick("[Param]", "[Param]", "[ParamAttribute]", "[OptimizerGen.Param]", "[Param()]"),
            1 => _r.Pick($"[Param{shapeText}, ExcludeFromWeightDecay]", $"[ExcludeFromWeightDecay, Param{shapeText}]", $"[Param{shapeText}]\n[ExcludeFromWeightDecay]"),
            2 => "[ExcludeFromWeightDecay]",
            _ => string.Empty,
        };
        if (attribute == "[Param()]" && shapeText is not null)
        {
            attribute = "[Param" + shapeText + "]";
        }

        if (role == 2)
        {
            Flaw("[ExcludeFromWeightDecay] without [Param]", "OPTG009");
        }

        var names = new List<string>();
        var inits = new List<string?>();
        for (int d = 0; d < declarators; d++)
        {
            string name = Unique(Pool(FieldNames), _members);
            if (_r.Chance(0.01))
            {
                string odd = _r.Pick(OddFieldNames);
                if (_members.Add(odd))
                {
                    name = odd;
                    Edge($"field named {odd} (a name OptimizerGen uses internally; '__' names are reserved by C#)");
                }
            }

            names.Add(name);
            string? init = null;
            if (isArray && supported)
            {
                int l = length!.Value;
                string lit(int k) => isDouble ? (0.25 * (k + 1)).ToString(CultureInfo.InvariantCulture) + (_r.Chance(0.5) ? "d" : string.Empty) : (0.25 * (k + 1)).ToString(CultureInfo.InvariantCulture) + "f";
                string items = string.Join(", ", Enumerable.Range(0, l).Select(lit));
                init = useConstShape
                    ? $"new {element}[{shapeText!.Trim('(', ')').Replace(", ", " * ", StringComparison.Ordinal)}]"
                    : _r.Pick($"new {element}[{l}]", $"new {element}[] {{ {items} }}", $"[{items}]", $"new[] {{ {items.Replace("d,", ",", StringComparison.Ordinal)} }}".Replace("new[] { 0.25,", "new[] { 0.25d,", StringComparison.Ordinal), $"new {element}[{l}]");
                if (!isDouble && init.StartsWith("new[]", StringComparison.Ordinal))
                {
                    init = $"new[] {{ {items} }}";
                }

                if (isDouble && init.StartsWith("new[]", StringComparison.Ordinal))
                {
                    init = $"new[] {{ {string.Join(", ", Enumerable.Range(0, l).Select(k => (0.25 * (k + 1)).ToString("0.00", CultureInfo.InvariantCulture)))} }}";
                }

                if (_r.Chance(0.06) && !badModifier && shapeFlaw.Length == 0)
                {
                    init = null;   // left null: valid for the generator, throws at run time
                    _runnable = false;
                }
            }
            else if (!isArray && supported && _r.Chance(0.5))
            {
                init = isDouble ? _r.Pick("0.5", "-1", "1e-3", "2d", "0.125d") : _r.Pick("0.5f", "-1f", "1", "2e-1f", "0.75f");
            }
            else if (modifiers.Contains("const", StringComparison.Ordinal))
            {
                init = supported && !isArray ? (isDouble ? "1d" : "1f") : "default!";
            }

            inits.Add(init);
        }

        string decl = string.Join(", ", names.Select((n, i) => inits[i] is null ? n : $"{n} = {inits[i]}"));
        _members0.Add($"{(attribute.Length > 0 ? attribute + " " : string.Empty)}{access}{modifiers}{type} {decl};".Replace("]\n[ExcludeFromWeightDecay] ", "]\n[ExcludeFromWeightDecay]\n", StringComparison.Ordinal));

        if (role <= 1)
        {
            _paramFields += declarators;
            if (supported && !badModifier && shapeFlaw.Length == 0)
            {
                for (int i = 0; i < names.Count; i++)
                {
                    _params.Add(new ParamInfo(new Ident(names[i]), isDouble, isArray, inits[i] is null ? null : length));
                }
            }
        }
        else if (role == 3 && supported && !isArray)
        {
            foreach (string n in names)
            {
                _constants.Add(new ConstantInfo(n, element, null, Instance: true));
            }
        }
    }

    private void AddOtherMembers(bool staticClass)
    {
        if (_r.Chance(0.3) && _members.Add("Scale"))
        {
            _members0.Add("private const float Scale = 0.5f;");
            _constants.Add(new ConstantInfo("Scale", "float", null));
        }

        if (_r.Chance(0.2) && _members.Add("Shift"))
        {
            _members0.Add("private static readonly double Shift = 0.25;");
            _constants.Add(new ConstantInfo("Shift", "double", null));
        }

        if (_r.Chance(0.25) && _members.Add("Hidden"))
        {
            _members0.Add("public const int Hidden = 3;");
            _constants.Add(new ConstantInfo("Hidden", "int", 3));
        }

        if (!staticClass && _r.Chance(0.2) && _members.Add("NotAParameter"))
        {
            _members0.Add("public float NotAParameter = 0.5f;");
            _constants.Add(new ConstantInfo("NotAParameter", "float", null, Instance: true));
        }

        if (FieldTarget)
        {
            if (_members.Add("Prop"))
            {
                _members0.Add("[field: Param] public float Prop { get; set; }");
                Edge("[field: Param] on an auto-property");
            }
        }

        if (Defect(0.03) && _members.Add("Prop2"))
        {
            _members0.Add("[Param] public float Prop2 { get; set; }");
            Flaw("[Param] on a property", "CS");
        }

        if (Defect(0.04) && _members.Add("Nested"))
        {
            _members0.Add("public struct Nested\n{\n    [Param] public float Inner;\n}");
            Flaw("[Param] in a nested struct without [Optimize]", "OPTG008");
        }
    }

    private void AddClashes(bool wantLoss, bool noBase)
    {
        if (Defect(0.06))
        {
            string name = _r.Chance(0.25) ? _r.Pick("Step", "AccumulateGradients") : _r.Pick(ReservedNames);
            if (_members.Add(name))
            {
                string member = _r.Pick(
                    $"public void {name}() {{ }}",
                    $"private int {name};",
                    $"public double {name} {{ get; set; }}",
                    $"public class {name} {{ }}",
                    $"internal static void {name}(int unused) {{ }}");
                _members0.Add(member);
                bool lossOnly = name is "Step" or "AccumulateGradients";
                if (!lossOnly)
                {
                    Flaw($"member named {name}", "OPTG007");
                }
                else if (wantLoss)
                {
                    Flaw($"member named {name} next to a [Loss]", "OPTG007");
                }
            }
        }

        if (Defect(0.05))
        {
            string name = _r.Chance(0.3) ? _r.Pick("Step", "AccumulateGradients") : _r.Pick(ReservedNames);
            string visibility = _r.Pick("public", "protected", "private", "internal");
            string baseName = "Base" + _r.Int(0, 9);
            _fileTypes.Add(baseName);
            _fileTail.Add($"public class {baseName}\n{{\n    {visibility} void {name}() {{ }}\n}}");
            if (noBase)
            {
                _fileTail.RemoveAt(_fileTail.Count - 1);
                return;
            }

            _baseList = " : " + baseName;
            bool lossOnly = name is "Step" or "AccumulateGradients";
            if (visibility != "private" && (!lossOnly || wantLoss))
            {
                Flaw($"base class has a {visibility} member named {name}", "OPTG007");
            }
        }
    }

    private string MisuseClass()
    {
        string name = "Plain" + _r.Int(0, 9);
        var lines = new List<string> { $"public partial class {name}", "{" };
        int kind = _r.Int(0, 3);
        switch (kind)
        {
            case 0:
                lines.Add("    [Param] public float W;");
                Flaw("[Param] outside an [Optimize] class", "OPTG008");
                break;
            case 1:
                lines.Add("    [Loss] public float L(float x) => x * x;");
                Flaw("[Loss] outside an [Optimize] class", "OPTG019");
                break;
            case 2:
                lines.Add("    [Differentiable] public static float H(float x) => x * x;");
                Flaw("[Differentiable] outside an [Optimize] class", "OPTG019");
                break;
            default:
                lines.Add("    [ExcludeFromWeightDecay] public float E;");
                Flaw("[ExcludeFromWeightDecay] outside an [Optimize] class", "OPTG009");
                break;
        }

        lines.Add("}");
        return string.Join("\n", lines);
    }
}

/// <summary>A tiny indented writer for rendering sources.</summary>
internal sealed class Writer
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', 4 * _indent);
        }

        _text.Append(line).Append('\n');
    }

    public void Lines(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Line(line);
        }
    }

    public void Block(Action body)
    {
        Line("{");
        _indent++;
        body();
        _indent--;
        Line("}");
    }

    public override string ToString() => _text.ToString();
}
