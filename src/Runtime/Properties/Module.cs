using System.Runtime.CompilerServices;

// The update kernels' frames hold vector-sized locals (the rules' kernels for every width); C# definite assignment
// already guarantees none is read before it is written, so the JIT need not zero them on every call. The runtime's
// stackallocs are all written before they are read.
[module: SkipLocalsInit]
