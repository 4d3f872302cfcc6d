using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// A checkpoint written by the generated SaveCheckpoint, read back by an independent safetensors reader written from
/// the specification (<see cref="SafeTensorsFile"/>; nothing from src/Runtime/Checkpoints): every tensor's dtype, shape,
/// offsets and values against the model, offsets tiling the data exactly, the header padded to a multiple of 8 with
/// spaces, and the metadata all strings with the documented keys and values.
/// </summary>
public class SafeTensorsFormatTests
{
    private static readonly string[] MetadataKeys = ["format", "format_version", "hyperparameters", "model", "optimizer", "sha256", "step"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string model in new[] { nameof(ScalarModel), nameof(ArrayModel), nameof(MixedModel) })
        {
            foreach (string options in new[] { "pytorch", "centered-momentum", "awkward-doubles", "untrained" })
            {
                data.Add(model, options);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IndependentReader_FindsExactlyTheModel(string modelName, string optionsName)
    {
        ITrainable model = ResumeTests.Create(modelName);
        model.Optimizer = optionsName switch
        {
            "pytorch" or "untrained" => RmsProp.PyTorch,
            "centered-momentum" => RmsProp.Keras with { Centered = true, Momentum = 0.9 },
            _ => ResumeTests.Options[optionsName],
        };
        if (optionsName != "untrained")
        {
            Gradients.Train(model, 9);
        }

        byte[] bytes = ResumeTests.Save(model);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);   // throws on any violation of the specification

        // Layout: the header is padded with spaces to a multiple of 8, so the data starts 8-aligned.
        Assert.Equal(0UL, file.HeaderLength % 8);
        Assert.Equal((ulong)file.HeaderText.Length, file.HeaderLength);   // ASCII header: chars = bytes
        string trimmed = file.HeaderText.TrimEnd(' ');
        Assert.EndsWith("}", trimmed, StringComparison.Ordinal);
        Assert.True(file.HeaderText.Length - trimmed.Length < 8, "more padding than needed");
        Assert.Equal(bytes.Length, 8 + (int)file.HeaderLength + file.Data.Length);

        // Offsets tile the data exactly (Parse checks no hole or overlap; here also the total and the order).
        Assert.Equal(file.Data.Length, file.Tensors.Sum(t => t.End - t.Begin));
        Assert.Equal(0, file.Tensors.Count == 0 ? 0 : file.Tensors.Min(t => t.Begin));

        // Metadata: string values (Parse checks), the documented keys, the model's values.
        Assert.NotNull(file.Metadata);
        var metadata = file.Metadata!;
        Assert.Equal(MetadataKeys, metadata.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("optimizergen-checkpoint", metadata["format"]);
        Assert.Equal("1", metadata["format_version"]);
        Assert.Equal(model.GetType().FullName, metadata["model"]);
        Assert.Equal("RmsProp", metadata["optimizer"]);
        Assert.Equal(model.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["step"]);
        Assert.Equal(SafeTensorsFile.Sha256(file.Data), metadata["sha256"]);
        AssertHyperparameters(model.Optimizer, metadata["hyperparameters"]);

        // Tensors: exactly the expected names, each with the model's dtype, shape and bits.
        var expected = ExpectedTensors(model);
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), file.Tensors.Select(t => t.Name).OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, (dtype, shape, values)) in expected)
        {
            SafeTensor tensor = file.Tensor(name);
            Assert.True(dtype == tensor.DType, $"{name}: dtype {tensor.DType}, expected {dtype}");
            Assert.True(shape.SequenceEqual(tensor.Shape), $"{name}: shape [{string.Join(", ", tensor.Shape)}], expected [{string.Join(", ", shape)}]");
            Assert.True(values.AsSpan().SequenceEqual(file.Bytes(name)), $"{name}: the stored bytes differ from the model's values");
        }
    }

    [Fact]
    public void NonFiniteValues_AreStoredAndRestoredBitForBit()
    {
        var model = new MixedModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.9 } };
        Gradients.Train(model, 2);
        float quietNaNWithPayload = BitConverter.Int32BitsToSingle(0x7fc12345);
        model.S = quietNaNWithPayload;
        model.F[3] = float.PositiveInfinity;
        model.E[32] = double.NegativeInfinity;
        model.D[0] = -0.0;
        byte[] bytes = ResumeTests.Save(model);
        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
        Assert.Equal(0x7fc12345, BitConverter.SingleToInt32Bits(file.Floats("S")[0]));
        Assert.Equal(float.PositiveInfinity, file.Floats("F")[3]);
        Assert.Equal(double.NegativeInfinity, file.Doubles("E")[32]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(file.Doubles("D")[0]));

        var loaded = new MixedModel();
        loaded.LoadCheckpoint(new MemoryStream(bytes));
        ModelSnapshot.AssertEqual(ModelSnapshot.Take(model, includeGradients: false), ModelSnapshot.Take(loaded, includeGradients: false), "non-finite values");
    }

    /// <summary>
    /// A second reader in another language: Python's json and struct modules parse the file as safetensors' own loader
    /// does (u64 header length, JSON header, offsets relative to the data, little-endian values); its summary must agree.
    /// </summary>
    [Fact]
    public void PythonReader_AgreesWithTheModel()
    {
        const string Python = "/usr/bin/python3";
        Assert.True(File.Exists(Python), "this check needs /usr/bin/python3");
        var model = new ArrayModel { Optimizer = RmsProp.PyTorch with { Centered = true, Momentum = 0.5 } };
        Gradients.Train(model, 5);
        using var directory = new TempDirectory();
        string path = directory.File("model.safetensors");
        model.SaveCheckpoint(path);
        string script = directory.File("read.py");
        File.WriteAllText(script, """
            import json, struct, sys, hashlib
            data = open(sys.argv[1], 'rb').read()
            (n,) = struct.unpack('<Q', data[:8])
            assert n <= 100_000_000 and 8 + n <= len(data), 'header length'
            header_bytes = data[8:8 + n]
            assert header_bytes[:1] == b'{', 'header must begin with {'
            header = json.loads(header_bytes.decode('utf-8'))
            meta = header.pop('__metadata__')
            assert all(isinstance(v, str) for v in meta.values()), 'metadata values must be strings'
            buf = data[8 + n:]
            sizes = {'F32': 4, 'F64': 8}
            end = 0
            for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
                b, e = info['data_offsets']
                assert b == end, 'hole or overlap at ' + name
                count = 1
                for d in info['shape']:
                    count *= d
                assert e - b == count * sizes[info['dtype']], 'size of ' + name
                end = e
            assert end == len(buf), 'data section not fully indexed'
            assert hashlib.sha256(buf).hexdigest() == meta['sha256'], 'sha256'
            for name in sorted(header):
                info = header[name]
                b, e = info['data_offsets']
                fmt = '<%d%s' % ((e - b) // sizes[info['dtype']], 'f' if info['dtype'] == 'F32' else 'd')
                values = struct.unpack(fmt, buf[b:e])
                print(name, info['dtype'], 'x'.join(map(str, info['shape'])), ' '.join(repr(v) for v in values))
            print('step', meta['step'])
            """);
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        using Process process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python: {stderr}");

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("step 5", lines[^1]);
        var expected = ExpectedTensors(model);
        Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), lines[..^1].Select(l => l.Split(' ')[0]));
        foreach (string line in lines[..^1])
        {
            string[] parts = line.Split(' ');
            var (dtype, shape, bytes) = expected[parts[0]];
            Assert.Equal(dtype, parts[1]);
            Assert.Equal(string.Join("x", shape), parts[2]);
            // Python prints the float32 widened to double with repr (shortest round trip): compare exactly.
            float[] values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            Assert.Equal(values.Select(v => (double)v), parts[3..].Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static void AssertHyperparameters(RmsProp o, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement h = document.RootElement;
        Assert.Equal(JsonValueKind.Object, h.ValueKind);
        void Number(string name, double value) =>
            Assert.True(BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(h.GetProperty(name).GetDouble()), $"{name}: {h.GetProperty(name)} is not {value:R}");
        void Flag(string name, bool value) => Assert.Equal(value, h.GetProperty(name).GetBoolean());
        Number("LearningRate", o.LearningRate);
        Number("Decay", o.Decay);
        Number("Epsilon", o.Epsilon);
        Flag("EpsilonInsideSqrt", o.EpsilonInsideSqrt);
        Number("InitialAccumulatorValue", o.InitialAccumulatorValue);
        Flag("Centered", o.Centered);
        Flag("ClampCenteredVariance", o.ClampCenteredVariance);
        Number("Momentum", o.Momentum);
        Assert.Equal(o.MomentumStyle.ToString(), h.GetProperty("MomentumStyle").GetString());
        Flag("Nesterov", o.Nesterov);
        Number("WeightDecay", o.WeightDecay);
        Flag("DecoupledWeightDecay", o.DecoupledWeightDecay);
        Flag("Maximize", o.Maximize);
        Flag("BiasCorrection", o.BiasCorrection);
        Assert.Equal(14, h.EnumerateObject().Count());
    }

    /// <summary>What the checkpoint of <paramref name="model"/> must hold, from the model itself (by reflection).</summary>
    internal static Dictionary<string, (string DType, long[] Shape, byte[] Bytes)> ExpectedTensors(object model)
    {
        var result = new Dictionary<string, (string, long[], byte[])>(StringComparer.Ordinal);
        Type type = model.GetType();
        object states = type.GetProperty("OptimizerState")!.GetValue(model)!;
        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.IsDefined(typeof(ParamAttribute))))
        {
            int[] declared = field.GetCustomAttribute<ParamAttribute>()!.Shape;
            object value = field.GetValue(model)!;
            object state = states.GetType().GetField(field.Name)!.GetValue(states)!;
            bool isDouble = field.FieldType == typeof(double) || field.FieldType == typeof(double[]);
            string dtype = isDouble ? "F64" : "F32";
            if (value is Array array)
            {
                long[] shape = declared.Length > 0 ? declared.Select(d => (long)d).ToArray() : [array.Length];
                result[field.Name] = (dtype, shape, Bytes(array));
                foreach (var (suffix, property) in new[] { ("square_avg", "SquareAvg"), ("grad_avg", "GradAvg"), ("momentum_buffer", "MomentumBuffer") })
                {
                    if (state.GetType().GetProperty(property)!.GetValue(state) is Array buffer)
                    {
                        result[$"{field.Name}.{suffix}"] = (dtype, shape, Bytes(buffer));
                    }
                }
            }
            else
            {
                result[field.Name] = (dtype, [], Bytes(value));
                foreach (var (suffix, member) in new[] { ("square_avg", "SquareAvg"), ("grad_avg", "GradAvg"), ("momentum_buffer", "MomentumBuffer") })
                {
                    result[$"{field.Name}.{suffix}"] = (dtype, [], Bytes(state.GetType().GetField(member)!.GetValue(state)!));
                }
            }
        }

        return result;
    }

    private static byte[] Bytes(object value) => value switch
    {
        float f => BitConverter.GetBytes(f),
        double d => BitConverter.GetBytes(d),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        _ => throw new ArgumentException(value.GetType().Name),
    };
}
