using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// Every kind of bad checkpoint is rejected with an <see cref="InvalidDataException"/> whose message names the problem
/// and the field, and the model is left EXACTLY as it was: parameters, pending gradients, every state buffer,
/// StepCount and Optimizer. Each bad file is a good checkpoint with one thing broken (offsets and SHA-256 kept
/// consistent unless the SHA-256 is what is being tested), loaded through a Stream and through a file path.
/// </summary>
public class BadCheckpointTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A bad file made from the good checkpoint's bytes, and the fragments its error message must contain.</summary>
    public sealed record BadFile(Func<byte[], byte[]> Make, params string[] Fragments);

    private static byte[] Edit(byte[] good, Action<CheckpointEditor> edit)
    {
        var editor = new CheckpointEditor(good);
        edit(editor);
        return editor.ToBytes();
    }

    private static byte[] EditHyperparameters(byte[] good, Action<JsonObject> edit) => Edit(good, e =>
    {
        JsonObject hyperparameters = JsonNode.Parse(e["hyperparameters"])!.AsObject();
        edit(hyperparameters);
        e["hyperparameters"] = hyperparameters.ToJsonString();
    });

    private static byte[] ToF64(byte[] f32) => MemoryMarshal.AsBytes(MemoryMarshal.Cast<byte, float>(f32).ToArray().Select(x => (double)x).ToArray().AsSpan()).ToArray();

    private static byte[] ToF32(byte[] f64) => MemoryMarshal.AsBytes(MemoryMarshal.Cast<byte, double>(f64).ToArray().Select(x => (float)x).ToArray().AsSpan()).ToArray();

    private static byte[] Header(byte[] good, Func<string, string> edit)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(good);
        string header = edit(file.HeaderText);
        Assert.NotEqual(file.HeaderText, header);
        return SafeTensorsFile.Assemble(header, file.Data, pad: false);
    }

    private static byte[] HeaderNode(byte[] good, Action<JsonObject> edit) => Header(good, h =>
    {
        JsonObject header = JsonNode.Parse(h)!.AsObject();
        edit(header);
        return header.ToJsonString();
    });

    private static byte[] WithHeaderLength(byte[] good, ulong length)
    {
        byte[] bad = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bad, length);
        return bad;
    }

    private static ulong HeaderLength(byte[] file) => BinaryPrimitives.ReadUInt64LittleEndian(file);

    private static byte[] FlipDataByte(byte[] good, Func<int, int> offsetInData)
    {
        byte[] bad = (byte[])good.Clone();
        int dataStart = 8 + (int)HeaderLength(good);
        bad[dataStart + offsetInData(good.Length - dataStart)] ^= 0x10;
        return bad;
    }

    public static readonly IReadOnlyDictionary<string, BadFile> Cases = new Dictionary<string, BadFile>
    {
        // Not this model / optimizer.
        ["model type renamed"] = new(g => Edit(g, e => e["model"] = "Somebody.ElsesModel"), "model", "Somebody.ElsesModel"),
        ["model type of another real model"] = new(_ => ResumeTests.Save(Trained(new ScalarModel())), "model", "ScalarModel"),
        ["optimizer Adam"] = new(g => Edit(g, e => e["optimizer"] = "Adam"), "optimizer", "Adam"),
        ["optimizer rmsprop lowercase"] = new(g => Edit(g, e => e["optimizer"] = "rmsprop"), "optimizer", "rmsprop"),

        // Missing, extra tensors.
        ["missing parameter F"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "F")), "'F'"),
        ["missing parameter S"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "S")), "'S'"),
        ["missing parameter D (matrix)"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "D")), "'D'"),
        ["missing state F.square_avg"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "F.square_avg")), "F.square_avg"),
        ["missing state E.square_avg"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "E.square_avg")), "E.square_avg"),
        ["missing state S.momentum_buffer"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "S.momentum_buffer")), "S.momentum_buffer"),
        ["missing state T.grad_avg"] = new(g => Edit(g, e => e.Tensors.RemoveAll(t => t.Name == "T.grad_avg")), "T.grad_avg"),
        ["missing all tensors"] = new(g => Edit(g, e => e.Tensors.Clear()), "tensor"),
        ["extra tensor Z"] = new(g => Edit(g, e => e.Tensors.Add(new EditableTensor("Z", "F32", [2], new byte[8]))), "'Z'"),
        ["extra state F.velocity"] = new(g => Edit(g, e => e.Tensors.Add(new EditableTensor("F.velocity", "F32", [19], new byte[76]))), "F.velocity"),
        ["duplicate metadata key model (another model's first)"] = new(g => Edit(g, e => e.Metadata.Insert(0, ("model", "Somebody.ElsesModel"))), "model"),
        ["duplicate tensor F"] = new(g => Edit(g, e => e.Tensors.Add(new EditableTensor("F", "F32", [19], e.Tensor("F").Data))), "F"),

        // Wrong dtype (data converted, so sizes agree and only the dtype is wrong).
        ["dtype F64 for float array F"] = new(g => Edit(g, e => { var t = e.Tensor("F"); t.DType = "F64"; t.Data = ToF64(t.Data); }), "'F'", "F64"),
        ["dtype F64 for float scalar S"] = new(g => Edit(g, e => { var t = e.Tensor("S"); t.DType = "F64"; t.Data = ToF64(t.Data); }), "'S'", "F64"),
        ["dtype F64 for float state F.grad_avg"] = new(g => Edit(g, e => { var t = e.Tensor("F.grad_avg"); t.DType = "F64"; t.Data = ToF64(t.Data); }), "F.grad_avg", "F64"),
        ["dtype F32 for double array E"] = new(g => Edit(g, e => { var t = e.Tensor("E"); t.DType = "F32"; t.Data = ToF32(t.Data); }), "'E'", "F32"),
        ["dtype F32 for double scalar T.square_avg"] = new(g => Edit(g, e => { var t = e.Tensor("T.square_avg"); t.DType = "F32"; t.Data = ToF32(t.Data); }), "T.square_avg", "F32"),
        ["dtype I32 for F (same size)"] = new(g => Edit(g, e => e.Tensor("F").DType = "I32"), "'F'", "I32"),
        ["dtype BF16 for F"] = new(g => Edit(g, e => { var t = e.Tensor("F"); t.DType = "BF16"; t.Data = t.Data[..(t.Data.Length / 2)]; }), "'F'", "BF16"),

        // Wrong shape.
        ["shape of F one longer"] = new(g => Edit(g, e => { var t = e.Tensor("F"); t.Shape = [20]; t.Data = [.. t.Data, 0, 0, 0, 0]; }), "'F'", "shape"),
        ["shape of F as a matrix"] = new(g => Edit(g, e => e.Tensor("F").Shape = [19, 1]), "'F'", "shape"),
        ["shape of D transposed"] = new(g => Edit(g, e => e.Tensor("D").Shape = [3, 2]), "'D'", "shape"),
        ["shape of D flattened"] = new(g => Edit(g, e => e.Tensor("D").Shape = [6]), "'D'", "shape"),
        ["shape of scalar S is [1]"] = new(g => Edit(g, e => e.Tensor("S").Shape = [1]), "'S'", "shape"),
        ["shape of state E.momentum_buffer"] = new(g => Edit(g, e => { var t = e.Tensor("E.momentum_buffer"); t.Shape = [32]; t.Data = t.Data[..^8]; }), "E.momentum_buffer", "shape"),

        // Corrupted bytes.
        ["data byte flipped (first)"] = new(g => FlipDataByte(g, _ => 0), "SHA-256"),
        ["data byte flipped (middle)"] = new(g => FlipDataByte(g, n => n / 2), "SHA-256"),
        ["data byte flipped (last)"] = new(g => FlipDataByte(g, n => n - 1), "SHA-256"),
        ["sha256 metadata altered"] = new(g => Edit(g, e => { e.RecomputeSha256 = false; e["sha256"] = new string('0', 64); }), "SHA-256"),
        ["sha256 metadata missing"] = new(g => Edit(g, e => e.Metadata.RemoveAll(m => m.Key == "sha256")), "sha256"),
        ["header JSON: brace removed"] = new(g => Header(g, h => " " + h[1..]), "JSON"),
        ["header JSON: colon to semicolon"] = new(g => Header(g, h => ReplaceFirst(h, "\":{", "\";{")), "JSON"),
        ["header JSON: truncated string"] = new(g => Header(g, h => ReplaceFirst(h, "\"dtype\"", "\"dtype ")), "JSON"),
        ["header JSON: an array"] = new(g => Header(g, _ => "[1, 2, 3]"), "JSON object"),
        ["header: data_offsets overlap"] = new(g => Header(g, h => ReplaceFirst(h, "\"data_offsets\":[4,", "\"data_offsets\":[0,")), "data_offsets"),
        ["header: tensor without dtype"] = new(g => Header(g, h => ReplaceFirst(h, "\"dtype\":\"F32\",", "")), "dtype"),

        // Header length.
        ["header length 2^64-1"] = new(g => WithHeaderLength(g, ulong.MaxValue), "header length"),
        ["header length 2^40"] = new(g => WithHeaderLength(g, 1UL << 40), "header length"),
        ["header length 2^31"] = new(g => WithHeaderLength(g, 1UL << 31), "header length"),
        ["header length past the end"] = new(g => WithHeaderLength(g, (ulong)g.Length), "truncated"),
        ["header length 0"] = new(g => WithHeaderLength(g, 0), "JSON"),
        ["header length 8 short"] = new(g => WithHeaderLength(g, HeaderLength(g) - 8), "JSON"),
        ["trailing bytes after the data"] = new(g => [.. g, 1, 2, 3, 4], "trailing"),
        ["empty file"] = new(_ => [], "truncated"),

        // Hyperparameters.
        ["negative LearningRate"] = new(g => EditHyperparameters(g, h => h["LearningRate"] = -0.5), "LearningRate"),
        ["Decay = 1"] = new(g => EditHyperparameters(g, h => h["Decay"] = 1.0), "Decay"),
        ["negative Epsilon"] = new(g => EditHyperparameters(g, h => h["Epsilon"] = -1e-8), "Epsilon"),
        ["negative InitialAccumulatorValue"] = new(g => EditHyperparameters(g, h => h["InitialAccumulatorValue"] = -1.0), "InitialAccumulatorValue"),
        ["negative Momentum"] = new(g => EditHyperparameters(g, h => h["Momentum"] = -0.9), "Momentum"),
        ["WeightDecay as a string"] = new(g => EditHyperparameters(g, h => h["WeightDecay"] = "0.1"), "WeightDecay"),
        ["Centered as a number"] = new(g => EditHyperparameters(g, h => h["Centered"] = 1), "Centered"),
        ["MomentumStyle unknown"] = new(g => EditHyperparameters(g, h => h["MomentumStyle"] = "Sideways"), "MomentumStyle"),
        ["MomentumStyle as a number"] = new(g => EditHyperparameters(g, h => h["MomentumStyle"] = "7"), "MomentumStyle"),
        ["Nesterov missing"] = new(g => EditHyperparameters(g, h => h.Remove("Nesterov")), "Nesterov"),
        ["LearningRate overflows double"] = new(g => Edit(g, e => e["hyperparameters"] = ReplaceFirst(e["hyperparameters"], "\"LearningRate\":", "\"LearningRate\":1e999,\"x\":")), "LearningRate"),
        ["hyperparameters not JSON"] = new(g => Edit(g, e => e["hyperparameters"] = "{LearningRate: 0.01"), "hyperparameters"),
        ["hyperparameters a JSON array"] = new(g => Edit(g, e => e["hyperparameters"] = "[0.01]"), "hyperparameter"),

        // Format and metadata.
        ["format safetensors"] = new(g => Edit(g, e => e["format"] = "safetensors"), "format", "safetensors"),
        ["format_version 2"] = new(g => Edit(g, e => e["format_version"] = "2"), "version", "2"),
        ["format_version 1.0"] = new(g => Edit(g, e => e["format_version"] = "1.0"), "version", "1.0"),
        ["format missing"] = new(g => Edit(g, e => e.Metadata.RemoveAll(m => m.Key == "format")), "format"),
        ["no __metadata__"] = new(g => HeaderNode(g, h => h.Remove("__metadata__")), "no 'format' metadata"),
        ["empty __metadata__"] = new(g => Edit(g, e => e.Metadata.Clear()), "no 'format' metadata"),
        ["metadata value a number"] = new(g => Header(g, h => ReplaceFirst(h, "\"step\":\"", "\"step\":1,\"x\":\"")), "step"),
        ["step negative"] = new(g => Edit(g, e => e["step"] = "-7"), "step"),
        ["step fractional"] = new(g => Edit(g, e => e["step"] = "7.5"), "step"),
        ["step text"] = new(g => Edit(g, e => e["step"] = "seven"), "step"),
        ["step beyond long"] = new(g => Edit(g, e => e["step"] = "99999999999999999999"), "step"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        int index = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{find}' not found in {text}");
        return text[..index] + replacement + text[(index + find.Length)..];
    }

    /// <summary>The good checkpoint: a MixedModel after 7 steps with every buffer in use.</summary>
    private static T Trained<T>(T model)
        where T : ITrainable
    {
        model.Optimizer = RmsProp.PyTorch with { Centered = true, Momentum = 0.9, LearningRate = 0.02 };
        Gradients.Train(model, 7);
        return model;
    }

    private static byte[] GoodCheckpoint() => ResumeTests.Save(Trained(new MixedModel()));

    /// <summary>The model a bad load must not touch: other values, other options, gradients pending.</summary>
    private static MixedModel Target()
    {
        var model = new MixedModel { Optimizer = RmsProp.Keras with { Momentum = 0.5 } };
        Gradients.Train(model, 3, seed: 42);
        Gradients.Set(model, 1234, seed: 43);
        return model;
    }

    [Fact]
    public void Control_TheEditorRebuildsTheGoodFile_AndItLoads()
    {
        byte[] good = GoodCheckpoint();
        byte[] rebuilt = new CheckpointEditor(good).ToBytes();
        Assert.Equal(good, rebuilt);
        MixedModel target = Target();
        target.LoadCheckpoint(new MemoryStream(rebuilt));
        ModelSnapshot.AssertEqual(ModelSnapshot.Take(Trained(new MixedModel()), includeGradients: false), ModelSnapshot.Take(target, includeGradients: false), "loaded");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BadCheckpoint_IsRejected_NamingTheProblem_AndTheModelIsUntouched(string caseName)
    {
        BadFile bad = Cases[caseName];
        byte[] file = bad.Make(GoodCheckpoint());

        MixedModel target = Target();
        var before = ModelSnapshot.Take(target);
        Exception streamError = Record.Exception(() => target.LoadCheckpoint(new MemoryStream(file)));
        AssertRejected(streamError, bad.Fragments, "Stream");
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target), $"after the rejected Stream load ({caseName})");

        using var directory = new TempDirectory();
        string path = directory.File("bad.safetensors");
        File.WriteAllBytes(path, file);
        Exception pathError = Record.Exception(() => target.LoadCheckpoint(path));
        AssertRejected(pathError, bad.Fragments, "path");
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target), $"after the rejected path load ({caseName})");
    }

    public static TheoryData<string> CutPoints() => new(["1", "4", "7", "8", "9", "header/2", "header-1", "header", "header+1", "data/2", "end-1"]);

    [Theory]
    [MemberData(nameof(CutPoints))]
    public void TruncatedFile_IsRejected_AndTheModelIsUntouched(string cut)
    {
        byte[] good = GoodCheckpoint();
        int header = 8 + (int)HeaderLength(good);
        int length = cut switch
        {
            "header/2" => 8 + ((header - 8) / 2),
            "header-1" => header - 1,
            "header" => header,
            "header+1" => header + 1,
            "data/2" => header + ((good.Length - header) / 2),
            "end-1" => good.Length - 1,
            _ => int.Parse(cut, System.Globalization.CultureInfo.InvariantCulture),
        };

        MixedModel target = Target();
        var before = ModelSnapshot.Take(target);
        Exception error = Record.Exception(() => target.LoadCheckpoint(new MemoryStream(good[..length])));
        AssertRejected(error, ["truncated"], $"cut at {length} of {good.Length}");
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target), $"after loading a file cut at {length}");
    }

    [Fact]
    public void CheckpointOfATwinModel_WithTheSameFields_IsRejected()
    {
        var source = new ScalarModel();
        Gradients.Train(source, 4);
        var twin = new ScalarModelTwin();
        var before = ModelSnapshot.Take(twin);
        var error = Assert.Throws<InvalidDataException>(() => twin.LoadCheckpoint(new MemoryStream(ResumeTests.Save(source))));
        Assert.Contains("ScalarModel", error.Message, StringComparison.Ordinal);
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(twin), "twin");
    }

    [Fact]
    public void LoadIntoAModelWhoseArrayWasResized_IsRejectedAsAShapeMismatch()
    {
        byte[] good = GoodCheckpoint();
        MixedModel target = Target();
        target.F = new float[20];
        var before = ModelSnapshot.Take(target, includeGradients: false);
        var error = Assert.Throws<InvalidDataException>(() => target.LoadCheckpoint(new MemoryStream(good)));
        Assert.Contains("'F'", error.Message, StringComparison.Ordinal);
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target, includeGradients: false), "resized F");
    }

    [Fact]
    public void LoadIntoAModelWithANullParameterArray_ThrowsNamingIt_AndChangesNothing()
    {
        byte[] good = GoodCheckpoint();
        MixedModel target = Target();
        target.E = null!;
        var before = ModelSnapshot.Take(target);
        var error = Assert.ThrowsAny<InvalidOperationException>(() => target.LoadCheckpoint(new MemoryStream(good)));
        Assert.Contains("'E'", error.Message, StringComparison.Ordinal);
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target), "null E");
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound_AndChangesNothing()
    {
        MixedModel target = Target();
        var before = ModelSnapshot.Take(target);
        using var directory = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => target.LoadCheckpoint(directory.File("absent.safetensors")));
        ModelSnapshot.AssertEqual(before, ModelSnapshot.Take(target), "missing file");
    }

    private void AssertRejected(Exception? error, string[] fragments, string how)
    {
        output.WriteLine($"{how}: {error?.GetType().Name}: {error?.Message}");
        Assert.True(error is not null, $"{how}: the bad checkpoint was loaded without an error");
        Assert.True(error is InvalidDataException, $"{how}: expected InvalidDataException, got {error.GetType().FullName}: {error.Message}");
        foreach (string fragment in fragments)
        {
            Assert.True(error.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase), $"{how}: the message does not mention '{fragment}': {error.Message}");
        }
    }
}
