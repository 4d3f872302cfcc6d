using System;
using System.IO;
using System.Text.Json;

namespace OptimizerGen.Rules;

/// <summary>
/// Reading a user rule's hyperparameters back from a checkpoint's JSON; the code generated for an
/// <see cref="UpdateRuleAttribute"/> type calls it. Messages name the hyperparameter.
/// </summary>
public static class RuleJson
{
    /// <summary>The number <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a number.</exception>
    public static double Number(JsonElement json, string name) => SettingsJson.Number(json, name);

    /// <summary>The whole number <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a whole number.</exception>
    public static long Integer(JsonElement json, string name) =>
        SettingsJson.Property(json, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out long number)
            ? number
            : throw new InvalidDataException($"Checkpoint hyperparameter {name} is not a whole number.");

    /// <summary>The flag <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">It is missing or not true or false.</exception>
    public static bool Flag(JsonElement json, string name) => SettingsJson.Flag(json, name);

    /// <summary>Runs <paramref name="read"/>, turning a hyperparameter's <see cref="ArgumentOutOfRangeException"/> (a checking setter) into <see cref="InvalidDataException"/>.</summary>
    public static T Read<T>(Func<T> read) => SettingsJson.Read(read);
}
