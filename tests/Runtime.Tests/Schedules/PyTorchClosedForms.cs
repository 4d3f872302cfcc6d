using System;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// The closed forms of torch/optim/lr_scheduler.py (<c>_get_closed_form_lr</c>), transcribed expression by
/// expression, in Python's evaluation order (<c>**</c> with an int exponent is C <c>pow</c>; <c>//</c> is floor
/// division; <c>*</c> and <c>/</c> associate left).
/// </summary>
internal static class PyTorchClosedForms
{
    // StepLR: base_lr * self.gamma ** (self.last_epoch // self.step_size)
    public static double StepLR(double baseLr, int stepSize, double gamma, long lastEpoch) =>
        baseLr * Math.Pow(gamma, Math.DivRem(lastEpoch, (long)stepSize).Quotient);

    // ExponentialLR: base_lr * self.gamma**self.last_epoch
    public static double ExponentialLR(double baseLr, double gamma, long lastEpoch) =>
        baseLr * Math.Pow(gamma, lastEpoch);

    // LinearLR: base_lr * (self.start_factor + (self.end_factor - self.start_factor)
    //                      * min(self.total_iters, self.last_epoch) / self.total_iters)
    public static double LinearLR(double baseLr, double startFactor, double endFactor, int totalIters, long lastEpoch)
    {
        double progress = (endFactor - startFactor) * (double)Math.Min(totalIters, lastEpoch);
        return baseLr * (startFactor + progress / totalIters);
    }

    // CosineAnnealingLR: self.eta_min + (base_lr - self.eta_min)
    //                    * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
    public static double CosineAnnealingLR(double baseLr, int tMax, double etaMin, long lastEpoch)
    {
        double angle = Math.PI * lastEpoch;
        angle /= tMax;
        double scaled = (baseLr - etaMin) * (1 + Math.Cos(angle));
        return etaMin + scaled / 2;
    }
}

/// <summary>
/// The recursive ("chainable") forms of torch/optim/lr_scheduler.py (<c>get_lr</c>), which PyTorch's default
/// <c>scheduler.step()</c> uses: the constructor's initial step (<c>_is_initial</c>, <c>last_epoch = 0</c>), then one
/// update of the optimizer's current lr per step. Returns the lr after each of epochs 0 … count − 1.
/// </summary>
internal static class PyTorchRecursiveForms
{
    public static double[] StepLR(double lr, int stepSize, double gamma, int count)
    {
        var result = new double[count];
        for (int lastEpoch = 0; lastEpoch < count; lastEpoch++)
        {
            // if (self.last_epoch == 0) or (self.last_epoch % self.step_size != 0): unchanged; else lr * gamma
            if (!(lastEpoch == 0 || lastEpoch % stepSize != 0))
            {
                lr *= gamma;
            }

            result[lastEpoch] = lr;
        }

        return result;
    }

    public static double[] ExponentialLR(double lr, double gamma, int count)
    {
        var result = new double[count];
        for (int lastEpoch = 0; lastEpoch < count; lastEpoch++)
        {
            bool isInitial = lastEpoch == 0;
            if (!isInitial)
            {
                lr *= gamma;
            }

            result[lastEpoch] = lr;
        }

        return result;
    }

    public static double[] LinearLR(double lr, double startFactor, double endFactor, int totalIters, int count)
    {
        var result = new double[count];
        for (int lastEpoch = 0; lastEpoch < count; lastEpoch++)
        {
            bool isInitial = lastEpoch == 0;
            if (lastEpoch == 0)
            {
                lr *= startFactor;
            }
            else if (isInitial || lastEpoch > totalIters)
            {
                // unchanged
            }
            else
            {
                lr *= 1.0 + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor));
            }

            result[lastEpoch] = lr;
        }

        return result;
    }

    public static double[] CosineAnnealingLR(double baseLr, int tMax, double etaMin, int count)
    {
        var result = new double[count];
        double lr = baseLr;
        for (int lastEpoch = 0; lastEpoch < count; lastEpoch++)
        {
            bool isInitial = lastEpoch == 0;
            if (isInitial)
            {
                // unchanged
            }
            else if (PythonMod(lastEpoch - 1 - tMax, 2 * tMax) == 0)
            {
                lr = lr + (baseLr - etaMin) * (1 - Math.Cos(Math.PI / tMax)) / 2;
            }
            else
            {
                lr = (1 + Math.Cos(Math.PI * lastEpoch / tMax)) / (1 + Math.Cos(Math.PI * (lastEpoch - 1) / tMax)) * (lr - etaMin) + etaMin;
            }

            result[lastEpoch] = lr;
        }

        return result;
    }

    /// <summary>Python's <c>%</c>: the result has the divisor's sign.</summary>
    private static int PythonMod(int a, int b) => ((a % b) + b) % b;
}
