using System.Linq;
using Microsoft.CodeAnalysis;

namespace OptimizerGen.Generator.Model;

/// <summary>A diagnostic to report, in a form that caches (no syntax trees, no symbols).</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs) =>
        new(descriptor, location, messageArgs.ToEquatableArray());

    /// <summary>
    /// OPTG012 for an exception the generator caught instead of throwing into the compiler: its type, message and the
    /// innermost stack frame, so a bug report says where it happened.
    /// </summary>
    public static DiagnosticInfo Failure(LocationInfo? location, string className, System.Exception exception)
    {
        string? frame = exception.StackTrace?.Split('\n').Select(static l => l.Trim()).FirstOrDefault(static l => l.Length > 0);
        string text = exception.GetType().Name + ": " + exception.Message + (frame is null ? string.Empty : " " + frame);
        return Create(Diagnostics.DiagnosticDescriptors.GeneratorFailure, location, className, text);
    }

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArgs.Select(static a => (object?)a).ToArray());
}
