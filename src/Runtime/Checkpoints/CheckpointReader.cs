using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace OptimizerGen.Checkpoints;

/// <summary>
/// Reads an OptimizerGen checkpoint and checks it against what a model expects — before anything is changed: the
/// generated <c>LoadCheckpoint</c> first declares every tensor (<see cref="Expect"/>), then calls <see cref="CheckComplete"/>,
/// and only then copies values into the model. Every problem is an <see cref="InvalidDataException"/> naming the
/// tensor and what is wrong.
/// </summary>
public sealed class CheckpointReader
{
    private readonly IReadOnlyDictionary<string, TensorEntry> _tensors;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly byte[] _data;
    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);

    private CheckpointReader(IReadOnlyDictionary<string, TensorEntry> tensors, IReadOnlyDictionary<string, string> metadata, byte[] data)
    {
        _tensors = tensors;
        _metadata = metadata;
        _data = data;
    }

    /// <summary>The step count stored in the checkpoint.</summary>
    public long Step { get; private init; }

    /// <summary>The metadata, as stored.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Reads a checkpoint of model type <paramref name="model"/> and optimizer <typeparamref name="TOptimizer"/>, checking its integrity.</summary>
    /// <exception cref="InvalidDataException">Not an OptimizerGen checkpoint, another model or optimizer, truncated or corrupted.</exception>
    public static CheckpointReader Read<TOptimizer>(Stream source, string model, out TOptimizer hyperparameters)
        where TOptimizer : IOptimizerSettings<TOptimizer>
    {
        var (tensors, metadata, data) = SafeTensors.Read(source);
        string Meta(string key) => metadata.TryGetValue(key, out string? value)
            ? value
            : throw new InvalidDataException($"The checkpoint has no '{key}' metadata: it was not written by OptimizerGen.");

        if (Meta("format") != CheckpointWriter.Format)
        {
            throw new InvalidDataException($"The checkpoint's format is '{Meta("format")}', not '{CheckpointWriter.Format}'.");
        }

        if (Meta("format_version") != CheckpointWriter.FormatVersion)
        {
            throw new InvalidDataException($"The checkpoint has format version {Meta("format_version")}; this OptimizerGen reads version {CheckpointWriter.FormatVersion}.");
        }

        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(data);
            if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), Meta("sha256"), StringComparison.Ordinal))
            {
                throw new InvalidDataException("The checkpoint's data does not match its SHA-256: the file is corrupted.");
            }
        }

        if (Meta("model") != model)
        {
            throw new InvalidDataException($"The checkpoint is of model '{Meta("model")}', not '{model}'.");
        }

        if (Meta("optimizer") != TOptimizer.OptimizerName)
        {
            throw new InvalidDataException($"The checkpoint was trained with optimizer '{Meta("optimizer")}', not '{TOptimizer.OptimizerName}'.");
        }

        try
        {
            using JsonDocument json = JsonDocument.Parse(Meta("hyperparameters"));
            hyperparameters = TOptimizer.ReadJson(json.RootElement);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("The checkpoint's hyperparameters are not valid JSON.", ex);
        }

        long step = long.TryParse(Meta("step"), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)
            ? parsed
            : throw new InvalidDataException($"The checkpoint's step '{Meta("step")}' is not a non-negative whole number.");
        return new CheckpointReader(tensors, metadata, data) { Step = step };
    }

    /// <summary>
    /// Declares tensor <paramref name="name"/>: when present it must have <paramref name="dtype"/> and
    /// <paramref name="shape"/> (empty for a scalar); when <paramref name="required"/>, it must be present.
    /// </summary>
    /// <returns>Whether the checkpoint has it.</returns>
    public bool Expect(string name, TensorDType dtype, int[] shape, bool required)
    {
        _expected.Add(name);
        if (!_tensors.TryGetValue(name, out TensorEntry? tensor))
        {
            return required
                ? throw new InvalidDataException($"The checkpoint has no tensor '{name}'.")
                : false;
        }

        if (tensor.DType != dtype)
        {
            throw new InvalidDataException($"Tensor '{name}' is {tensor.DType} in the checkpoint, but the model's is {dtype}.");
        }

        if (!tensor.Shape.SequenceEqual(shape.Select(d => (long)d)))
        {
            throw new InvalidDataException($"Tensor '{name}' has shape {SafeTensors.Describe(tensor.Shape)} in the checkpoint, but the model's is {SafeTensors.Describe(shape.Select(d => (long)d).ToList())}.");
        }

        return true;
    }

    /// <summary>Throws if the checkpoint holds a tensor no <see cref="Expect"/> call declared.</summary>
    public void CheckComplete()
    {
        string? extra = _tensors.Keys.Where(k => !_expected.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null)
        {
            throw new InvalidDataException($"The checkpoint has a tensor '{extra}' that the model does not have.");
        }
    }

    /// <summary>The scalar tensor <paramref name="name"/>.</summary>
    public T Scalar<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T> => Span<T>(name)[0];

    /// <summary>Copies tensor <paramref name="name"/> into <paramref name="destination"/> (same length, checked by <see cref="Expect"/>).</summary>
    public void CopyTo<T>(string name, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => Span<T>(name).CopyTo(destination);

    /// <summary>A new array holding tensor <paramref name="name"/>, or null when the checkpoint does not have it.</summary>
    public T[]? ArrayOrNull<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T> => _tensors.ContainsKey(name) ? Span<T>(name).ToArray() : null;

    private ReadOnlySpan<T> Span<T>(string name)
        where T : unmanaged
    {
        TensorEntry tensor = _tensors[name];
        return MemoryMarshal.Cast<byte, T>(_data.AsSpan((int)tensor.Begin, (int)(tensor.End - tensor.Begin)));
    }
}
