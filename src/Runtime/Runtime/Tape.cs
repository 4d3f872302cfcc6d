using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace OptimizerGen.Runtime;

/// <summary>
/// The stack on which a generated gradient records, in the forward pass, the values its reverse pass needs back
/// (overwritten locals, branches taken). It lives in an array the model owns, grown (doubled) only when a sample needs
/// more than any sample before, so after warm-up nothing is allocated. Not meant to be used by hand.
/// </summary>
/// <typeparam name="T">float, double or bool.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct Tape<T>
{
    private ref T[] _storage;
    private int _top;

    /// <summary>A tape over <paramref name="storage"/>, empty; grows <paramref name="storage"/> in place when full.</summary>
    public Tape(ref T[] storage)
    {
        _storage = ref storage;
        _top = 0;
    }

    /// <summary>Records <paramref name="value"/> and returns it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Push(T value)
    {
        T[] storage = _storage;
        int top = _top;
        if ((uint)top < (uint)storage.Length)
        {
            storage[top] = value;
            _top = top + 1;
            return value;
        }

        return PushGrowing(value);
    }

    /// <summary>Takes back the most recently recorded value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop() => _storage[--_top];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private T PushGrowing(T value)
    {
        Array.Resize(ref _storage, Math.Max(16, _storage.Length * 2));
        _storage[_top++] = value;
        return value;
    }
}
