using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>One tensor of a safetensors file: name, dtype, shape and its bytes in the data section.</summary>
internal sealed record SafeTensor(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// An INDEPENDENT safetensors reader and writer, written from the format's specification
/// (https://github.com/huggingface/safetensors, "Format") and deliberately sharing no code with
/// src/Runtime/Checkpoints:
/// <list type="bullet">
/// <item>8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;</item>
/// <item>N bytes: a UTF-8 JSON object that begins with <c>{</c> and may be padded at the end with spaces (0x20);
/// each key but <c>__metadata__</c> is a tensor name mapped to <c>{"dtype", "shape", "data_offsets": [BEGIN, END]}</c>,
/// offsets relative to the start of the data section; <c>__metadata__</c> is a string-to-string map; duplicate keys are
/// not allowed;</item>
/// <item>the rest: the byte buffer, little-endian, row-major, which the tensors must index entirely, without holes
/// or overlaps.</item>
/// </list>
/// The reference writer pads the header with spaces so N is a multiple of 8 (the data then starts 8-aligned).
/// </summary>
internal sealed class SafeTensorsFile
{
    /// <summary>Element sizes of the specification's dtypes.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["F64"] = 8, ["I64"] = 8, ["U64"] = 8,
    };

    private SafeTensorsFile(ulong headerLength, string headerText, IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<SafeTensor> tensors, byte[] data)
    {
        HeaderLength = headerLength;
        HeaderText = headerText;
        Metadata = metadata;
        Tensors = tensors;
        Data = data;
    }

    public ulong HeaderLength { get; }

    /// <summary>The header as stored, padding included.</summary>
    public string HeaderText { get; }

    /// <summary>__metadata__, or null when absent.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    public byte[] Data { get; }

    public SafeTensor Tensor(string name) => Tensors.Single(t => t.Name == name);

    public ReadOnlySpan<byte> Bytes(string name)
    {
        SafeTensor tensor = Tensor(name);
        return Data.AsSpan((int)tensor.Begin, (int)(tensor.End - tensor.Begin));
    }

    public float[] Floats(string name) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Bytes(name)).ToArray();

    public double[] Doubles(string name) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(Bytes(name)).ToArray();

    /// <summary>Parses <paramref name="file"/> strictly by the specification; any violation is a <see cref="FormatException"/>.</summary>
    public static SafeTensorsFile Parse(byte[] file)
    {
        if (file.Length < 8)
        {
            throw new FormatException($"file of {file.Length} bytes has no 8-byte header length");
        }

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        if (n > (ulong)(file.Length - 8))
        {
            throw new FormatException($"header length {n} exceeds the file ({file.Length} bytes)");
        }

        ReadOnlySpan<byte> headerBytes = file.AsSpan(8, (int)n);
        if (headerBytes.Length == 0 || headerBytes[0] != (byte)'{')
        {
            throw new FormatException("the header does not begin with '{'");
        }

        string headerText = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes);
        byte[] data = file.AsSpan(8 + (int)n).ToArray();

        using JsonDocument document = JsonDocument.Parse(headerText);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the header is not a JSON object");
        }

        Dictionary<string, string>? metadata = null;
        var tensors = new List<SafeTensor>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (!keys.Add(property.Name))
            {
                throw new FormatException($"duplicate key '{property.Name}' in the header");
            }

            if (property.Name == "__metadata__")
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("__metadata__ is not an object");
                }

                metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (JsonProperty entry in property.Value.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.String)
                    {
                        throw new FormatException($"__metadata__ value '{entry.Name}' is a {entry.Value.ValueKind}, not a string");
                    }

                    if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                    {
                        throw new FormatException($"duplicate __metadata__ key '{entry.Name}'");
                    }
                }

                continue;
            }

            tensors.Add(ParseTensor(property));
        }

        long expected = 0;
        foreach (SafeTensor tensor in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (tensor.Begin != expected)
            {
                throw new FormatException($"tensor '{tensor.Name}' begins at {tensor.Begin}, expected {expected}: a hole or an overlap");
            }

            expected = tensor.End;
        }

        if (expected != data.Length)
        {
            throw new FormatException($"the tensors index {expected} bytes but the data section has {data.Length}");
        }

        return new SafeTensorsFile(n, headerText, metadata, tensors, data);
    }

    private static SafeTensor ParseTensor(JsonProperty property)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"tensor '{name}' is not an object");
        }

        var members = value.EnumerateObject().Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        if (!members.SequenceEqual(new[] { "data_offsets", "dtype", "shape" }))
        {
            throw new FormatException($"tensor '{name}' has members [{string.Join(", ", members)}], not dtype, shape and data_offsets");
        }

        string dtype = value.GetProperty("dtype").GetString() ?? throw new FormatException($"tensor '{name}' dtype is not a string");
        if (!DTypeSizes.TryGetValue(dtype, out int size))
        {
            throw new FormatException($"tensor '{name}' has unknown dtype '{dtype}'");
        }

        long[] shape = value.GetProperty("shape").EnumerateArray()
            .Select(d => d.TryGetInt64(out long x) && x >= 0 ? x : throw new FormatException($"tensor '{name}' has a bad dimension {d}"))
            .ToArray();
        long[] offsets = value.GetProperty("data_offsets").EnumerateArray()
            .Select(d => d.TryGetInt64(out long x) && x >= 0 ? x : throw new FormatException($"tensor '{name}' has a bad offset {d}"))
            .ToArray();
        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw new FormatException($"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]");
        }

        long elements = shape.Aggregate(1L, (product, d) => checked(product * d));
        if (offsets[1] - offsets[0] != checked(elements * size))
        {
            throw new FormatException($"tensor '{name}': {offsets[1] - offsets[0]} bytes for shape [{string.Join(", ", shape)}] of {dtype}");
        }

        return new SafeTensor(name, dtype, shape, offsets[0], offsets[1]);
    }

    /// <summary>Lowercase hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Writes the 8-byte length, <paramref name="headerJson"/> padded with spaces to a multiple of 8, then <paramref name="data"/>.</summary>
    public static byte[] Assemble(string headerJson, ReadOnlySpan<byte> data, bool pad = true)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        int padding = pad ? (8 - (header.Length % 8)) % 8 : 0;
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(header.Length + padding));
        output.Write(length);
        output.Write(header);
        for (int i = 0; i < padding; i++)
        {
            output.WriteByte((byte)' ');
        }

        output.Write(data);
        return output.ToArray();
    }
}

