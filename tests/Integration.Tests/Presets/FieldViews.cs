using System;
using System.Numerics;
using OptimizerGen.Integration.Tests.Conformance;

namespace OptimizerGen.Integration.Tests.Presets;

/// <summary>Short constructors of <see cref="FieldView"/>s over a generated model's members.</summary>
internal static class FieldViews
{
    public static FieldView Array<T>(string name, Func<T[]> parameter, Func<T[]> gradient, Func<RmsPropState<T>> state, bool decays = true)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(name, typeof(T) == typeof(float), decays, new ArrayFieldSegment<T>(parameter, gradient, state));

    public static FieldView Scalar<T>(string name, Func<T> get, Action<T> set, Func<T> getGradient, Action<T> setGradient, Func<RmsPropScalarState<T>> state, bool decays = true)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(name, typeof(T) == typeof(float), decays, new ScalarFieldSegment<T>(get, set, getGradient, setGradient, state));
}
