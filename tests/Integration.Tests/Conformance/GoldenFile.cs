using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace OptimizerGen.Integration.Tests.Conformance;

/// <summary>One tensor of a golden case, every number held as a double (float32 values parsed as float32, exactly).</summary>
internal sealed record GoldenTensor(
    int Length,
    double[] Init,
    double[][] Grads,
    double[][] Params,
    long Step,
    double[] SquareAvg,
    double[]? GradAvg,
    double[]? MomentumBuffer);

/// <summary>One case of <c>rmsprop.json</c> (format <c>optimizer-golden-v1</c>).</summary>
internal sealed record GoldenCase(string Name, bool IsFloat32, int Steps, RmsProp Options, GoldenTensor[] Tensors)
{
    public override string ToString() => Name;

    /// <summary>
    /// All tensors laid end to end. RMSprop is element-wise, so a model may hold the case's elements in any split into
    /// fields (a scalar field and an array, several scalars, one long array) and must reproduce them all.
    /// </summary>
    public GoldenTensor Concatenated() => new(
        Tensors.Sum(t => t.Length),
        Tensors.SelectMany(t => t.Init).ToArray(),
        Enumerable.Range(0, Steps).Select(s => Tensors.SelectMany(t => t.Grads[s]).ToArray()).ToArray(),
        Enumerable.Range(0, Steps).Select(s => Tensors.SelectMany(t => t.Params[s]).ToArray()).ToArray(),
        Tensors[0].Step,
        Tensors.SelectMany(t => t.SquareAvg).ToArray(),
        Tensors[0].GradAvg is null ? null : Tensors.SelectMany(t => t.GradAvg!).ToArray(),
        Tensors[0].MomentumBuffer is null ? null : Tensors.SelectMany(t => t.MomentumBuffer!).ToArray());
}

/// <summary>Reads <c>Conformance/rmsprop.json</c>, copied from shared/conformance/libtorch-2.10 (TorchSharp 0.107.0, libtorch 2.10.0).</summary>
internal static class GoldenFile
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> s_cases = new(Load);

    public static string PathOnDisk => Path.Combine(AppContext.BaseDirectory, "Conformance", "rmsprop.json");

    public static IReadOnlyList<GoldenCase> Cases => s_cases.Value;

    public static GoldenCase Case(string name) => Cases.Single(c => c.Name == name);

    private static IReadOnlyList<GoldenCase> Load()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(PathOnDisk));
        JsonElement root = document.RootElement;
        Require(root.GetProperty("format").GetString() == "optimizer-golden-v1", "unexpected format");
        Require(root.GetProperty("optimizer").GetString() == "RMSprop", "not an RMSprop file");
        return root.GetProperty("cases").EnumerateArray().Select(ParseCase).ToList();
    }

    private static GoldenCase ParseCase(JsonElement c)
    {
        string name = c.GetProperty("name").GetString()!;
        Require(c.GetProperty("optimizer").GetString() == "RMSprop", $"{name}: not RMSprop");
        string dtype = c.GetProperty("dtype").GetString()!;
        Require(dtype is "float32" or "float64", $"{name}: unknown dtype {dtype}");
        bool f32 = dtype == "float32";
        int steps = c.GetProperty("steps").GetInt32();
        GoldenTensor[] tensors = c.GetProperty("tensors").EnumerateArray().Select(t => ParseTensor(t, f32, steps, name)).ToArray();
        int[] lengths = c.GetProperty("lengths").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Require(lengths.SequenceEqual(tensors.Select(t => t.Length)), $"{name}: lengths disagree with the tensors");
        return new GoldenCase(name, f32, steps, ToRmsProp(c.GetProperty("options"), name), tensors);
    }

    /// <summary>
    /// PyTorch's <c>torch.optim.RMSprop</c> options as OptimizerGen settings: alpha → Decay, eps outside the root,
    /// coupled weight decay, learning rate outside the momentum buffer. An option this mapping does not know fails the
    /// load, so a new option in the data cannot be silently ignored.
    /// </summary>
    private static RmsProp ToRmsProp(JsonElement options, string name)
    {
        var known = new HashSet<string> { "lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize" };
        foreach (JsonProperty property in options.EnumerateObject())
        {
            Require(known.Contains(property.Name), $"{name}: unknown option '{property.Name}'");
        }

        return RmsProp.PyTorch with
        {
            LearningRate = options.GetProperty("lr").GetDouble(),
            Decay = options.GetProperty("alpha").GetDouble(),
            Epsilon = options.GetProperty("eps").GetDouble(),
            EpsilonInsideSqrt = false,
            InitialAccumulatorValue = 0,
            WeightDecay = options.GetProperty("weight_decay").GetDouble(),
            DecoupledWeightDecay = false,
            Momentum = options.GetProperty("momentum").GetDouble(),
            MomentumStyle = MomentumStyle.LearningRateOutsideBuffer,
            Nesterov = false,
            Centered = options.GetProperty("centered").GetBoolean(),
            ClampCenteredVariance = false,
            Maximize = options.GetProperty("maximize").GetBoolean(),
            BiasCorrection = false,
        };
    }

    private static GoldenTensor ParseTensor(JsonElement t, bool f32, int steps, string name)
    {
        int length = t.GetProperty("length").GetInt32();
        double[] Vector(JsonElement e)
        {
            double[] v = e.EnumerateArray().Select(x => f32
                ? (double)float.Parse(x.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)
                : double.Parse(x.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            Require(v.Length == length, $"{name}: a vector of {v.Length} numbers in a tensor of length {length}");
            return v;
        }

        double[][] Steps(JsonElement e)
        {
            double[][] s = e.EnumerateArray().Select(Vector).ToArray();
            Require(s.Length == steps, $"{name}: {s.Length} vectors for {steps} steps");
            return s;
        }

        JsonElement state = t.GetProperty("state");
        foreach (JsonProperty property in state.EnumerateObject())
        {
            Require(property.Name is "step" or "square_avg" or "grad_avg" or "momentum_buffer", $"{name}: unknown state '{property.Name}'");
        }

        return new GoldenTensor(
            length,
            Vector(t.GetProperty("init")),
            Steps(t.GetProperty("grads")),
            Steps(t.GetProperty("params")),
            state.GetProperty("step").GetInt64(),
            Vector(state.GetProperty("square_avg")),
            state.TryGetProperty("grad_avg", out JsonElement gradAvg) ? Vector(gradAvg) : null,
            state.TryGetProperty("momentum_buffer", out JsonElement momentum) ? Vector(momentum) : null);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException("rmsprop.json: " + message);
        }
    }
}
