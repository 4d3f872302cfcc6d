using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using Xunit;

namespace OptimizerGen.Samples.Tests;

/// <summary>The PNG check the sample tests rely on accepts a whole image and rejects broken ones.</summary>
public sealed class PngTests
{
    [Fact]
    public void ReadsTheSizeOfAWholeImage()
    {
        using var directory = new TempDirectory();
        string path = directory.File("ok.png");
        File.WriteAllBytes(path, MakePng(width: 3, height: 2, headerWidth: 3));

        PngInfo png = Png.Read(path);

        Assert.Equal((3, 2), (png.Width, png.Height));
    }

    [Fact]
    public void RejectsACutOffFileAWrongCrcAndPixelsThatDoNotFitTheHeader()
    {
        using var directory = new TempDirectory();
        byte[] whole = MakePng(width: 3, height: 2, headerWidth: 3);

        string cut = directory.File("cut.png");
        File.WriteAllBytes(cut, whole.AsSpan(0, whole.Length - 12).ToArray());   // no IEND
        Assert.Contains("IEND", Assert.Throws<InvalidDataException>(() => Png.Read(cut)).Message);

        string flipped = directory.File("flipped.png");
        byte[] corrupt = (byte[])whole.Clone();
        corrupt[8 + 8 + 2] ^= 1;   // a bit of IHDR's width
        File.WriteAllBytes(flipped, corrupt);
        Assert.Contains("CRC", Assert.Throws<InvalidDataException>(() => Png.Read(flipped)).Message);

        string mismatched = directory.File("mismatched.png");
        File.WriteAllBytes(mismatched, MakePng(width: 3, height: 2, headerWidth: 4));
        Assert.Contains("inflates to", Assert.Throws<InvalidDataException>(() => Png.Read(mismatched)).Message);
    }

    /// <summary>An 8-bit RGBA PNG whose pixel data is <paramref name="width"/> wide but whose header says <paramref name="headerWidth"/>.</summary>
    private static byte[] MakePng(int width, int height, int headerWidth)
    {
        var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)headerWidth);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;   // bit depth
        header[9] = 6;   // RGBA
        Chunk(output, "IHDR", header);

        var pixels = new MemoryStream();
        using (var deflater = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                deflater.WriteByte(0);   // filter: none
                for (int x = 0; x < width; x++)
                {
                    deflater.Write([(byte)(40 * x), (byte)(90 * y), 200, 255]);
                }
            }
        }

        Chunk(output, "IDAT", pixels.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        output.Write(length);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        output.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Png.Crc(typeAndData));
        output.Write(crc);
    }
}
