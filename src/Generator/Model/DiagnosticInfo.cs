using System.Linq;
using Microsoft.CodeAnalysis;

namespace OptimizerGen.Generator.Model;

/// <summary>A diagnostic to report, in a form that caches (no syntax trees, no symbols).</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs) =>
        new(descriptor, location, messageArgs.ToEquatableArray());

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArgs.Select(static a => (object?)a).ToArray());
}
