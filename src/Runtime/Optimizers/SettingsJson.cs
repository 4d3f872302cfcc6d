using System;
using System.IO;
using System.Text.Json;

namespace OptimizerGen;

/// <summary>Reading optimizer hyperparameters back from a checkpoint's JSON, with messages naming the option.</summary>
internal static class SettingsJson
{
    public static JsonElement Property(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new InvalidDataException($"Checkpoint hyperparameter {name} is missing.");

    public static double Number(JsonElement json, string name) =>
        Property(json, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetDouble(out double number)
            ? number
            : throw new InvalidDataException($"Checkpoint hyperparameter {name} is not a number.");

    public static bool Flag(JsonElement json, string name) => Property(json, name).ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new InvalidDataException($"Checkpoint hyperparameter {name} is not true or false."),
    };

    public static string Text(JsonElement json, string name) =>
        Property(json, name) is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : throw new InvalidDataException($"Checkpoint hyperparameter {name} is not a string.");

    public static MomentumStyle Style(JsonElement json, string name) =>
        Enum.TryParse(Text(json, name), out MomentumStyle style) && Enum.IsDefined(style)
            ? style
            : throw new InvalidDataException($"Checkpoint hyperparameter {name} is '{Text(json, name)}', which is not a MomentumStyle.");

    /// <summary>Runs <paramref name="read"/>, turning an option's <see cref="ArgumentOutOfRangeException"/> into <see cref="InvalidDataException"/>.</summary>
    public static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidDataException($"Checkpoint hyperparameter {ex.ParamName} is out of range: {ex.Message}", ex);
        }
    }
}
