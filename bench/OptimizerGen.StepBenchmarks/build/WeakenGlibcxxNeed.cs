// An MSBuild inline task (compiled by RoslynCodeTaskFactory; see TorchSharpOnDebian12.targets), not part of the
// benchmark program.
//
// TorchSharp-cpu 0.107.0's libLibTorchSharp.so declares a need for the version GLIBCXX_3.4.32 (GCC 13's libstdc++)
// only for std::ios_base_library_init(), a symbol it never calls. Debian 12 ships GCC 12's libstdc++, so the dynamic
// loader refuses the library ("version `GLIBCXX_3.4.32' not found"). Marking that one version need weak
// (VER_FLG_WEAK in its Vernaux entry of the ELF .gnu.version_r section) makes the loader accept it. Only the copies
// in the build output are changed, never the package cache. The file's timestamp is kept, so a later incremental
// copy of the same file (same size and time) is skipped and does not undo the patch.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The shared libraries to patch (missing files are skipped).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version need to mark weak.</summary>
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                string result = Patch(path, Version);
                Log.LogMessage(MessageImportance.Normal, $"WeakenGlibcxxNeed: {path}: {result}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogError($"WeakenGlibcxxNeed: could not patch {path}: {e.Message}");
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static string Patch(string path, string version)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian 64-bit ELF file");
        }

        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A);
        int shnum = U16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (U32(elf, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            long offset = (long)U64(elf, sh + 0x18);
            uint link = U32(elf, sh + 0x28);
            uint entries = U32(elf, sh + 0x2C);
            long strtab = (long)U64(elf, shoff + link * (long)shentsize + 0x18);

            long verneed = offset;
            for (uint n = 0; n < entries; n++)
            {
                int count = U16(elf, verneed + 2);
                long vernaux = verneed + U32(elf, verneed + 8);
                for (int a = 0; a < count; a++)
                {
                    if (CString(elf, strtab + U32(elf, vernaux + 8)) == version)
                    {
                        ushort flags = U16(elf, vernaux + 4);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            return $"{version} is already a weak version need";
                        }

                        flags |= VerFlgWeak;
                        elf[vernaux + 4] = (byte)flags;
                        elf[vernaux + 5] = (byte)(flags >> 8);
                        DateTime time = File.GetLastWriteTimeUtc(path);
                        File.WriteAllBytes(path, elf);
                        File.SetLastWriteTimeUtc(path, time);
                        return $"marked the version need {version} weak";
                    }

                    vernaux += U32(elf, vernaux + 12);
                }

                verneed += U32(elf, verneed + 12);
            }

            return $"no version need {version} (nothing to do)";
        }

        return "no .gnu.version_r section (nothing to do)";
    }

    private static ushort U16(byte[] b, long at) => (ushort)(b[at] | b[at + 1] << 8);

    private static uint U32(byte[] b, long at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);

    private static ulong U64(byte[] b, long at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;

    private static string CString(byte[] b, long at)
    {
        long end = at;
        while (b[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }
}
