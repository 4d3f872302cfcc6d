using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Reflection;
using OptimizerGen.Integration.Tests.Models;

namespace OptimizerGen.Integration.Tests.Conformance;

/// <summary>The RMSprop state buffers, by PyTorch's names.</summary>
internal enum StateBuffer
{
    SquareAvg,
    GradAvg,
    MomentumBuffer,
}

/// <summary>One parameter field of a model seen as a run of doubles (a scalar is a run of one).</summary>
internal interface ISegment
{
    int Length { get; }

    /// <summary>null for a scalar field (its state always exists); for an array field, whether the buffer was allocated.</summary>
    bool? Allocated(StateBuffer buffer);

    void SetParameters(ReadOnlySpan<double> values);

    void GetParameters(Span<double> destination);

    void SetGradients(ReadOnlySpan<double> values);

    void GetGradients(Span<double> destination);

    /// <summary>The buffer's values; zeros for an array buffer that was never allocated.</summary>
    void GetState(StateBuffer buffer, Span<double> destination);
}

/// <summary>An array parameter field, its gradient array and its <see cref="RmsPropState{T}"/>.</summary>
internal sealed class ArrayFieldSegment<T>(Func<T[]> parameter, Func<T[]> gradient, Func<RmsPropState<T>> state) : ISegment
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Length => parameter().Length;

    public bool? Allocated(StateBuffer buffer) => Buffer(buffer) is not null;

    public void SetParameters(ReadOnlySpan<double> values) => Copy(values, parameter());

    public void GetParameters(Span<double> destination) => Copy(parameter(), destination);

    public void SetGradients(ReadOnlySpan<double> values) => Copy(values, gradient());

    public void GetGradients(Span<double> destination) => Copy(gradient(), destination);

    public void GetState(StateBuffer buffer, Span<double> destination)
    {
        T[]? values = Buffer(buffer);
        if (values is null)
        {
            destination.Clear();
        }
        else
        {
            Copy(values, destination);
        }
    }

    private T[]? Buffer(StateBuffer buffer) => buffer switch
    {
        StateBuffer.SquareAvg => state().SquareAvg,
        StateBuffer.GradAvg => state().GradAvg,
        _ => state().MomentumBuffer,
    };

    private static void Copy(ReadOnlySpan<double> source, T[] destination)
    {
        if (source.Length != destination.Length)
        {
            throw new InvalidOperationException($"length {source.Length} for an array of {destination.Length}");
        }

        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = T.CreateChecked(source[i]);
        }
    }

    private static void Copy(T[] source, Span<double> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = double.CreateChecked(source[i]);
        }
    }
}

/// <summary>A scalar parameter field, its gradient and its <see cref="RmsPropScalarState{T}"/>.</summary>
internal sealed class ScalarFieldSegment<T>(Func<T> get, Action<T> set, Func<T> getGradient, Action<T> setGradient, Func<RmsPropScalarState<T>> state) : ISegment
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public int Length => 1;

    public bool? Allocated(StateBuffer buffer) => null;

    public void SetParameters(ReadOnlySpan<double> values) => set(T.CreateChecked(values[0]));

    public void GetParameters(Span<double> destination) => destination[0] = double.CreateChecked(get());

    public void SetGradients(ReadOnlySpan<double> values) => setGradient(T.CreateChecked(values[0]));

    public void GetGradients(Span<double> destination) => destination[0] = double.CreateChecked(getGradient());

    public void GetState(StateBuffer buffer, Span<double> destination)
    {
        RmsPropScalarState<T> s = state();
        destination[0] = double.CreateChecked(buffer switch
        {
            StateBuffer.SquareAvg => s.SquareAvg,
            StateBuffer.GradAvg => s.GradAvg,
            _ => s.MomentumBuffer,
        });
    }
}

/// <summary>A generated model seen as one vector of doubles: its parameter fields laid end to end.</summary>
internal sealed class ConformanceSubject(string description, bool isFloat32, IReadOnlyList<ISegment> segments, Action<RmsProp> setOptimizer, Action applyGradients, Func<long> stepCount)
{
    public string Description => description;

    public bool IsFloat32 => isFloat32;

    public IReadOnlyList<ISegment> Segments => segments;

    public int Length => segments.Sum(s => s.Length);

    public long StepCount => stepCount();

    public void SetOptimizer(RmsProp options) => setOptimizer(options);

    public void ApplyGradients() => applyGradients();

    public void SetParameters(ReadOnlySpan<double> values) => Scatter(values, (s, v) => s.SetParameters(v));

    public void SetGradients(ReadOnlySpan<double> values) => Scatter(values, (s, v) => s.SetGradients(v));

    public double[] GetParameters() => Gather((s, d) => s.GetParameters(d));

    public double[] GetGradients() => Gather((s, d) => s.GetGradients(d));

    public double[] GetState(StateBuffer buffer) => Gather((s, d) => s.GetState(buffer, d));

