using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Integration.Tests.Conformance;
using OptimizerGen.Integration.Tests.Models;

namespace OptimizerGen.Integration.Tests.Presets;

/// <summary>One parameter field: its name, element type, whether weight decay applies, and its values.</summary>
internal sealed record FieldView(string Name, bool IsFloat32, bool Decays, ISegment Segment);

/// <summary>A generated model as a list of fields plus its generated members.</summary>
internal sealed record ModelView(IReadOnlyList<FieldView> Fields, Action<RmsProp> SetOptimizer, Action ApplyGradients, Func<long> StepCount)
{
    public int Length => Fields.Sum(f => f.Segment.Length);

    /// <summary>Sets the model's generated <c>GradientClipping</c>.</summary>
    public Action<GradientClipping> SetClipping { get; init; } = _ => throw new NotSupportedException("this view has no GradientClipping");

    public static ModelView Of(PresetModel m) => new(
        [
            new("W32", true, true, new ArrayFieldSegment<float>(() => m.W32, () => m.Grad.W32, () => m.OptimizerState.W32)),
            new("S32", true, true, new ScalarFieldSegment<float>(() => m.S32, v => m.S32 = v, () => m.Grad.S32, v => m.Grad.S32 = v, () => m.OptimizerState.S32)),
            new("W64", false, true, new ArrayFieldSegment<double>(() => m.W64, () => m.Grad.W64, () => m.OptimizerState.W64)),
            new("S64", false, true, new ScalarFieldSegment<double>(() => m.S64, v => m.S64 = v, () => m.Grad.S64, v => m.Grad.S64 = v, () => m.OptimizerState.S64)),
            new("B32", true, false, new ArrayFieldSegment<float>(() => m.B32, () => m.Grad.B32, () => m.OptimizerState.B32)),
            new("B64", false, false, new ScalarFieldSegment<double>(() => m.B64, v => m.B64 = v, () => m.Grad.B64, v => m.Grad.B64 = v, () => m.OptimizerState.B64)),
        ],
        o => m.Optimizer = o,
        () => m.ApplyGradients(),
        () => m.StepCount)
    {
        SetClipping = c => m.GradientClipping = c,
    };
}
