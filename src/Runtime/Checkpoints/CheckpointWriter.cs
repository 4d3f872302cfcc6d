using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptimizerGen.Checkpoints;

/// <summary>
/// Collects a model's tensors (parameters and optimizer state) and writes them as a safetensors checkpoint whose
/// <c>__metadata__</c> names the format, the model type, the optimizer and its hyperparameters, the step count and a
/// SHA-256 of the data. Used by the generated <c>SaveCheckpoint</c>.
/// </summary>
public sealed class CheckpointWriter
{
    /// <summary>The <c>format</c> metadata value of every OptimizerGen checkpoint.</summary>
    public const string Format = "optimizergen-checkpoint";

    /// <summary>The current <c>format_version</c>.</summary>
    public const string FormatVersion = "1";

    private readonly List<(string Name, TensorDType DType, long[] Shape, byte[] Data)> _tensors = new();
    private readonly Dictionary<string, string> _metadata;

    private CheckpointWriter(Dictionary<string, string> metadata) => _metadata = metadata;

    /// <summary>A writer for model type <paramref name="model"/> trained by <paramref name="optimizer"/> for <paramref name="step"/> steps.</summary>
    public static CheckpointWriter Create<TOptimizer>(string model, in TOptimizer optimizer, long step)
        where TOptimizer : IOptimizerSettings<TOptimizer>
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            optimizer.WriteJson(json);
            json.WriteEndObject();
        }

        return new CheckpointWriter(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["model"] = model,
            ["optimizer"] = TOptimizer.OptimizerName,
            ["hyperparameters"] = Encoding.UTF8.GetString(buffer.ToArray()),
            ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Adds a scalar (shape []).</summary>
    public void Add<T>(string name, T value)
        where T : unmanaged, IFloatingPointIeee754<T> => Add(name, [value], []);

    /// <summary>Adds an array with <paramref name="shape"/> (its length when null).</summary>
    public void Add<T>(string name, ReadOnlySpan<T> values, int[]? shape = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long[] dimensions = shape is null ? [values.Length] : Array.ConvertAll(shape, d => (long)d);
        byte[] data = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are written on little-endian machines only.");
        }

        _tensors.Add((name, typeof(T) == typeof(float) ? TensorDType.F32 : TensorDType.F64, dimensions, data));
    }

    /// <summary>Adds an array if it exists (an optimizer buffer that was never needed is null).</summary>
    public void AddIfPresent<T>(string name, T[]? values, int[]? shape = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is not null)
        {
            Add<T>(name, values, shape);
        }
    }

    /// <summary>Writes the checkpoint to <paramref name="destination"/>.</summary>
    public void WriteTo(Stream destination)
    {
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (var tensor in _tensors)
            {
                hash.AppendData(tensor.Data);
            }

            _metadata["sha256"] = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        SafeTensors.Write(destination, _tensors, _metadata);
    }

    /// <summary>
    /// Writes the checkpoint to <paramref name="path"/> atomically: to a temporary file beside it, flushed to disk, then
    /// renamed over <paramref name="path"/>. A crash mid-save leaves the previous checkpoint intact.
    /// </summary>
    public void WriteTo(string path)
    {
        string fullPath = Path.GetFullPath(path);
        // A short name beside the target (same file system, so the rename is atomic), whatever the target's length.
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, ".optg-" + Guid.NewGuid().ToString("N")[..16] + ".tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                WriteTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
