using System;
using System.Reflection;
using OptimizerGen.Reliability.Tests.Models;

namespace OptimizerGen.Reliability.Tests.Support;

/// <summary>Deterministic pseudo-random gradients written into a model's generated <c>Grad</c> (found by reflection).</summary>
internal static class Gradients
{
    /// <summary>
    /// Sets every gradient of <paramref name="model"/> for training step <paramref name="step"/>: values in [−1, 1)
    /// scaled by 2^k, k in [−4, 3], varying per step and element, so the state buffers see a wide range.
    /// </summary>
    public static void Set(ITrainable model, long step, ulong seed = 0)
    {
        object grad = model.GetType().GetProperty("Grad")!.GetValue(model)!;
        foreach (FieldInfo field in grad.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            var rng = new Rng(seed ^ Rng.Hash(field.Name) ^ ((ulong)step * 0x100000001B3UL));
            switch (field.GetValue(grad))
            {
                case float[] array:
                    for (int i = 0; i < array.Length; i++)
                    {
                        array[i] = (float)Value(ref rng);
                    }

                    break;
                case double[] array:
                    for (int i = 0; i < array.Length; i++)
                    {
                        array[i] = Value(ref rng);
                    }

                    break;
                default:
                    field.SetValue(grad, field.FieldType == typeof(float) ? (object)(float)Value(ref rng) : Value(ref rng));
                    break;
            }
        }
    }

    /// <summary>Runs <paramref name="steps"/> steps with <see cref="Set"/>'s gradients, continuing from the model's StepCount.</summary>
    public static void Train(ITrainable model, int steps, ulong seed = 0, Func<long, RmsProp, RmsProp>? schedule = null)
    {
        for (int i = 0; i < steps; i++)
        {
            if (schedule is not null)
            {
                model.Optimizer = schedule(model.StepCount, model.Optimizer);
            }

            Set(model, model.StepCount, seed);
            if (!model.ApplyGradients())
            {
                throw new InvalidOperationException("ApplyGradients skipped a step of finite gradients.");
            }
        }
    }

    private static double Value(ref Rng rng) => rng.Uniform() * Math.ScaleB(1.0, rng.Below(8) - 4);
}
