using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace OptimizerGen.Runtime;

/// <summary>Checks the generated code runs before a step changes anything. Not meant to be called by hand.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedCodeGuard
{
    /// <summary>Throws for an empty batch passed to <c>Step</c> as <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    public static void ThrowEmptyBatch(string input) =>
        throw new ArgumentException("Step needs at least one sample.", input);

    /// <summary>Throws for a batch input <paramref name="input"/> that does not hold one value per sample.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    public static void ThrowSampleCount(string input, int length, string first, int count) =>
        throw new ArgumentException($"'{input}' has {length} values but '{first}' has {count}: pass one per sample.", input);

    /// <summary>Throws for a batch of vectors <paramref name="input"/> whose length is not a whole number of vectors.</summary>
    /// <exception cref="ArgumentException">Always.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    public static void ThrowVectorBatch(string input, int length, int count) =>
        throw new ArgumentException($"'{input}' has {length} elements, which is not a whole number of vectors for {count} samples.", input);

    /// <summary>The length of parameter <paramref name="field"/>, which must not be null.</summary>
    /// <exception cref="InvalidOperationException">The parameter array is null.</exception>
    public static int ParameterLength<T>([NotNull] T[]? parameter, string field) =>
        parameter?.Length ?? throw new InvalidOperationException(
            $"Parameter '{field}' is null: assign its array before using Grad or ApplyGradients().");

    /// <summary>Checks that parameter <paramref name="field"/> and its gradient exist and have the same length.</summary>
    /// <exception cref="InvalidOperationException">One is null, or the lengths differ.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void CheckArrays<T>([NotNull] T[]? parameter, [NotNull] T[]? gradient, string field)
    {
        // Inline, without a call per step; the messages are built out of line.
        if (parameter is null || gradient is null || gradient.Length != parameter.Length)
        {
            ThrowArrays(parameter, gradient, field);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [DoesNotReturn]
    private static void ThrowArrays<T>(T[]? parameter, T[]? gradient, string field)
    {
        int length = ParameterLength(parameter, field);
        if (gradient is null)
        {
            throw new InvalidOperationException($"Grad.{field} is null: it must be an array as long as '{field}' ({length}).");
        }

        throw new InvalidOperationException(
            $"Grad.{field} has length {gradient.Length}, but parameter '{field}' has length {length}. " +
            $"If '{field}' was replaced by an array of another length, assign Grad.{field} a new array of length {length} and call ResetOptimizerState().");
    }

    /// <summary>Checks that parameter <paramref name="field"/> has the length its declared shape implies.</summary>
    /// <exception cref="InvalidOperationException">The lengths differ.</exception>
    public static void CheckShape<T>(T[] parameter, int length, string field, string shape)
    {
        if (parameter.Length != length)
        {
            throw new InvalidOperationException(
                $"Parameter '{field}' has length {parameter.Length}, but its declared shape {shape} has {length} elements.");
        }
    }
}
