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
