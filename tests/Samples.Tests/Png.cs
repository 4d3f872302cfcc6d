using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace OptimizerGen.Samples.Tests;

/// <summary>A PNG file's size, read and checked without an image library.</summary>
public readonly record struct PngInfo(int Width, int Height, int DistinctFilteredBytes);

/// <summary>
/// Reads a PNG the way a decoder does, short of unfiltering the pixels: the signature, every chunk's CRC, the IHDR
/// header, and the IDAT stream inflated to exactly the bytes the header's size and pixel format call for. Throws
/// <see cref="InvalidDataException"/> saying what is wrong.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = MakeCrcTable();

    public static PngInfo Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < Signature.Length || !file.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException($"{path} does not start with the PNG signature.");
        }

        int width = 0, height = 0, bytesPerPixel = 0;
        bool sawHeader = false, sawEnd = false;
        var compressed = new MemoryStream();
        int offset = Signature.Length;
        while (offset < file.Length && !sawEnd)
        {
            if (offset + 12 > file.Length)
            {
                throw new InvalidDataException($"{path}: a chunk is cut off at byte {offset}.");
            }

            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset)));
            if (offset + 12L + length > file.Length)
            {
                throw new InvalidDataException($"{path}: a chunk of {length} bytes runs past the end of the file.");
            }

            string type = Encoding.ASCII.GetString(file, offset + 4, 4);
            ReadOnlySpan<byte> data = file.AsSpan(offset + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 8 + length));
            if (crc != Crc(file.AsSpan(offset + 4, 4 + length)))
            {
                throw new InvalidDataException($"{path}: chunk {type} has a wrong CRC.");
            }

            if (!sawHeader && type != "IHDR")
            {
                throw new InvalidDataException($"{path}: the first chunk is {type}, not IHDR.");
            }

            switch (type)
            {
                case "IHDR":
                    width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    byte bitDepth = data[8], colorType = data[9], interlace = data[12];
                    int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"{path}: colour type {colorType}.") };
                    if (bitDepth != 8 || interlace != 0)
                    {
                        throw new InvalidDataException($"{path}: bit depth {bitDepth}, interlace {interlace}; expected an 8-bit, non-interlaced image.");
                    }

                    bytesPerPixel = channels;
                    sawHeader = true;
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            offset += 12 + length;
        }

        if (!sawEnd)
        {
            throw new InvalidDataException($"{path} has no IEND chunk: the file is cut off.");
        }

        // Every row is a filter-type byte and width × bytesPerPixel bytes.
        long expected = (long)height * (1 + (long)width * bytesPerPixel);
        compressed.Position = 0;
        using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
        var seen = new HashSet<byte>();
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = inflater.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
            for (int i = 0; i < read; i++)
            {
                seen.Add(buffer[i]);
            }
        }

        if (total != expected)
        {
            throw new InvalidDataException($"{path}: the image data inflates to {total} bytes, not the {expected} that {width}×{height} pixels take.");
        }

        return new PngInfo(width, height, seen.Count);
    }

    /// <summary>The CRC-32 a PNG chunk ends with, of its type and data.</summary>
    internal static uint Crc(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
