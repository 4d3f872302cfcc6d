using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;

namespace OptimizerGen.StepBenchmarks;

/// <summary>
/// <c>--step-experiments</c>: why the generated linear-regression Step is slower than the hand-written scalar loop.
/// Two copies of the generated gradient pass (the text under obj/…/generated, made to run on the model's public
/// members) are timed interleaved with the generated Step and the hand-written loop, all followed by the same
/// generated update: (A) the literal copy, reading <c>this.W</c> and <c>grad.W</c> through fields inside the loops;
/// (B) the same statements with the two arrays hoisted into locals before the sample loop. Both give the generated
/// Step's bits (checked).
/// </summary>
internal static class StepExperiments
{
    public static void Run()
    {
        const int samples = LinearRegressionStep.Samples, features = LinearRegression.Features;
        (float[] x, float[] y) = Data.LinearRegression(samples, features);
        var generated = new LinearRegression();
        var literal = new LinearRegression();
        var hoisted = new LinearRegression();
        var hand = new HandWrittenLinearRegression();
        for (int s = 0; s < 3; s++)
        {
            generated.Step(x, y);
            CopyLiteral(literal, x, y);
            CopyHoisted(hoisted, x, y);
        }

        Data.CheckSameBits([.. generated.W, generated.B], [.. literal.W, literal.B], "literal copy vs generated Step");
        Data.CheckSameBits([.. generated.W, generated.B], [.. hoisted.W, hoisted.B], "hoisted copy vs generated Step");
        (string Name, Action Call)[] variants =
        [
            ("generated Step", () => generated.Step(x, y)),
            ("hand-written scalar", () => hand.Step(x, y)),
            ("(A) literal copy of generated", () => CopyLiteral(literal, x, y)),
            ("(B) copy, W and grad.W hoisted", () => CopyHoisted(hoisted, x, y)),
        ];
        const int rounds = 15;
        var t = variants.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < variants.Length; k++)
            {
                long t0 = Stopwatch.GetTimestamp();
                variants[k].Call();
                t[k][r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }

        double handMs = t[1].OrderBy(v => v).ElementAt(rounds / 2);
        Console.WriteLine("linear regression, 1 000 000 × 16: median ms/step, ratio t/t_hand-written");
        for (int k = 0; k < variants.Length; k++)
        {
            double ms = t[k].OrderBy(v => v).ElementAt(rounds / 2);
            Console.WriteLine($"  {variants[k].Name,-34} {ms,8:F2} {ms / handMs,6:F2}");
        }
    }

    /// <summary>(A) The generated gradient pass as emitted: fields read inside the loops.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float CopyLiteral(LinearRegression m, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int count = y.Length, xWidth = x.Length / count;
        float scale = 1f / count, dB = m.Grad.B, total = 0f;
        LinearRegression.Gradients grad = m.Grad;
        for (int k = 0; k < count; k++)
        {
            total += LiteralSample(m, x.Slice(k * xWidth, xWidth), y[k], scale, ref dB, grad);
        }

        grad.B = dB;
        m.ApplyGradients();
        return total / count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LiteralSample(LinearRegression m, ReadOnlySpan<float> x, float y, float seed, ref float dB, LinearRegression.Gradients grad)
    {
        float p = 0f, p_bar = 0f, e, e_bar = 0f, loss;
        p = m.B;
        for (int i = 0; i < x.Length; i++)
        {
            p = p + m.W[i] * x[i];
        }

        e = p - y;
        loss = 0.5f * e * e;
        {
            float v0 = 0.5f * e;
            float g0 = seed * e;
            e_bar += g0 * 0.5f;
            e_bar += seed * v0;
        }

        {
            float g1 = e_bar;
            e_bar = 0f;
            p_bar += g1;
        }

        for (int i = x.Length - 1; i >= 0; i--)
        {
            float g2 = p_bar;
            p_bar = 0f;
            p_bar += g2;
            grad.W[i] += g2 * x[i];
        }

        {
            float g3 = p_bar;
            p_bar = 0f;
            dB += g3;
        }

        return loss;
    }

    /// <summary>(B) The same statements with <c>W</c> and <c>grad.W</c> read once, before the sample loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float CopyHoisted(LinearRegression m, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int count = y.Length, xWidth = x.Length / count;
        float scale = 1f / count, dB = m.Grad.B, total = 0f, b = m.B;
        LinearRegression.Gradients grad = m.Grad;
        float[] w = m.W, gw = grad.W;
        for (int k = 0; k < count; k++)
        {
            total += HoistedSample(w, gw, b, x.Slice(k * xWidth, xWidth), y[k], scale, ref dB);
        }

        grad.B = dB;
        m.ApplyGradients();
        return total / count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float HoistedSample(float[] w, float[] gw, float b, ReadOnlySpan<float> x, float y, float seed, ref float dB)
    {
        float p = 0f, p_bar = 0f, e, e_bar = 0f, loss;
        p = b;
        for (int i = 0; i < x.Length; i++)
        {
            p = p + w[i] * x[i];
        }

        e = p - y;
        loss = 0.5f * e * e;
        {
            float v0 = 0.5f * e;
            float g0 = seed * e;
            e_bar += g0 * 0.5f;
            e_bar += seed * v0;
        }

        {
            float g1 = e_bar;
            e_bar = 0f;
            p_bar += g1;
        }

        for (int i = x.Length - 1; i >= 0; i--)
        {
            float g2 = p_bar;
            p_bar = 0f;
            p_bar += g2;
            gw[i] += g2 * x[i];
        }

        {
            float g3 = p_bar;
            p_bar = 0f;
            dB += g3;
        }

        return loss;
    }
}