/// <summary>
/// A checkpoint taken apart into editable metadata and tensors and put back together with consistent offsets (and,
/// unless told otherwise, a recomputed SHA-256), so a test can break exactly one thing.
/// </summary>
internal sealed class CheckpointEditor
{
    public CheckpointEditor(byte[] goodFile)
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(goodFile);
        Metadata = file.Metadata!.Select(kv => (kv.Key, kv.Value)).ToList();
        Tensors = file.Tensors.Select(t => new EditableTensor(t.Name, t.DType, t.Shape, file.Bytes(t.Name).ToArray())).ToList();
    }

    /// <summary>Metadata in order (a list, so a test may also duplicate or drop keys).</summary>
    public List<(string Key, string Value)> Metadata { get; }

    public List<EditableTensor> Tensors { get; }

    public bool RecomputeSha256 { get; set; } = true;

    public EditableTensor Tensor(string name) => Tensors.Single(t => t.Name == name);

    public string this[string key]
    {
        get => Metadata.Single(m => m.Key == key).Value;
        set
        {
            int index = Metadata.FindIndex(m => m.Key == key);
            if (index < 0)
            {
                Metadata.Add((key, value));
            }
            else
            {
                Metadata[index] = (key, value);
            }
        }
    }

    public string HeaderJson()
    {
        byte[] data = DataSection();
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in Metadata)
            {
                json.WriteString(key, key == "sha256" && RecomputeSha256 ? SafeTensorsFile.Sha256(data) : value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (EditableTensor tensor in Tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (long d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.Length;
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public byte[] DataSection() => Tensors.SelectMany(t => t.Data).ToArray();

    public byte[] ToBytes() => SafeTensorsFile.Assemble(HeaderJson(), DataSection());
}

internal sealed class EditableTensor(string name, string dtype, long[] shape, byte[] data)
{
    public string Name { get; set; } = name;

    public string DType { get; set; } = dtype;

    public long[] Shape { get; set; } = shape;

    public byte[] Data { get; set; } = data;
}
