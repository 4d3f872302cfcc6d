using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace OptimizerGen.Generator.Tests;

/// <summary>
/// The README's promise for <c>double</c> fields: the generated rule computes exactly what the user's C# <c>Update</c>
/// computes. 120 random rules (random expressions over the parameter, gradient, a state, hyperparameters, the step, a
/// flag; every element operation, per-element and per-step conditionals, an <c>if</c> on a flag, per-step Math
/// functions) are generated, compiled with the generator, loaded, and run both ways — the user's method by reflection,
/// element by element, and the generated <c>Rule&lt;double&gt;</c> through the runtime's loop over 19 elements (two
/// Vector512 widths and a scalar remainder on this machine) — for 3 steps; every value must agree bit for bit.
/// </summary>
public class RuleSemanticsTests
{
    private const int Rules = 120;
    private const int Length = 19;

    [Fact]
    public void GeneratedRulesComputeWhatTheUserMethodComputes()
    {
        var random = new Random(20261205);
        var source = new StringBuilder("using System;\nusing OptimizerGen;\nnamespace Fuzz;\n");
        for (int i = 0; i < Rules; i++)
        {
            source.Append(RuleSource(i, random));
        }

        var (result, output) = GeneratorHarness.Run(source.ToString());
        Assert.Empty(result.Diagnostics);
        // The random user code may compare a value with itself (CS1718); the generated code must add no warning.
        Assert.Empty(GeneratorHarness.CompilerProblems(output).Where(d => d.Severity == DiagnosticSeverity.Error || d.Location.SourceTree?.FilePath != "/src/File0.cs"));
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Take(5)));

        var context = new AssemblyLoadContext("rules", isCollectible: true);
        try
        {
            image.Position = 0;
            Assembly assembly = context.LoadFromStream(image);
            int compared = 0;
            for (int i = 0; i < Rules; i++)
            {
                compared += Compare(assembly.GetType($"Fuzz.R{i}")!, random, i);
            }

            Assert.True(compared > Rules * Length * 3, $"only {compared} values compared (too many NaNs or throws)");
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>Runs rule <paramref name="type"/> both ways; returns how many values were compared.</summary>
    private static int Compare(Type type, Random random, int index)
    {
        object options = Activator.CreateInstance(type)!;
        MethodInfo update = type.GetMethod("Update", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        Type rule = type.GetNestedType("Rule`1")!.MakeGenericType(typeof(double));
        MethodInfo create = rule.GetMethod("Create")!;
        var state = new OptimizerGen.Rules.UpdateState<double>();
        MethodInfo run = typeof(OptimizerGen.Rules.UpdateState<double>).GetMethod("Update")!.MakeGenericMethod(rule);

        double[] p = Enumerable.Range(0, Length).Select(_ => Draw(random)).ToArray();
        double[] pExpected = (double[])p.Clone();
        double[] mExpected = new double[Length];
        bool[] valid = Enumerable.Repeat(true, Length).ToArray();
        int compared = 0;
        for (long step = 1; step <= 3; step++)
        {
            double[] g = Enumerable.Range(0, Length).Select(_ => Draw(random)).ToArray();
            for (int i = 0; i < Length; i++)
            {
                object[] args = { pExpected[i], g[i], mExpected[i], step };
                try
                {
                    update.Invoke(options, args);
                    (pExpected[i], mExpected[i]) = ((double)args[0], (double)args[2]);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is ArithmeticException)
                {
                    valid[i] = false; // Math.Sign(NaN) throws in C#; the vector Sign gives 0 (documented)
                }
            }

            object coefficients = create.Invoke(null, new[] { options, step, default(GradientClipping) })!;
            run.Invoke(state, new[] { p, g.Clone(), coefficients, 1 });
            for (int i = 0; i < Length; i++)
            {
                if (!valid[i])
                {
                    continue;
                }

                Same(pExpected[i], p[i], $"R{index} step {step} p[{i}]");
                Same(mExpected[i], state.Buffer0![i], $"R{index} step {step} m[{i}]");
                compared += 2;
            }
        }

        return compared;
    }

    private static void Same(double expected, double actual, string what)
    {
        if (!(double.IsNaN(expected) && double.IsNaN(actual)))
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: generated {actual:R}, C# {expected:R}");
        }
    }

    private static double Draw(Random random) => random.Next(6) == 0 ? 0 : Math.Round((random.NextDouble() * 4) - 2, 3);

    private static string RuleSource(int index, Random random)
    {
        string Number() => random.Next(4) switch
        {
            0 => "0.5",
            1 => "2",
            2 => "1e-3",
            _ => (random.NextDouble() * 3).ToString("0.###", CultureInfo.InvariantCulture),
        };

        // A per-step value: hyperparameters, the step, numbers, Math functions.
        string Coefficient(int depth) => depth <= 0 ? random.Next(5) switch { 0 => "A", 1 => "B", 2 => "step", _ => Number() } : random.Next(7) switch
        {
            0 => $"({Coefficient(depth - 1)} + {Coefficient(depth - 1)})",
            1 => $"({Coefficient(depth - 1)} * {Coefficient(depth - 1)})",
            2 => $"Math.Pow(B, step)",
            3 => $"Math.Exp(-A * step)",
            4 => $"(1 - {Coefficient(depth - 1)})",
            5 => $"(Flag ? {Coefficient(depth - 1)} : {Coefficient(depth - 1)})",
            _ => Coefficient(0),
        };

        // An element value: p, g, m, the local u, and every operation of the rule language.
        string Element(int depth, bool withU) => depth <= 0
            ? random.Next(withU ? 5 : 4) switch { 0 => "p", 1 => "g", 2 => "m", 3 => Coefficient(1), _ => "u" }
            : random.Next(14) switch
            {
                0 => $"({Element(depth - 1, withU)} + {Element(depth - 1, withU)})",
                1 => $"({Element(depth - 1, withU)} - {Element(depth - 1, withU)})",
                2 => $"({Element(depth - 1, withU)} * {Element(depth - 1, withU)})",
                3 => $"({Element(depth - 1, withU)} / (Math.Abs({Element(depth - 1, withU)}) + 1))",
                4 => $"-({Element(depth - 1, withU)})",
                5 => $"Math.Sqrt(Math.Abs({Element(depth - 1, withU)}))",
                6 => $"Math.Sign({Element(depth - 1, withU)})",
                7 => $"Math.Min({Element(depth - 1, withU)}, {Element(depth - 1, withU)})",
                8 => $"Math.Max({Element(depth - 1, withU)}, {Element(depth - 1, withU)})",
                9 => $"Math.FusedMultiplyAdd({Element(depth - 1, withU)}, {Element(depth - 1, withU)}, {Element(depth - 1, withU)})",
                10 => $"({Element(depth - 1, withU)} {new[] { ">", "<", ">=", "<=", "==", "!=" }[random.Next(6)]} {Element(depth - 1, withU)} ? {Element(depth - 1, withU)} : {Element(depth - 1, withU)})",
                11 => $"(Flag ? {Element(depth - 1, withU)} : {Element(depth - 1, withU)})",
                12 => $"({Coefficient(1)} * {Element(depth - 1, withU)})",
                _ => $"Math.Abs({Element(depth - 1, withU)})",
            };

        string a = (random.NextDouble() * 0.9).ToString("0.###", CultureInfo.InvariantCulture);
        string b = (random.NextDouble() * 0.9).ToString("0.###", CultureInfo.InvariantCulture);
        string flag = random.Next(2) == 0 ? "true" : "false";
        string op = new[] { "-=", "+=", "=", "*=" }[random.Next(4)];
        return $$"""

            [UpdateRule]
            public partial struct R{{index}}
            {
                public R{{index}}() { }
                public double A { get; init; } = {{a}};
                public double B { get; init; } = {{b}};
                public bool Flag { get; init; } = {{flag}};

                void Update(ref double p, double g, ref double m, long step)
                {
                    double k = {{Coefficient(2)}};
                    double u = {{Element(3, withU: false)}};
                    m = {{Element(3, withU: true)}};
                    if (Flag)
                    {
                        u *= k;
                    }
                    else
                    {
                        u = {{Element(2, withU: true)}};
                    }

                    p {{op}} {{Element(3, withU: true)}};
                }
            }

            """;
    }
}
