using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace OptimizerGen.Checkpoints;

/// <summary>The element types OptimizerGen stores.</summary>
public enum TensorDType
{
    /// <summary>32-bit IEEE float, safetensors "F32".</summary>
    F32,

    /// <summary>64-bit IEEE float, safetensors "F64".</summary>
    F64,
}

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its dimensions; empty for a scalar.</param>
/// <param name="Begin">Offset of its first byte in the data section.</param>
/// <param name="End">Offset just past its last byte.</param>
public sealed record TensorEntry(string Name, TensorDType DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>Bytes per element.</summary>
    public int ElementSize => DType == TensorDType.F32 ? 4 : 8;
}

/// <summary>
/// The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
/// N bytes of JSON header (each tensor's dtype, shape and data_offsets; string-valued <c>__metadata__</c>), padded
/// with spaces to a multiple of 8, then the tensors' raw little-endian bytes, back to back.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted when reading (safetensors' own limit is 100 MB).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors (name, dtype, shape, bytes) and metadata as one safetensors file.</summary>
    public static void Write(Stream destination, IReadOnlyList<(string Name, TensorDType DType, long[] Shape, byte[] Data)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (KeyValuePair<string, string> entry in metadata)
            {
                json.WriteString(entry.Key, entry.Value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var tensor in tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.ToString());
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.Shape)
                {
                    json.WriteNumberValue(dimension);
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

        int padding = (int)((8 - (headerStream.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            headerStream.WriteByte((byte)' ');
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerStream.Length);
        destination.Write(length);
        headerStream.Position = 0;
        headerStream.CopyTo(destination);
        foreach (var tensor in tensors)
        {
            destination.Write(tensor.Data);
        }
    }

    /// <summary>
    /// Reads and checks a whole safetensors file: header length, JSON, dtypes, shapes, and that the tensors' byte
    /// ranges match their shapes and tile the data section exactly.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated or malformed; the message says how.</exception>
    public static (IReadOnlyDictionary<string, TensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata, byte[] Data) Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(source, lengthBytes, "the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"The checkpoint's header length is {headerLength} bytes, more than the {MaxHeaderBytes} allowed: this is not a safetensors file, or it is corrupted.");
        }

        byte[] header = new byte[headerLength];
        ReadExactly(source, header, $"the {headerLength}-byte header");
        using var rest = new MemoryStream();
        source.CopyTo(rest);
        byte[] data = rest.ToArray();

        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("The checkpoint's header is not valid JSON: the file is corrupted.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("The checkpoint's header is not a JSON object.");
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new InvalidDataException("The checkpoint's __metadata__ is not an object.");
                    }

                    foreach (JsonProperty entry in property.Value.EnumerateObject())
                    {
                        string value = entry.Value.ValueKind == JsonValueKind.String
                            ? entry.Value.GetString()!
                            : throw new InvalidDataException($"Checkpoint metadata '{entry.Name}' is not a string.");
                        if (!metadata.TryAdd(entry.Name, value))
                        {
                            throw new InvalidDataException($"Checkpoint metadata '{entry.Name}' appears twice in the header.");
                        }
                    }

                    continue;
                }

                if (!tensors.TryAdd(property.Name, ParseEntry(property)))
                {
                    throw new InvalidDataException($"Tensor '{property.Name}' appears twice in the checkpoint's header.");
                }
            }
        }

        long expected = 0;
        foreach (TensorEntry tensor in tensors.Values.OrderBy(t => t.Begin))
        {
            if (tensor.Begin != expected || tensor.End - tensor.Begin != tensor.ElementCount * tensor.ElementSize)
            {
                throw new InvalidDataException($"Tensor '{tensor.Name}' has data_offsets [{tensor.Begin}, {tensor.End}] that do not match its shape or the tensors before it.");
            }

            expected = tensor.End;
        }

        if (expected != data.Length)
        {
            throw new InvalidDataException($"The checkpoint's data section has {data.Length} bytes, but its tensors need {expected}: the file is truncated or has trailing bytes.");
        }

        return (tensors, metadata, data);
    }

    private static TensorEntry ParseEntry(JsonProperty property)
    {
        JsonElement value = property.Value;
        string name = property.Name;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new InvalidDataException($"Tensor '{name}' in the checkpoint's header lacks a dtype, shape or data_offsets.");
        }

        TensorDType type = dtype.GetString() switch
        {
            "F32" => TensorDType.F32,
            "F64" => TensorDType.F64,
            var other => throw new InvalidDataException($"Tensor '{name}' has dtype {other}; OptimizerGen checkpoints hold F32 and F64 only."),
        };
        var dimensions = new List<long>();
        foreach (JsonElement dimension in shape.EnumerateArray())
        {
            dimensions.Add(dimension.TryGetInt64(out long d) && d >= 0 ? d : throw new InvalidDataException($"Tensor '{name}' has an invalid shape."));
        }

        long begin = offsets[0].TryGetInt64(out long b) && b >= 0 ? b : throw new InvalidDataException($"Tensor '{name}' has invalid data_offsets.");
        long end = offsets[1].TryGetInt64(out long e) && e >= begin ? e : throw new InvalidDataException($"Tensor '{name}' has invalid data_offsets.");
        return new TensorEntry(name, type, dimensions, begin, end);
    }

    private static void ReadExactly(Stream source, Span<byte> buffer, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = source.Read(buffer[total..]);
            if (read == 0)
            {
                throw new InvalidDataException($"The checkpoint ends before {what}: the file is truncated.");
            }

            total += read;
        }
    }

    internal static string Describe(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

}
