using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>
/// Compiles a valid case with its generated code and a small driver part, loads it into a collectible
/// <see cref="AssemblyLoadContext"/> and checks, from the same parameter values and samples:
/// AccumulateGradients(s) and Step({s}) return the user's Loss(s); Step({s1, s2}) returns their mean (or sum);
/// and each gradient coordinate matches a central finite difference of the user's loss (where the loss is smooth).
/// </summary>
internal static class FuzzRunner
{
    /// <summary>OPTG_FUZZ_RUN=0 turns running off (only compilation is checked then).</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("OPTG_FUZZ_RUN") != "0";

    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    public static void Run(RunPlan plan, (string Text, string Path)[] generated, Outcome outcome)
    {
        var trees = new List<(string, string)> { (plan.DriverSource, FuzzOracle.FilePath) };
        trees.AddRange(generated.Select(g => (g.Text, "/generated/" + g.Path)));
        Compilation compilation = FuzzOracle.Compile(trees.ToArray());
        using var stream = new MemoryStream();
        EmitResult emitted = compilation.Emit(stream);
        if (!emitted.Success)
        {
            outcome.Problems.Add(new Problem("[fuzzer] driver does not compile", string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5))));
            return;
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext("fuzz", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(stream);
            Type type = assembly.GetType(plan.MetadataName, throwOnError: true)!;
            if (plan.GenericArity > 0)
            {
                type = type.MakeGenericType(Enumerable.Repeat(typeof(float), plan.GenericArity).ToArray());
            }

            outcome.Ran = true;
            Check(type, plan, outcome);
        }
        finally
        {
            context.Unload();
        }
    }

    private static void Check(Type type, RunPlan plan, Outcome outcome)
    {
        List<Problem> problems = outcome.Problems;
        MethodInfo create = type.GetMethod("__FuzzCreate", Any)!;

        object Fresh()
        {
            object model = create.Invoke(null, null)!;
            for (int c = 0; c < plan.Coordinates.Length; c++)
            {
                Call(model, "__FuzzSet", c, plan.Coordinates[c]);
            }

            return model;
        }

        static object? Call(object target, string method, params object[] args)
        {
            try
            {
                return target.GetType().GetMethod(method, Any)!.Invoke(target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }

        double? Try(string what, Func<double> f)
        {
            try
            {
                return f();
            }
            catch (Exception e)
            {
                problems.Add(new Problem($"{what} threw {e.GetType().Name}", e.ToString()));
                return null;
            }
        }

        // The user's loss, as written, is the reference.
        double? l1 = Try("[fuzzer] the user's loss", () => (double)Call(Fresh(), "__FuzzLoss", plan.Sample1)!);
        double? l2 = Try("[fuzzer] the user's loss", () => (double)Call(Fresh(), "__FuzzLoss", plan.Sample2)!);
        if (l1 is null || l2 is null)
        {
            return;
        }

        object accumulator = Fresh();
        double? accumulated = Try("AccumulateGradients", () => (double)Call(accumulator, "__FuzzAccumulate", plan.Sample1)!);
        if (accumulated is { } a && !Same(a, l1.Value))
        {
            problems.Add(new Problem("AccumulateGradients returns another loss than the user's", $"user Loss: {l1:R}, AccumulateGradients: {a:R}"));
        }

        double? step1 = Try("Step", () => (double)Call(Fresh(), "__FuzzStep", plan.Batch1)!);
        if (step1 is { } s1 && !Same(s1, l1.Value))
        {
            problems.Add(new Problem("Step returns another loss than the user's", $"batch of one: user Loss: {l1:R}, Step: {s1:R}"));
        }

        double expected2 = plan.ReturnsFloat
            ? (plan.Sum ? (float)l1.Value + (float)l2.Value : ((float)l1.Value + (float)l2.Value) / 2f)
            : (plan.Sum ? l1.Value + l2.Value : (l1.Value + l2.Value) / 2d);
        double? step2 = Try("Step", () => (double)Call(Fresh(), "__FuzzStep", plan.Batch2)!);
        if (step2 is { } s2 && !Same(s2, expected2))
        {
            problems.Add(new Problem("Step returns another batch loss than the user's", $"batch of two ({(plan.Sum ? "sum" : "mean")}): expected {expected2:R} from the user's losses {l1:R} and {l2:R}, Step: {s2:R}"));
        }

        if (accumulated is null || problems.Count > 0)
        {
            return;
        }

        // Gradient against central finite differences of the user's loss.
        int coordinates = plan.Coordinates.Length;
        object probe = Fresh();
        double Loss()
        {
            return (double)Call(probe, "__FuzzLoss", plan.Sample1)!;
        }

        bool sharp = plan.AllDouble;
        for (int c = 0; c < Math.Min(coordinates, 12); c++)
        {
            double g = (double)Call(accumulator, "__FuzzGrad", c)!;
            double p = plan.Coordinates[c];
            double FiniteDifference(double h)
            {
                Call(probe, "__FuzzSet", c, p + h);
                double up = (double)Call(probe, "__FuzzGet", c)!;
                double fUp = Loss();
                Call(probe, "__FuzzSet", c, p - h);
                double down = (double)Call(probe, "__FuzzGet", c)!;
                double fDown = Loss();
                Call(probe, "__FuzzSet", c, p);
                return up == down ? double.NaN : (fUp - fDown) / (up - down);
            }

            double f0 = Loss();
            if (!double.IsFinite(g) || !double.IsFinite(f0) || Math.Abs(f0) > 1e6 || Math.Abs(g) > 1e6)
            {
                continue;
            }

            double h = (sharp ? 1e-5 : 1e-2) * Math.Max(1, Math.Abs(p));
            double fd = FiniteDifference(h);
            if (!double.IsFinite(fd))
            {
                continue;
            }

            outcome.GradientChecks++;
            double relative = sharp ? 1e-4 : 3e-2;
            double absolute = (sharp ? 1e-6 : 1e-3) * (1 + Math.Abs(f0));
            bool Close(double x, double y) => Math.Abs(x - y) <= relative * (Math.Abs(x) + Math.Abs(y)) + absolute;
            if (Close(g, fd))
            {
                continue;
            }

            // Only a difference that does not depend on h is a wrong gradient; otherwise the loss is not smooth here.
            double fdSmall = FiniteDifference(h / 4);
            if (double.IsFinite(fdSmall) && Close(fd, fdSmall) && !Close(g, fdSmall))
            {
                problems.Add(new Problem("gradient differs from finite differences", $"coordinate {c} (value {p:R}): generated gradient {g:R}, finite differences {fd:R} (h = {h:R}) and {fdSmall:R} (h/4); loss {f0:R}"));
            }
        }
    }

    /// <summary>Equal values, or both NaN.</summary>
    private static bool Same(double x, double y) => x.Equals(y) || (double.IsNaN(x) && double.IsNaN(y));
}
