using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace OptimizerGen.Integration.Tests.Family;

/// <summary>One tensor of a golden case: init, grads and params per step, and the state after the last step, as doubles.</summary>
internal sealed record FamilyTensor(int Length, double[] Init, double[][] Grads, double[][] Params, long? Step, IReadOnlyDictionary<string, double[]> State);

/// <summary>One case of the family files (format <c>optimizer-golden-v1</c>), its options mapped to OptimizerGen settings.</summary>
internal sealed record FamilyCase(string File, string Name, string Optimizer, bool IsFloat32, int Steps, object Settings, FamilyTensor[] Tensors)
{
    public override string ToString() => Name;

    /// <summary>All tensors laid end to end: every update is element-wise, so any split into fields must reproduce them.</summary>
    public FamilyTensor Concatenated() => new(
        Tensors.Sum(t => t.Length),
        Tensors.SelectMany(t => t.Init).ToArray(),
        Enumerable.Range(0, Steps).Select(s => Tensors.SelectMany(t => t.Grads[s]).ToArray()).ToArray(),
        Enumerable.Range(0, Steps).Select(s => Tensors.SelectMany(t => t.Params[s]).ToArray()).ToArray(),
        Tensors[0].Step,
        Tensors[0].State.Keys.ToDictionary(k => k, k => Tensors.SelectMany(t => t.State[k]).ToArray()));
}

/// <summary>
/// Reads <c>Family/{sgd,adagrad,adadelta,adam,adamw}.json</c>, copied from shared/conformance/libtorch-2.10 (TorchSharp
/// 0.107.0, libtorch 2.10.0). An option or state key the mapping does not know fails the load, so new data cannot be
/// silently ignored.
/// </summary>
internal static class FamilyGolden
{
    public static readonly string[] Files = ["sgd", "adagrad", "adadelta", "adam", "adamw"];

    private static readonly Lazy<IReadOnlyList<FamilyCase>> s_cases = new(() => Files.SelectMany(Load).ToList());

    public static IReadOnlyList<FamilyCase> Cases => s_cases.Value;

    public static IEnumerable<object[]> CaseNames => Cases.Select(c => new object[] { c.Name });

    public static FamilyCase Case(string name) => Cases.Single(c => c.Name == name);

    private static IEnumerable<FamilyCase> Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Family", file + ".json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = document.RootElement;
        Require(root.GetProperty("format").GetString() == "optimizer-golden-v1", file, "unexpected format");
        return root.GetProperty("cases").EnumerateArray().Select(c => ParseCase(file, c)).ToList();
    }

    private static FamilyCase ParseCase(string file, JsonElement c)
    {
        string name = c.GetProperty("name").GetString()!;
        string optimizer = c.GetProperty("optimizer").GetString()!;
        bool f32 = c.GetProperty("dtype").GetString() == "float32";
        int steps = c.GetProperty("steps").GetInt32();
        FamilyTensor[] tensors = c.GetProperty("tensors").EnumerateArray().Select(t => ParseTensor(t, f32, steps, name)).ToArray();
        return new FamilyCase(file, name, optimizer, f32, steps, Settings(optimizer, c.GetProperty("options"), name), tensors);
    }

    /// <summary>PyTorch's options as OptimizerGen settings (PyTorch semantics: coupled weight decay, lr outside the buffer).</summary>
    private static object Settings(string optimizer, JsonElement o, string name)
    {
        var known = optimizer switch
        {
            "SGD" => new[] { "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize" },
            "Adagrad" => new[] { "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps" },
            "Adadelta" => new[] { "lr", "rho", "eps", "weight_decay", "maximize" },
            "Adam" or "AdamW" => new[] { "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize" },
            _ => throw new InvalidDataException($"{name}: unknown optimizer {optimizer}"),
        };
        foreach (JsonProperty property in o.EnumerateObject())
        {
            Require(known.Contains(property.Name), name, $"unknown option '{property.Name}'");
        }

        double D(string key) => o.GetProperty(key).GetDouble();
        bool B(string key) => o.GetProperty(key).GetBoolean();
        return optimizer switch
        {
            "SGD" => new Sgd { LearningRate = D("lr"), Momentum = D("momentum"), Dampening = D("dampening"), WeightDecay = D("weight_decay"), Nesterov = B("nesterov"), Maximize = B("maximize") },
            "Adagrad" => new AdaGrad { LearningRate = D("lr"), LearningRateDecay = D("lr_decay"), WeightDecay = D("weight_decay"), InitialAccumulatorValue = D("initial_accumulator_value"), Epsilon = D("eps") },
            "Adadelta" => new AdaDelta { LearningRate = D("lr"), Rho = D("rho"), Epsilon = D("eps"), WeightDecay = D("weight_decay"), Maximize = B("maximize") },
            "Adam" => new Adam { LearningRate = D("lr"), Beta1 = o.GetProperty("betas")[0].GetDouble(), Beta2 = o.GetProperty("betas")[1].GetDouble(), Epsilon = D("eps"), WeightDecay = D("weight_decay"), AmsGrad = B("amsgrad"), Maximize = B("maximize") },
            _ => new AdamW { LearningRate = D("lr"), Beta1 = o.GetProperty("betas")[0].GetDouble(), Beta2 = o.GetProperty("betas")[1].GetDouble(), Epsilon = D("eps"), WeightDecay = D("weight_decay"), AmsGrad = B("amsgrad"), Maximize = B("maximize") },
        };
    }

    private static FamilyTensor ParseTensor(JsonElement t, bool f32, int steps, string name)
    {
        int length = t.GetProperty("length").GetInt32();
        double[] Vector(JsonElement e)
        {
            double[] v = e.EnumerateArray().Select(x => f32
                ? (double)float.Parse(x.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)
                : double.Parse(x.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            Require(v.Length == length, name, $"a vector of {v.Length} numbers in a tensor of length {length}");
            return v;
        }

        double[][] Steps(JsonElement e)
        {
            double[][] s = e.EnumerateArray().Select(Vector).ToArray();
            Require(s.Length == steps, name, $"{s.Length} vectors for {steps} steps");
            return s;
        }

        JsonElement state = t.GetProperty("state");
        long? step = null;
        var buffers = new Dictionary<string, double[]>();
        foreach (JsonProperty property in state.EnumerateObject())
        {
            if (property.Name == "step")
            {
                step = property.Value.GetInt64();
                continue;
            }

            Require(property.Name is "momentum_buffer" or "sum" or "square_avg" or "acc_delta" or "exp_avg" or "exp_avg_sq" or "max_exp_avg_sq", name, $"unknown state '{property.Name}'");
            buffers[property.Name] = Vector(property.Value);
        }

        return new FamilyTensor(length, Vector(t.GetProperty("init")), Steps(t.GetProperty("grads")), Steps(t.GetProperty("params")), step, buffers);
    }

    private static void Require(bool condition, string where, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{where}: {message}");
        }
    }
}
