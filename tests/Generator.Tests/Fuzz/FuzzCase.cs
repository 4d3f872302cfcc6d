using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;

namespace OptimizerGen.Generator.Tests.Fuzz;

/// <summary>
/// Something the case generator put into a model on purpose that OptimizerGen (or the compiler) must refuse.
/// <paramref name="Allowed"/> lists the OPTG ids that may be reported for it, and "CS" when a compiler error in the
/// user's own code is an acceptable answer; null means "any answer is acceptable" (an edge case whose right answer is
/// open, where only the universal properties are checked: no crash, deterministic, generated code compiles cleanly).
/// </summary>
internal sealed record Flaw(string What, string[]? Allowed)
{
    public override string ToString() => Allowed is null ? What + " (edge)" : What + " -> " + string.Join("|", Allowed);
}

/// <summary>One generated input: the user's file, what is wrong with it on purpose, and how to run it when it is valid.</summary>
internal sealed class FuzzCase
{
    public required string Source { get; init; }

    /// <summary>Deliberate defects and edges; empty for a case that is valid by construction.</summary>
    public required IReadOnlyList<Flaw> Flaws { get; init; }

    /// <summary>How many files OptimizerGen must generate when the case is valid (one per [Optimize] class).</summary>
    public required int OptimizeClasses { get; init; }

    /// <summary>Set for a valid case with a [Loss] that can be instantiated and run.</summary>
    public RunPlan? Run { get; init; }

    public bool IsValid => Flaws.Count == 0;

    public bool HasEdges => Flaws.Any(f => f.Allowed is null);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(IsValid ? "// valid by construction" : "// flaws: " + string.Join("; ", Flaws));
        text.Append(Source);
        return text.ToString();
    }
}

/// <summary>How to run a valid model's generated Step next to the user's own loss (see <see cref="FuzzRunner"/>).</summary>
internal sealed class RunPlan
{
    /// <summary>The case's source with a partial "driver" part added to the [Optimize] class (never shown to the generator).</summary>
    public required string DriverSource { get; init; }

    /// <summary>Reflection name of the [Optimize] class, e.g. <c>Demo.Outer`1+Model</c>.</summary>
    public required string MetadataName { get; init; }

    /// <summary>How many type parameters (its own and its containers') to close with <c>float</c>.</summary>
    public required int GenericArity { get; init; }

    public required object[] Sample1 { get; init; }

    public required object[] Sample2 { get; init; }

    /// <summary>Step's arguments for the batch {Sample1} and for {Sample1, Sample2} (first argument: the count).</summary>
    public required object[] Batch1 { get; init; }

    public required object[] Batch2 { get; init; }

    /// <summary>Start value of every parameter coordinate (scalars, then array elements, in the driver's order).</summary>
    public required double[] Coordinates { get; init; }

    public required bool ReturnsFloat { get; init; }

    public required bool Sum { get; init; }

    /// <summary>Whether every parameter, input and local is double (the finite-difference check is only sharp then).</summary>
    public required bool AllDouble { get; init; }
}

/// <summary>The case generator's source of randomness, drawn from CsCheck's PCG so CsCheck can replay and shrink.</summary>
internal sealed class Rnd
{
    private readonly PCG _pcg;

    public Rnd(PCG pcg) => _pcg = pcg;

    /// <summary>Uniform in [min, max] (both inclusive).</summary>
    public int Int(int min, int max) => min + (int)_pcg.Next((uint)(max - min + 1));

    public bool Chance(double p) => _pcg.Next(1_000_000) < p * 1_000_000;

    public T PickFrom<T>(IReadOnlyList<T> items) => items[Int(0, items.Count - 1)];

    public T Pick<T>(params T[] items) => items[Int(0, items.Length - 1)];

    /// <summary>A "generic" value in [-1.5, 1.5] (never a round number, so no kink of |·|, max or a comparison is hit exactly).</summary>
    public double Value() => ((long)_pcg.Next(3_000_001) - 1_500_000) / 1_000_000.0 + 1e-7 * _pcg.Next(97);
}

/// <summary>The CsCheck generator of cases: draws one <see cref="FuzzCase"/>; its size (for shrinking) is the source length.</summary>
internal sealed class FuzzCaseGen : Gen<FuzzCase>
{
    public override FuzzCase Generate(PCG pcg, Size? min, out Size size)
    {
        FuzzCase fuzzCase = new CaseBuilder(new Rnd(pcg)).Build();
        size = new Size((ulong)fuzzCase.Source.Length);
        return fuzzCase;
    }
}
