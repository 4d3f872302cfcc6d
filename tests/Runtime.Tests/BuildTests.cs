using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace OptimizerGen.Runtime.Tests;

/// <summary>What these tests run against.</summary>
public class BuildTests
{
    /// <summary>
    /// The project references the runtime with <c>AdditionalProperties="Configuration=Release"</c>: the kernel under
    /// test is JIT-optimized, as users get it, whatever configuration the tests (or the solution) are built in.
    /// </summary>
    [Fact]
    public void RuntimeUnderTest_IsAnOptimizedBuild()
    {
        Assembly runtime = typeof(RmsProp).Assembly;
        Assert.Equal("OptimizerGen.Runtime", runtime.GetName().Name);
        DebuggableAttribute? debuggable = runtime.GetCustomAttribute<DebuggableAttribute>();
        Assert.False(debuggable?.IsJITOptimizerDisabled ?? false, $"{runtime.Location} was built with optimizations off");
    }
}
