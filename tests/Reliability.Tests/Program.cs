using System;
using System.IO;
using System.Numerics;
using System.Runtime.Intrinsics;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// The test assembly is also a console program (GenerateProgramFile is off), so tests can re-run a check in a child
/// process under another environment:
/// <list type="bullet">
/// <item><c>finite-guard</c>: the non-finite guard over every array length and position
/// (<see cref="NonFiniteGuardCheck"/>), started with <c>DOTNET_EnableAVX512=0</c> or <c>DOTNET_EnableHWIntrinsic=0</c>;
/// prints the vector widths it sees, every failure, and <see cref="PassMarker"/>; exit code 0 only when all passed.</item>
/// <item><c>save-big &lt;path&gt;</c>: saves a 400 KB checkpoint to a path, started under a small file-size limit so the
/// write fails part-way; prints <c>THREW</c> and the exception and exits 0 when the save threw.</item>
/// </list>
/// </summary>
public static class Program
{
    public const string FiniteGuardCommand = "finite-guard";
    public const string SaveBigCommand = "save-big";
    public const string PassMarker = "ALL CHECKS PASSED";

    public static int Main(string[] args)
    {
        switch (args)
        {
            case [FiniteGuardCommand]:
                Console.WriteLine(HardwareLine());
                var failures = NonFiniteGuardCheck.RunArrays(out int cases);
                foreach (string failure in failures)
                {
                    Console.WriteLine("FAIL " + failure);
                }

                Console.WriteLine($"cases: {cases}");
                if (failures.Count == 0 && cases > 0)
                {
                    Console.WriteLine(PassMarker);
                    return 0;
                }

                return 1;

            case [SaveBigCommand, string path]:
                var model = new BigModel();
                Gradients.Train(model, 1);
                Console.WriteLine("SAVING");
                try
                {
                    model.SaveCheckpoint(path);
                    Console.WriteLine("SAVED");
                    return 3;
                }
                catch (Exception ex)
                {
                    // .NET reports EFBIG as ArgumentOutOfRangeException ("file length was too large for the file system").
                    Console.WriteLine($"THREW {ex.GetType().FullName}: {ex.Message}");
                    return 0;
                }

            default:
                Console.Error.WriteLine($"usage: dotnet exec OptimizerGen.Reliability.Tests.dll {FiniteGuardCommand} | {SaveBigCommand} <path>");
                return 2;
        }
    }

    /// <summary>The vector widths this process accelerates.</summary>
    public static string HardwareLine() =>
        $"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated} " +
        $"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated} " +
        $"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated} " +
        $"Vector.IsHardwareAccelerated={Vector.IsHardwareAccelerated} Vector<float>.Count={Vector<float>.Count}";
}
