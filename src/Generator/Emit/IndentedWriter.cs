using System;
using System.Text;

namespace OptimizerGen.Generator.Emit;

/// <summary>Writes C# text line by line at the current indentation; <see cref="Block"/> opens a braced block.</summary>
internal sealed class IndentedWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (int i = 0; i < _depth; i++)
            {
                _text.Append(IndentUnit);
            }

            _text.Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (if any) and <c>{</c>, and indents until the returned scope is disposed and <c>}</c> is written.</summary>
    public Scope Block(string? header = null, string closing = "}")
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _depth++;
        return new Scope(this, closing);
    }

    /// <summary>Where the next line goes: a mark for <see cref="TextSince"/> and <see cref="InsertLines"/>.</summary>
    public int Position => _text.Length;

    /// <summary>The text written since <paramref name="position"/>.</summary>
    public string TextSince(int position) => _text.ToString(position, _text.Length - position);

    /// <summary>Inserts <paramref name="lines"/> at <paramref name="position"/> (a line start), at the current indentation.</summary>
    public void InsertLines(int position, System.Collections.Generic.IEnumerable<string> lines)
    {
        var inserted = new StringBuilder();
        foreach (string line in lines)
        {
            for (int i = 0; i < _depth; i++)
            {
                inserted.Append(IndentUnit);
            }

            inserted.Append(line).Append('\n');
        }

        _text.Insert(position, inserted.ToString());
    }

    /// <summary>Replaces the text written since <paramref name="position"/> with <paramref name="text"/>.</summary>
    public void ReplaceSince(int position, string text)
    {
        _text.Length = position;
        _text.Append(text);
    }

    public override string ToString() => _text.ToString();

    /// <summary>The end of a <see cref="Block"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly IndentedWriter _writer;
        private readonly string _closing;

        public Scope(IndentedWriter writer, string closing)
        {
            _writer = writer;
            _closing = closing;
        }

        public void Dispose()
        {
            _writer._depth--;
            _writer.Line(_closing);
        }
    }
}
