using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OptimizerGen.Reliability.Tests.Models;

namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>
/// The non-finite guard over array gradients, at every length 1 … 4·Vector512&lt;float&gt;.Count + 1 and EVERY position
/// (so first, last, middle, inside the vector body and inside the scalar tail at every vector width), for NaN, +∞ and
/// −∞, in a float[] and a double[] field: ApplyGradients must return false, leave parameters, state and StepCount as
/// they were, clear every gradient and count the skip; a finite step afterwards must apply. Runs in-process (the
/// widest SIMD path) and in child processes with narrower paths (see <see cref="Program"/>).
/// </summary>
internal static class NonFiniteGuardCheck
{
    public static int MaxLength => (4 * Vector512<float>.Count) + 1;

    public static readonly (string Name, double Value)[] NonFinite =
        [("NaN", double.NaN), ("+inf", double.PositiveInfinity), ("-inf", double.NegativeInfinity)];

    public static List<string> RunArrays(out int cases)
    {
        var failures = new List<string>();
        cases = 0;
        for (int n = 1; n <= MaxLength; n++)
        {
            var model = new GuardModel(n)
            {
                Optimizer = new RmsProp { Centered = true, Momentum = 0.9, LearningRate = 0.01 },
                SkipNonFiniteGradients = true,
            };
            Gradients.Train(model, 2, seed: (ulong)n);
            var rng = new Rng((ulong)n * 7919);
            foreach (string field in new[] { "A", "D" })
            {
                for (int position = 0; position < n; position++)
                {
                    foreach (var (name, value) in NonFinite)
                    {
                        cases++;
                        FillFinite(model, ref rng);
                        if (field == "A")
                        {
                            model.Grad.A[position] = (float)value;
                        }
                        else
                        {
                            model.Grad.D[position] = value;
                        }

                        string where = $"length {n}, {name} at {field}[{position}] ({PositionClass(field, position, n)})";
                        Expect(model, failures, where);
                        if (failures.Count > 20)
                        {
                            return failures;
                        }
                    }
                }
            }

            // A finite step is applied.
            cases++;
            FillFinite(model, ref rng);
            State before = State.Of(model);
            long steps = model.StepCount;
            if (!model.ApplyGradients() || model.StepCount != steps + 1 || State.Of(model).ParametersEqual(before))
            {
                failures.Add($"length {n}: a finite step was not applied (StepCount {steps} → {model.StepCount})");
            }
        }

        return failures;
    }

    /// <summary>Asserts a step with a non-finite gradient is skipped cleanly; adds a failure otherwise.</summary>
    public static void Expect(GuardModel model, List<string> failures, string where)
    {
        State before = State.Of(model);
        long skipped = model.SkippedSteps;
        bool applied = model.ApplyGradients();
        State after = State.Of(model);
        if (applied)
        {
            failures.Add($"{where}: ApplyGradients returned true");
        }

        string? difference = before.FirstDifference(after);
        if (difference is not null)
        {
            failures.Add($"{where}: the step changed {difference}");
        }

        if (model.SkippedSteps != skipped + 1)
        {
            failures.Add($"{where}: SkippedSteps {skipped} → {model.SkippedSteps}");
        }

        if (!GradientsCleared(model))
        {
            failures.Add($"{where}: Grad was not cleared");
        }
    }

    public static bool GradientsCleared(GuardModel model) =>
        BitConverter.SingleToInt32Bits(model.Grad.S) == 0 && BitConverter.DoubleToInt64Bits(model.Grad.T) == 0
        && MemoryMarshal.AsBytes(model.Grad.A.AsSpan()).IndexOfAnyExcept((byte)0) < 0
        && MemoryMarshal.AsBytes(model.Grad.D.AsSpan()).IndexOfAnyExcept((byte)0) < 0;

    public static void FillFinite(GuardModel model, ref Rng rng)
    {
        model.Grad.S = (float)rng.Uniform();
        model.Grad.T = rng.Uniform();
        for (int i = 0; i < model.A.Length; i++)
        {
            model.Grad.A[i] = (float)rng.Uniform();
            model.Grad.D[i] = rng.Uniform();
        }
    }

    /// <summary>Where a position falls for the widest vector of its element type: vector body or scalar tail.</summary>
    public static string PositionClass(string field, int position, int n)
    {
        int width = field == "A" ? Vector512<float>.Count : Vector512<double>.Count;
        string edge = position == 0 ? "first" : position == n - 1 ? "last" : "middle";
        string part = position < n / width * width ? "vector body" : "scalar tail";
        return $"{edge}, {part} of Vector512";
    }

    /// <summary>A deep copy, as raw bits, of everything a skipped step must not change.</summary>
    public sealed class State
    {
        private readonly byte[] _parameters;
        private readonly byte[] _state;
        private readonly long _stepCount;

        private State(byte[] parameters, byte[] state, long stepCount)
        {
            _parameters = parameters;
            _state = state;
            _stepCount = stepCount;
        }

        public static State Of(GuardModel model)
        {
            var o = model.OptimizerState;
            var s = o.S;
            var t = o.T;
            byte[] parameters = Concat(Bits([model.S]), Bits([model.T]), Bits(model.A), Bits(model.D));
            byte[] state = Concat(
                Bits([s.SquareAvg, s.GradAvg, s.MomentumBuffer]), Bits([t.SquareAvg, t.GradAvg, t.MomentumBuffer]),
                Bits(o.A.SquareAvg), Bits(o.A.GradAvg), Bits(o.A.MomentumBuffer), Bits(o.D.SquareAvg), Bits(o.D.GradAvg), Bits(o.D.MomentumBuffer));
            return new State(parameters, state, model.StepCount);
        }

        public bool ParametersEqual(State other) => _parameters.AsSpan().SequenceEqual(other._parameters);

        public string? FirstDifference(State other) =>
            !ParametersEqual(other) ? "the parameters"
            : !_state.AsSpan().SequenceEqual(other._state) ? "the optimizer state"
            : _stepCount != other._stepCount ? $"StepCount ({_stepCount} → {other._stepCount})"
            : null;

        /// <summary>The bytes of <paramref name="values"/>, prefixed by its length (−1 for null), so null ≠ empty.</summary>
        private static byte[] Bits<T>(T[]? values)
            where T : struct
        {
            int length = values?.Length ?? -1;
            return [.. BitConverter.GetBytes(length), .. values is null ? [] : MemoryMarshal.AsBytes(values.AsSpan()).ToArray()];
        }

        private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
    }
}
