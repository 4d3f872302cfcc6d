using System;
using System.Collections.Generic;

namespace OptimizerGen.Runtime.Tests.Schedules;

/// <summary>
/// An independent transcription of <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c> (torch/optim/lr_scheduler.py):
/// string modes, a param group as a dictionary, <c>_reset</c>, <c>step</c>, <c>_reduce_lr</c>, <c>in_cooldown</c>,
/// <c>_is_better</c> and <c>_init_is_better</c> statement by statement. It also counts events so the tests can check
/// that their metric scripts reach every branch.
/// </summary>
internal sealed class PyTorchReduceLROnPlateau
{
    private readonly Dictionary<string, double> paramGroup;
    private readonly string mode;
    private readonly double factor;
    private readonly int patience;
    private readonly double threshold;
    private readonly string thresholdMode;
    private readonly int cooldown;
    private readonly double minLr;
    private readonly double eps;
    private readonly double modeWorse;

    public PyTorchReduceLROnPlateau(double lr, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
        string thresholdMode = "rel", int cooldown = 0, double minLr = 0, double eps = 1e-8)
    {
        if (factor >= 1.0)
        {
            throw new ArgumentException("Factor should be < 1.0.");
        }

        this.factor = factor;
        paramGroup = new Dictionary<string, double> { ["lr"] = lr };
        this.minLr = minLr;
        this.patience = patience;
        this.cooldown = cooldown;
        this.eps = eps;
        LastEpoch = 0;

        // _init_is_better
        if (mode is not ("min" or "max"))
        {
            throw new ArgumentException("mode " + mode + " is unknown!");
        }

        if (thresholdMode is not ("rel" or "abs"))
        {
            throw new ArgumentException("threshold mode " + thresholdMode + " is unknown!");
        }

        modeWorse = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        this.mode = mode;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;

        // _reset
        Best = modeWorse;
        CooldownCounter = 0;
        NumBadEpochs = 0;
    }

    public double Best { get; private set; }

    public int NumBadEpochs { get; private set; }

    public int CooldownCounter { get; private set; }

    public long LastEpoch { get; private set; }

    public double LastLr => paramGroup["lr"];

    public int Improvements { get; private set; }

    public int BadEpochsIgnoredInCooldown { get; private set; }

    public int Reductions { get; private set; }

    public int ReductionsClampedToMinLr { get; private set; }

    public int ReductionsSkippedByEps { get; private set; }

    private bool InCooldown => CooldownCounter > 0;

    public void Step(double metrics)
    {
        double current = metrics;
        long epoch = LastEpoch + 1;
        LastEpoch = epoch;

        if (IsBetter(current, Best))
        {
            Best = current;
            NumBadEpochs = 0;
            Improvements++;
        }
        else
        {
            NumBadEpochs += 1;
        }

        if (InCooldown)
        {
            CooldownCounter -= 1;
            if (NumBadEpochs > 0)
            {
                BadEpochsIgnoredInCooldown++;
            }

            NumBadEpochs = 0;
        }

        if (NumBadEpochs > patience)
        {
            ReduceLr();
            CooldownCounter = cooldown;
            NumBadEpochs = 0;
        }
    }

    private void ReduceLr()
    {
        double oldLr = paramGroup["lr"];
        double newLr = Math.Max(oldLr * factor, minLr);
        Reductions++;
        if (oldLr * factor < minLr)
        {
            ReductionsClampedToMinLr++;
        }

        if (oldLr - newLr > eps)
        {
            paramGroup["lr"] = newLr;
        }
        else
        {
            ReductionsSkippedByEps++;
        }
    }

    private bool IsBetter(double a, double best)
    {
        if (mode == "min" && thresholdMode == "rel")
        {
            double relEpsilon = 1.0 - threshold;
            return a < best * relEpsilon;
        }
        else if (mode == "min" && thresholdMode == "abs")
        {
            return a < best - threshold;
        }
        else if (mode == "max" && thresholdMode == "rel")
        {
            double relEpsilon = threshold + 1.0;
            return a > best * relEpsilon;
        }
        else
        {
            return a > best + threshold;
        }
    }
}
