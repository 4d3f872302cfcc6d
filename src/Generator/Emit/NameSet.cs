using System;
using System.Collections.Generic;

namespace OptimizerGen.Generator.Emit;

/// <summary>Hands out names for generated locals that collide with no name already taken (the user's, or earlier ones).</summary>
internal sealed class NameSet
{
    private readonly HashSet<string> _taken;

    public NameSet(IEnumerable<string> taken) => _taken = new HashSet<string>(taken, StringComparer.Ordinal);

    /// <summary><paramref name="preferred"/> if free, else <c>preferred_2</c>, <c>preferred_3</c>, …</summary>
    public string Fresh(string preferred)
    {
        string name = preferred;
        for (int i = 2; !_taken.Add(name); i++)
        {
            name = preferred + "_" + i;
        }

        return name;
    }

    /// <summary>The first free name <c>prefix0</c>, <c>prefix1</c>, … counting on from <paramref name="next"/>.</summary>
    public string Numbered(string prefix, ref int next)
    {
        string name;
        do
        {
            name = prefix + next++;
        }
        while (!_taken.Add(name));
        return name;
    }
}
