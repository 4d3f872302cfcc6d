using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptimizerGen.Integration.Tests.Conformance;
using OptimizerGen.Integration.Tests.Support;

namespace OptimizerGen.Integration.Tests.Family;

/// <summary>
/// Replays every libtorch golden case of SGD, AdaGrad, AdaDelta, Adam and AdamW on generated code, twice: on a model
/// with one array field (the SIMD loop), and on a model with a scalar field then an array (the scalar width for the
/// scalar field). Per step: <c>Grad</c> ← grads[t], <c>ApplyGradients()</c>, parameters compared with params[t] and
/// <c>Grad</c> checked to be zero; after the last step every state buffer libtorch keeps (and that the others were
/// never allocated) and the step count.
/// </summary>
internal static class FamilyConformance
{
    public static ConformanceReport RunAll()
    {
        var report = new ConformanceReport();
        foreach (FamilyCase c in FamilyGolden.Cases)
        {
            Run(c, report);
        }

        return report;
    }

    public static ConformanceReport Run(FamilyCase c, ConformanceReport? report = null)
    {
        report ??= new ConformanceReport();
        report.Cases++;
        FamilyTensor data = c.Concatenated();
        foreach (bool mixed in new[] { false, true })
        {
            report.Runs++;
            Run(c, data, mixed, report);
        }

        return report;
    }

    /// <summary>The state keys of an optimizer, in the order of its buffers (Buffer0, Buffer1, Buffer2).</summary>
    public static string[] StateKeys(string optimizer) => optimizer switch
    {
        "SGD" => ["momentum_buffer"],
        "Adagrad" => ["sum"],
        "Adadelta" => ["square_avg", "acc_delta"],
        _ => ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
    };

    private static string TypeName(FamilyCase c, bool mixed) =>
        (c.Optimizer switch { "SGD" => "Sgd", "Adagrad" => "AdaGrad", "Adadelta" => "AdaDelta", _ => c.Optimizer }) +
        (mixed ? "Mixed" : "Array") + (c.IsFloat32 ? "32" : "64");

    private static void Run(FamilyCase c, FamilyTensor data, bool mixed, ConformanceReport report)
    {
        int n = data.Length;
        double tolerance = c.IsFloat32 ? Tolerance.Float32 : Tolerance.Float64;
        int budget = ConformanceReport.NewBudget();
        string typeName = TypeName(c, mixed);
        string where = $"{c.Name} on {typeName}";
        Type type = typeof(FamilyConformance).Assembly.GetType("OptimizerGen.Integration.Tests.Models." + typeName, throwOnError: true)!;
        dynamic model = Activator.CreateInstance(type)!;
        int offset = mixed ? 1 : 0;
        Array w = Array.CreateInstance(c.IsFloat32 ? typeof(float) : typeof(double), n - offset);
        model.W = (dynamic)w;
        model.Optimizer = (dynamic)c.Settings;

        void Set(Array array, ReadOnlySpan<double> values, Action<double> setScalar)
        {
            if (mixed)
            {
                setScalar(values[0]);
            }

            for (int i = 0; i < array.Length; i++)
            {
                array.SetValue(c.IsFloat32 ? (object)(float)values[i + offset] : values[i + offset], i);
            }
        }

        double[] Get(Array array, Func<double> getScalar)
        {
            var values = new double[n];
            if (mixed)
            {
                values[0] = getScalar();
            }

            for (int i = 0; i < array.Length; i++)
            {
                values[i + offset] = Convert.ToDouble(array.GetValue(i), CultureInfo.InvariantCulture);
            }

            return values;
        }

        void Compare(string what, double[] actual, double[] expected)
        {
            for (int i = 0; i < actual.Length; i++)
            {
                report.Checks++;
                if (!Tolerance.Close(actual[i], expected[i], tolerance))
                {
                    report.Fail(ref budget, string.Create(CultureInfo.InvariantCulture, $"{where}: {what}[{i}] = {actual[i]:R}, libtorch {expected[i]:R} (|Δ| = {Math.Abs(actual[i] - expected[i]):E2})"));
                }
            }
        }

        dynamic grad = model.Grad;
        Set(w, data.Init, v => model.S = c.IsFloat32 ? (dynamic)(float)v : v);
        for (int t = 0; t < c.Steps; t++)
        {
            Set((Array)grad.W, data.Grads[t], v => grad.S = c.IsFloat32 ? (dynamic)(float)v : v);
            model.ApplyGradients();
            Compare($"params after step {t + 1}", Get(w, () => (double)model.S), data.Params[t]);
            report.Checks++;
            if (Get((Array)grad.W, () => (double)grad.S).Any(g => g != 0))
            {
                report.Fail(ref budget, $"{where}: Grad was not zeroed by step {t + 1}");
            }
        }

        report.Checks++;
        if (data.Step is long step && (long)model.StepCount != step)
        {
            report.Fail(ref budget, $"{where}: StepCount = {model.StepCount}, libtorch step = {step}");
        }

        string[] keys = StateKeys(c.Optimizer);
        for (int k = 0; k < keys.Length; k++)
        {
            string property = "Buffer" + k;
            Array? buffer = BufferOf((object)model.OptimizerState.W, property);
            bool kept = data.State.TryGetValue(keys[k], out double[]? expected);
            report.Checks++;
            if ((buffer is not null) != kept)
            {
                report.Fail(ref budget, $"{where}: state {keys[k]} is {(buffer is null ? "null" : "allocated")}, but libtorch {(kept ? "keeps" : "does not keep")} it");
                continue;
            }

            if (buffer is not null)
            {
                // TorchSharp's SGD maximizes by p += lr·b with b built from +g (the conformance README's quirk 1); PyTorch,
                // and OptimizerGen, negate g first, so b is the negative of TorchSharp's and p is the same.
                double[] reference = c.Optimizer == "SGD" && ((Sgd)c.Settings).Maximize ? expected!.Select(x => -x).ToArray() : expected!;
                Compare("state " + keys[k], Get(buffer, () => ScalarOf((object)model.OptimizerState.S, property)), reference);
            }
        }
    }

    private static Array? BufferOf(object state, string property) => (Array?)state.GetType().GetProperty(property)!.GetValue(state);

    private static double ScalarOf(object state, string field) => Convert.ToDouble(state.GetType().GetField(field)!.GetValue(state), CultureInfo.InvariantCulture);
}
