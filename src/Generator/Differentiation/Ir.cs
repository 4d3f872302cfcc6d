using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Differentiation;

// The loss method as an equatable tree: what the parser understood of the user's C#, with every local renamed to a
// unique name, every implicit conversion made explicit and every compound assignment spelled out. The emitter writes
// the forward pass and the reverse (adjoint) pass from it.

/// <summary>The type of a value in the loss.</summary>
internal enum NumType
{
    Float,
    Double,
    Int,
    Bool,
}

/// <summary>The functions whose derivatives the emitter knows.</summary>
internal enum Function
{
    Exp,
    Log,
    Sqrt,
    Pow,
    Tanh,
    Sin,
    Cos,
    Abs,
    Max,
    Min,
    Sigmoid,
    Softplus,
    Relu,
}

/// <summary>An expression of the loss; <see cref="Type"/> is its type after conversions.</summary>
internal abstract record Expr(NumType Type)
{
    /// <summary>Whether the value can depend on a parameter (int and bool values never do).</summary>
    public bool IsReal => Type is NumType.Float or NumType.Double;
}

/// <summary>A literal, already written as C# of its type (e.g. <c>0.5f</c>).</summary>
internal sealed record Literal(string Code, NumType Type) : Expr(Type);

/// <summary>
/// A value that is constant with respect to the parameters and is written as-is: an input (argument) of the loss, a
/// loop counter, an int local, <c>x.Length</c>, a constant or a non-parameter field (qualified with <c>this.</c>).
/// </summary>
internal sealed record Constant(string Code, NumType Type) : Expr(Type);

/// <summary>An element of an input vector: <c>x[i]</c>.</summary>
internal sealed record InputElement(string Input, Expr Index, NumType Type) : Expr(Type);

/// <summary>A float/double local of the loss (renamed to be unique in the method).</summary>
internal sealed record Local(string Name, NumType Type) : Expr(Type);

/// <summary>A scalar parameter field.</summary>
internal sealed record ParamScalar(string Field, NumType Type) : Expr(Type);

/// <summary>An element of an array parameter field: <c>W[i]</c>.</summary>
internal sealed record ParamElement(string Field, Expr Index, NumType Type) : Expr(Type);

/// <summary>A unary operator: <c>-</c> (and <c>!</c> on conditions).</summary>
internal sealed record Unary(string Operator, Expr Operand, NumType Type) : Expr(Type);

/// <summary>A binary operator: arithmetic on numbers, comparisons and logic on conditions.</summary>
internal sealed record Binary(string Operator, Expr Left, Expr Right, NumType Type) : Expr(Type);

/// <summary>A call of a function with a known derivative.</summary>
internal sealed record Call(Function Function, EquatableArray<Expr> Arguments, NumType Type) : Expr(Type);

/// <summary><c>condition ? whenTrue : whenFalse</c>; the condition is not differentiated.</summary>
internal sealed record Conditional(Expr Condition, Expr WhenTrue, Expr WhenFalse, NumType Type) : Expr(Type);

/// <summary>A conversion between numeric types, explicit or implicit.</summary>
internal sealed record Cast(Expr Operand, NumType Type) : Expr(Type);

/// <summary>A statement of the loss. <see cref="Source"/> is the user's text, for comments.</summary>
internal abstract record Stmt(string Source);

/// <summary>
/// <c>Target = Value</c> on a float/double local (declarations and compound assignments become this).
/// <see cref="SaveOldValue"/>: the old value is pushed on the tape, because the reverse pass needs it back.
/// <see cref="FirstAssignment"/>: a declaration outside any loop, before which the local has no value (or adjoint) at all.
/// </summary>
internal sealed record Assign(string Source, string Target, NumType Type, Expr Value, bool SaveOldValue, bool FirstAssignment = false) : Stmt(Source);

/// <summary>An int local's one assignment (its declaration); never differentiated.</summary>
internal sealed record IntLocal(string Source, string Name, Expr Value) : Stmt(Source);

/// <summary>
/// <c>if (Condition) Then else Else</c>; the branch taken is recorded on the tape. When <paramref name="Constant"/> the
/// condition is a constant and <paramref name="Then"/> holds the branch it takes: a plain block, nothing recorded (an
/// <c>if</c> on the constant would make the other branch unreachable code, CS0162).
/// </summary>
internal sealed record If(string Source, Expr Condition, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, bool Constant = false) : Stmt(Source);

/// <summary><c>for (int Counter = Start; Counter &lt; End (or ≤); Counter++)</c>; run backwards in the reverse pass.</summary>
internal sealed record For(string Source, string Counter, Expr Start, Expr End, bool Inclusive, EquatableArray<Stmt> Body) : Stmt(Source);

/// <summary>The loss's final <c>return</c>.</summary>
internal sealed record Return(string Source, Expr Value) : Stmt(Source);

/// <summary>A parameter of the loss method: one piece of a sample.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Element">float, double or int.</param>
/// <param name="IsVector">A <c>ReadOnlySpan&lt;T&gt;</c> or array (a row of a batch) rather than a single value.</param>
/// <param name="IsArray">Declared as an array (passed as is to <c>AccumulateGradients</c>).</param>
internal sealed record LossParameter(string Name, NumType Element, bool IsVector, bool IsArray);

/// <summary>A float/double local of the loss, hoisted to the top of the generated method.</summary>
internal sealed record LocalDeclaration(string Name, NumType Type);

/// <summary>The differentiated loss method.</summary>
/// <param name="MethodName">The user's method name.</param>
/// <param name="ReturnType">float or double.</param>
/// <param name="Parameters">The sample's pieces.</param>
/// <param name="Locals">Every float/double local, hoisted.</param>
/// <param name="Body">The statements; the last is the <see cref="Return"/>.</param>
/// <param name="Sum">Step sums the batch (else it takes the mean).</param>
/// <param name="UsesFloatTape">Whether float values are pushed on a tape.</param>
/// <param name="UsesDoubleTape">Whether double values are pushed on a tape.</param>
/// <param name="UsesBranchTape">Whether there are if statements (their branch is recorded).</param>
/// <param name="UserNames">Every identifier in the loss and its helpers, so generated names never collide with them.</param>
internal sealed record LossModel(
    string MethodName,
    NumType ReturnType,
    EquatableArray<LossParameter> Parameters,
    EquatableArray<LocalDeclaration> Locals,
    EquatableArray<Stmt> Body,
    bool Sum,
    bool UsesFloatTape,
    bool UsesDoubleTape,
    bool UsesBranchTape,
    EquatableArray<string> UserNames);

/// <summary>Derived facts about a <see cref="LossModel"/>.</summary>
internal static class LossModelExtensions
{
    /// <summary>The value types with a tape, float first.</summary>
    public static System.Collections.Generic.IEnumerable<NumType> TapeTypes(this LossModel loss)
    {
        if (loss.UsesFloatTape)
        {
            yield return NumType.Float;
        }

        if (loss.UsesDoubleTape)
        {
            yield return NumType.Double;
        }
    }
}
