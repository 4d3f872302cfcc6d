using System.Text.Json;

namespace OptimizerGen;

/// <summary>An optimizer's hyperparameters as a checkpoint stores them (a JSON object in the file's metadata).</summary>
/// <typeparam name="TSelf">The settings type.</typeparam>
public interface IOptimizerSettings<TSelf>
    where TSelf : IOptimizerSettings<TSelf>
{
    /// <summary>The optimizer's name in checkpoints, e.g. "RmsProp".</summary>
    static abstract string OptimizerName { get; }

    /// <summary>Writes every hyperparameter as a property of the current JSON object.</summary>
    void WriteJson(Utf8JsonWriter writer);

    /// <summary>Reads the hyperparameters written by <see cref="WriteJson"/>.</summary>
    /// <exception cref="System.IO.InvalidDataException">A value is missing, of the wrong kind or out of range.</exception>
    static abstract TSelf ReadJson(JsonElement json);
}