    /// <summary>The subjects a case runs on: every model whose layout fits it.</summary>
    public static IEnumerable<ConformanceSubject> For(GoldenCase c)
    {
        int total = c.Tensors.Sum(t => t.Length);
        if (c.IsFloat32)
        {
            yield return FloatArray(total);
            if (c.Tensors.Select(t => t.Length).SequenceEqual([1, 70]))
            {
                yield return FloatScalarAndArray();
            }

            yield return Scalars<FloatScalarsModel, float>(new FloatScalarsModel(), FloatScalarsModel.Count, true, m => m.Grad, m => m.OptimizerState, (m, o) => m.Optimizer = o, m => m.ApplyGradients(), m => m.StepCount);
        }
        else
        {
            yield return DoubleArray(total);
            if (c.Tensors.Select(t => t.Length).SequenceEqual([1, 70]))
            {
                yield return DoubleScalarAndArray();
            }

            yield return Scalars<DoubleScalarsModel, double>(new DoubleScalarsModel(), DoubleScalarsModel.Count, false, m => m.Grad, m => m.OptimizerState, (m, o) => m.Optimizer = o, m => m.ApplyGradients(), m => m.StepCount);
        }
    }

    public static ConformanceSubject FloatArray(int length)
    {
        var m = new FloatArrayModel { P = new float[length] };
        return new($"FloatArrayModel (float[{length}])", true, [new ArrayFieldSegment<float>(() => m.P, () => m.Grad.P, () => m.OptimizerState.P)], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);
    }

    public static ConformanceSubject DoubleArray(int length)
    {
        var m = new DoubleArrayModel { P = new double[length] };
        return new($"DoubleArrayModel (double[{length}])", false, [new ArrayFieldSegment<double>(() => m.P, () => m.Grad.P, () => m.OptimizerState.P)], o => m.Optimizer = o, () => m.ApplyGradients(), () => m.StepCount);
    }

    public static ConformanceSubject FloatScalarAndArray()
    {
        var m = new FloatScalarAndArrayModel();
        return new(
            "FloatScalarAndArrayModel (float + float[70])",
            true,
            [
                new ScalarFieldSegment<float>(() => m.S, v => m.S = v, () => m.Grad.S, v => m.Grad.S = v, () => m.OptimizerState.S),
                new ArrayFieldSegment<float>(() => m.A, () => m.Grad.A, () => m.OptimizerState.A),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    public static ConformanceSubject DoubleScalarAndArray()
    {
        var m = new DoubleScalarAndArrayModel();
        return new(
            "DoubleScalarAndArrayModel (double + double[70])",
            false,
            [
                new ScalarFieldSegment<double>(() => m.S, v => m.S = v, () => m.Grad.S, v => m.Grad.S = v, () => m.OptimizerState.S),
                new ArrayFieldSegment<double>(() => m.A, () => m.Grad.A, () => m.OptimizerState.A),
            ],
            o => m.Optimizer = o,
            () => m.ApplyGradients(),
            () => m.StepCount);
    }

    /// <summary>A model of scalar fields P0, P1, …; fields are reached by name, so the test also checks the generated names.</summary>
    private static ConformanceSubject Scalars<TModel, T>(TModel m, int count, bool f32, Func<TModel, object> grad, Func<TModel, object> state, Action<TModel, RmsProp> setOptimizer, Action<TModel> apply, Func<TModel, long> steps)
        where TModel : class
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var segments = new List<ISegment>();
        for (int i = 0; i < count; i++)
        {
            FieldInfo parameter = Field(typeof(TModel), "P" + i);
            FieldInfo gradient = Field(grad(m).GetType(), "P" + i);
            FieldInfo stateField = Field(state(m).GetType(), "P" + i);
            segments.Add(new ScalarFieldSegment<T>(
                () => (T)parameter.GetValue(m)!,
                v => parameter.SetValue(m, v),
                () => (T)gradient.GetValue(grad(m))!,
                v => gradient.SetValue(grad(m), v),
                () => (RmsPropScalarState<T>)stateField.GetValue(state(m))!));
        }

        return new($"{typeof(TModel).Name} ({count} × {typeof(T).Name} scalars, the first {count} elements)", f32, segments, o => setOptimizer(m, o), () => apply(m), () => steps(m));
    }

    private static FieldInfo Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.Instance) ?? throw new MissingFieldException(type.Name, name);

    private void Scatter(ReadOnlySpan<double> values, SpanAction action)
    {
        int offset = 0;
        foreach (ISegment segment in segments)
        {
            action(segment, values.Slice(offset, segment.Length));
            offset += segment.Length;
        }
    }

    private double[] Gather(SpanFunc action)
    {
        double[] result = new double[Length];
        int offset = 0;
        foreach (ISegment segment in segments)
        {
            action(segment, result.AsSpan(offset, segment.Length));
            offset += segment.Length;
        }

        return result;
    }

    private delegate void SpanAction(ISegment segment, ReadOnlySpan<double> values);

    private delegate void SpanFunc(ISegment segment, Span<double> destination);
}
