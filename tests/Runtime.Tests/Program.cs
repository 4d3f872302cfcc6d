using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using OptimizerGen.Runtime.Tests.Support;
using OptimizerGen.Simd;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// The test assembly's own entry point (the project sets <c>GenerateProgramFile</c> to false; xunit ignores it).
/// <c>dotnet exec OptimizerGen.Runtime.Tests.dll dispatch-check</c> reports which vector widths this process
/// accelerates, then runs <see cref="OptimizerGen.Kernels.RmsPropKernel.Update"/> (and <see cref="RmsPropState{T}"/>, with its plain step)
/// against the reference for every option combination, for float and double, at every length
/// 0 … 4·Vector512&lt;T&gt;.Count + 1 for a sample of them. <see cref="DispatchPathTests"/> starts it with the
/// JIT's ISA switches turned off, so the dispatcher takes its Vector256, Vector128 and scalar paths for real.
/// </summary>
public static class Program
{
    public const string DispatchCheck = "dispatch-check";

    public const string PassMarker = "DISPATCH-CHECK PASSED";

    public static int Main(string[] args)
    {
        if (args is not [DispatchCheck])
        {
            Console.Error.WriteLine($"usage: dotnet exec OptimizerGen.Runtime.Tests.dll {DispatchCheck}");
            return 2;
        }

        Console.WriteLine($"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}");
        Console.WriteLine($"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated}");
        Console.WriteLine($"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated}");
        Console.WriteLine($"Simd512<float>={Simd512<float>.IsHardwareAccelerated} Simd256<float>={Simd256<float>.IsHardwareAccelerated} Simd128<float>={Simd128<float>.IsHardwareAccelerated}");
        Console.WriteLine($"Simd512<double>={Simd512<double>.IsHardwareAccelerated} Simd256<double>={Simd256<double>.IsHardwareAccelerated} Simd128<double>={Simd128<double>.IsHardwareAccelerated}");
        Console.WriteLine($"DOTNET_TieredCompilation={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation")}");
        var clock = Stopwatch.StartNew();
        try
        {
            // Every combination at two lengths with a tail for every width (2·16 − 1 floats = 31 = 3·8 + 7 = 7·4 + 3;
            // 4·16 + 1 = 65), and every 7th combination (7 is coprime to the grid's radices 2 and 3, so every option
            // value and loop variant occurs) at every length 0 … 4·Vector512<T>.Count + 1.
            int cases = 0;
            for (int i = 0; i < Combo.Count; i++)
            {
                Combo combo = Combo.FromIndex(i);
                bool everyLength = i % 7 == 0;
                cases += Check<float>(combo, everyLength);
                cases += Check<double>(combo, everyLength);
                KernelHarness.CheckState<float>(combo, KernelHarness.MaxLength<float>());
                KernelHarness.CheckState<double>(combo, KernelHarness.MaxLength<double>());
                cases += 2;
                if (KernelHarness.CheckPlainStep<float>(combo, KernelHarness.MaxLength<float>()) &
                    KernelHarness.CheckPlainStep<double>(combo, KernelHarness.MaxLength<double>()))
                {
                    cases += 2;   // the plain step's own dispatcher, for the combinations that are plain
                }
                if (everyLength)
                {
                    // Gradient clipping folded in: a norm factor and a value clamp.
                    var clip = new KernelHarness.Clip(0.6, 2.0);
                    KernelHarness.CheckDispatcher<float>(combo, KernelHarness.MaxLength<float>(), clip);
                    KernelHarness.CheckDispatcher<double>(combo, KernelHarness.MaxLength<double>(), clip);
                    cases += 2;
                }
            }

            Console.WriteLine($"{PassMarker}: {cases} cases of {KernelHarness.Steps} steps in {clock.ElapsedMilliseconds} ms");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"DISPATCH-CHECK FAILED: {e}");
            return 1;
        }
    }

    private static int Check<T>(Combo combo, bool everyLength)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int max = KernelHarness.MaxLength<T>();
        if (!everyLength)
        {
            KernelHarness.CheckDispatcher<T>(combo, (2 * Vector512<T>.Count) - 1);
            KernelHarness.CheckDispatcher<T>(combo, max);
            return 2;
        }

        for (int n = 0; n <= max; n++)
        {
            KernelHarness.CheckDispatcher<T>(combo, n);
        }

        return max + 1;
    }
}
