using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using OptimizerGen.Rules;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>
/// The rule loop is fast only when the JIT inlines the whole chain into one loop: each width's <c>Vectors</c> and each
/// kernel's <c>Apply</c>. With tiered PGO the JIT often inlines them anyway; without it (ReadyToRun, NativeAOT,
/// <c>DOTNET_TieredPGO=0</c>, <c>DOTNET_TieredCompilation=0</c>) it did not, and the loop called <c>Apply</c> per vector
/// with its vectors in memory: 3–4× slower (docs/benchmarks.md). So every one of them is marked AggressiveInlining.
/// </summary>
public sealed class RuleInliningTests
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        Type[] types = typeof(ElementwiseLoop).Assembly.GetTypes();
        foreach (Type type in types)
        {
            foreach (Type contract in type.GetInterfaces().Where(i => i.IsGenericType))
            {
                Type definition = contract.GetGenericTypeDefinition();
                if (definition == typeof(IVectorUpdate<>) || definition == typeof(IElementwiseUpdate<>))
                {
                    data.Add(type.FullName + (definition == typeof(IVectorUpdate<>) ? "|Apply" : "|Vectors"));
                }
            }
        }

        return data;
    }

    [Fact]
    public void Every_built_in_rule_has_kernels()
    {
        // SGD (plain, momentum), AdaGrad, AdaDelta, Adam (plain, AMSGrad): six element updates and six kernels.
        Assert.Equal(12, Methods().Count);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Is_aggressively_inlined(string typeAndMethod)
    {
        string[] parts = typeAndMethod.Split('|');
        Type type = typeof(ElementwiseLoop).Assembly.GetType(parts[0], throwOnError: true)!;
        MethodInfo method = type.GetMethod(parts[1], BindingFlags.Public | BindingFlags.Instance)!;
        Assert.True(
            method.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveInlining),
            $"{type.Name}.{method.Name} is not marked MethodImplOptions.AggressiveInlining");
    }
}
