// Double-precision reference implementations of RMSprop written from each framework's own source, line by line, so a
// preset is checked against the framework and not against OptimizerGen's own formula (RmsProp.cs remarks). Every
// class keeps the framework's parameter names and defaults; each Step is one optimizer step over a flat vector of
// parameters (a model's fields laid end to end) with a per-element mask saying which elements take weight decay.
using System;

namespace OptimizerGen.Integration.Tests.Presets;

/// <summary>A framework's RMSprop over a flat vector, with its state mapped to OptimizerGen's buffer names.</summary>
internal interface IRmsPropReference
{
    /// <summary>One step at learning rate <paramref name="lr"/>; <paramref name="decays"/>[i] says whether element i takes weight decay.</summary>
    void Step(double[] p, double[] g, bool[] decays, double lr);

    /// <summary>v (square_avg / velocity / rms / nu).</summary>
    double[] SquareAvg { get; }

    /// <summary>m (grad_avg / average_gradient / mg / mu), or null when the framework keeps none.</summary>
    double[]? GradAvg { get; }

    /// <summary>The momentum buffer in OptimizerGen's sign convention (b ← μ·b + gain·g/d), or null when none is kept.</summary>
    double[]? MomentumBuffer { get; }
}

/// <summary>
/// PyTorch <c>torch/optim/rmsprop.py</c>, <c>_single_tensor_rmsprop</c>:
/// <code>
/// grad = grad if not maximize else -grad
/// if weight_decay != 0: grad = grad.add(param, alpha=weight_decay)
/// square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
/// if centered: grad_avg.lerp_(grad, 1 - alpha); avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
/// else: avg = square_avg.sqrt()
/// avg = avg.add_(eps)
/// if momentum > 0: buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
/// else: param.addcdiv_(grad, avg, value=-lr)
/// </code>
/// </summary>
internal sealed class TorchRmsProp(int n) : IRmsPropReference
{
    private readonly double[] _squareAvg = new double[n];
    private readonly double[] _gradAvg = new double[n];
    private readonly double[] _buf = new double[n];

    public double Alpha { get; init; } = 0.99;

    public double Eps { get; init; } = 1e-8;

    public double WeightDecay { get; init; }

    public double Momentum { get; init; }

    public bool Centered { get; init; }

    public bool Maximize { get; init; }

    public double[] SquareAvg => _squareAvg;

    public double[]? GradAvg => Centered ? _gradAvg : null;

    public double[]? MomentumBuffer => Momentum > 0 ? _buf : null;

    public void Step(double[] p, double[] g, bool[] decays, double lr)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double grad = Maximize ? -g[i] : g[i];
            if (WeightDecay != 0 && decays[i])
            {
                grad += WeightDecay * p[i];
            }

            _squareAvg[i] = (_squareAvg[i] * Alpha) + ((1 - Alpha) * grad * grad);
            double avg;
            if (Centered)
            {
                _gradAvg[i] += (grad - _gradAvg[i]) * (1 - Alpha);
                avg = Math.Sqrt(_squareAvg[i] - (_gradAvg[i] * _gradAvg[i]));
            }
            else
            {
                avg = Math.Sqrt(_squareAvg[i]);
            }

            avg += Eps;
            if (Momentum > 0)
            {
                _buf[i] = (_buf[i] * Momentum) + (grad / avg);
                p[i] -= lr * _buf[i];
            }
            else
            {
                p[i] -= lr * grad / avg;
            }
        }
    }
}

/// <summary>
/// Keras 3 <c>keras/src/optimizers/rmsprop.py</c> (defaults <c>learning_rate=0.001, rho=0.9, momentum=0.0,
/// epsilon=1e-7, centered=False, weight_decay=None</c>) with <c>base_optimizer.py</c>'s order in <c>apply</c>:
/// <c>grads = self._clip_gradients(grads); self._apply_weight_decay(trainable_variables)</c>, then
/// <c>update_step</c>. <c>_apply_weight_decay</c>: <c>variable.assign(variable - variable * wd * lr)</c> for every
/// variable not in <c>exclude_from_weight_decay</c>. <c>update_step</c>:
/// <code>
/// velocity = rho * velocity + (1 - rho) * square(gradient)
/// if centered: average_grad = rho * average_grad + (1 - rho) * gradient
///              denominator = velocity - square(average_grad) + epsilon
/// else:        denominator = velocity + epsilon
/// increment = lr * gradient / sqrt(denominator)
/// if momentum > 0: momentum_var = momentum * momentum_var + increment; variable -= momentum_var
/// else: variable -= increment
/// </code>
/// </summary>
internal sealed class KerasRmsProp(int n) : IRmsPropReference
{
    private readonly double[] _velocity = new double[n];
    private readonly double[] _averageGradient = new double[n];
    private readonly double[] _momentum = new double[n];

    public double Rho { get; init; } = 0.9;

    public double Momentum { get; init; }

    public double Epsilon { get; init; } = 1e-7;

    public bool Centered { get; init; }

    public double? WeightDecay { get; init; }

    public double[] SquareAvg => _velocity;

    public double[]? GradAvg => Centered ? _averageGradient : null;

    public double[]? MomentumBuffer => Momentum > 0 ? _momentum : null;

    public void Step(double[] p, double[] g, bool[] decays, double lr)
    {
        // _apply_weight_decay, before any update_step.
        if (WeightDecay is double wd)
        {
            for (int i = 0; i < p.Length; i++)
            {
                if (decays[i])
                {
                    p[i] = p[i] - (p[i] * wd * lr);
                }
            }
        }

        for (int i = 0; i < p.Length; i++)
        {
            _velocity[i] = (Rho * _velocity[i]) + ((1 - Rho) * g[i] * g[i]);
            double denominator;
            if (Centered)
            {
                _averageGradient[i] = (Rho * _averageGradient[i]) + ((1 - Rho) * g[i]);
                denominator = _velocity[i] - (_averageGradient[i] * _averageGradient[i]) + Epsilon;
            }
            else
            {
                denominator = _velocity[i] + Epsilon;
            }

            double increment = lr * g[i] / Math.Sqrt(denominator);
            if (Momentum > 0)
            {
                _momentum[i] = (Momentum * _momentum[i]) + increment;
                p[i] -= _momentum[i];
            }
            else
            {
                p[i] -= increment;
            }
        }
    }
}

/// <summary>
/// TensorFlow 1 <c>tensorflow/python/training/rmsprop.py</c> <c>RMSPropOptimizer(learning_rate, decay=0.9,
/// momentum=0.0, epsilon=1e-10, use_locking=False, centered=False)</c>: slot "rms" made with
/// <c>init_ops.ones_initializer</c>, "mg" and "momentum" with zeros; the dense update is the
/// <c>tensorflow/core/kernels/training_ops.cc</c> CPU functors:
/// <code>
/// ApplyRMSProp:         ms += (grad.square() - ms) * (1 - rho)
///                       mom = mom * momentum + (grad * lr) / ((ms + epsilon).sqrt());  var -= mom
/// ApplyCenteredRMSProp: ms += (grad.square() - ms) * (1 - rho);  mg += (grad - mg) * (1 - rho)
///                       denom = (ms - mg.square()) + epsilon
///                       mom = mom * momentum + (grad * lr) / denom.sqrt();  var -= mom
/// </code>
/// </summary>
internal sealed class TensorFlow1RmsProp : IRmsPropReference
{
    private readonly double[] _ms;
    private readonly double[] _mg;
    private readonly double[] _mom;

    public TensorFlow1RmsProp(int n)
    {
        _ms = new double[n];
        Array.Fill(_ms, 1.0);
        _mg = new double[n];
        _mom = new double[n];
    }

    public double Decay { get; init; } = 0.9;

    public double Momentum { get; init; }

    public double Epsilon { get; init; } = 1e-10;

    public bool Centered { get; init; }

    public double[] SquareAvg => _ms;

    public double[]? GradAvg => Centered ? _mg : null;

    /// <summary>TF 1 always keeps "momentum"; with momentum 0 it holds the last lr·g/d, which OptimizerGen does not keep.</summary>
    public double[]? MomentumBuffer => Momentum > 0 ? _mom : null;

    public void Step(double[] p, double[] g, bool[] decays, double lr)
    {
        for (int i = 0; i < p.Length; i++)
        {
            _ms[i] += ((g[i] * g[i]) - _ms[i]) * (1 - Decay);
            double denom;
            if (Centered)
            {
                _mg[i] += (g[i] - _mg[i]) * (1 - Decay);
                denom = (_ms[i] - (_mg[i] * _mg[i])) + Epsilon;
            }
            else
            {
                denom = _ms[i] + Epsilon;
            }

            _mom[i] = (_mom[i] * Momentum) + ((g[i] * lr) / Math.Sqrt(denom));
            p[i] -= _mom[i];
        }
    }
}

/// <summary>
/// Optax <c>optax/_src/alias.py</c> <c>rmsprop(learning_rate, decay=0.9, eps=1e-8, initial_scale=0.0,
/// eps_in_sqrt=True, centered=False, momentum=None, nesterov=False, bias_correction=False)</c> =
/// <c>chain(scale_by_rms | scale_by_stddev, scale_by_learning_rate(learning_rate), trace(decay=momentum,
/// nesterov=nesterov) if momentum is not None)</c>, optionally preceded by <c>add_decayed_weights(weight_decay,
/// mask)</c> (<c>updates + weight_decay * params</c>). From <c>optax/_src/transform.py</c>:
/// <code>
/// scale_by_rms:    nu = (1 - decay) * g**2 + decay * nu            (nu starts at initial_scale)
///                  if bias_correction: count += 1; nu_hat = nu / (1 - decay**count)
///                  scaling = rsqrt(nu_hat + eps) if eps_in_sqrt else 1 / (sqrt(nu_hat) + eps);  updates = scaling * g
/// scale_by_stddev: mu = (1 - decay) * g + decay * mu;  nu as above;  (mu_hat, nu_hat bias-corrected alike)
///                  scaling = rsqrt(nu_hat - abs_sq(mu_hat) + eps) or 1 / (sqrt(nu_hat - abs_sq(mu_hat)) + eps)
/// scale_by_learning_rate: updates = -learning_rate * updates
/// trace:           new_trace = g + decay * trace;  updates = g + decay * new_trace if nesterov else new_trace
/// apply_updates:   params = params + updates
/// </code>
/// </summary>
internal sealed class OptaxRmsProp : IRmsPropReference
{
    private readonly double[] _nu;
    private readonly double[] _mu;
    private readonly double[] _trace;
    private readonly double[] _buffer;
    private int _count;

    public OptaxRmsProp(int n, double initialScale = 0.0)
    {
        _nu = new double[n];
        Array.Fill(_nu, initialScale);
        _mu = new double[n];
        _trace = new double[n];
        _buffer = new double[n];
    }

    public double Decay { get; init; } = 0.9;

    public double Eps { get; init; } = 1e-8;

    public bool EpsInSqrt { get; init; } = true;

    public bool Centered { get; init; }

    public double? Momentum { get; init; }

    public bool Nesterov { get; init; }

    public bool BiasCorrection { get; init; }

    /// <summary><c>add_decayed_weights(weight_decay, mask)</c> chained before <c>rmsprop</c>; null when not chained.</summary>
    public double? AddDecayedWeights { get; init; }

    public double[] SquareAvg => _nu;

    public double[]? GradAvg => Centered ? _mu : null;

    /// <summary>Optax's trace accumulates the already negated, lr-scaled update; OptimizerGen's buffer is its negation.</summary>
    public double[]? MomentumBuffer
    {
        get
        {
            if (Momentum is not > 0)
            {
                return null;
            }

            for (int i = 0; i < _trace.Length; i++)
            {
                _buffer[i] = -_trace[i];
            }

            return _buffer;
        }
    }

    public void Step(double[] p, double[] g, bool[] decays, double lr)
    {
        _count++;
        for (int i = 0; i < p.Length; i++)
        {
            double u = g[i];
            if (AddDecayedWeights is double wd && decays[i])
            {
                u += wd * p[i];
            }

            _nu[i] = ((1 - Decay) * (u * u)) + (Decay * _nu[i]);
            double nuHat = _nu[i], muHat = 0;
            if (Centered)
            {
                _mu[i] = ((1 - Decay) * u) + (Decay * _mu[i]);
                muHat = _mu[i];
            }

            if (BiasCorrection)
            {
                double correction = 1 - Math.Pow(Decay, _count);
                nuHat /= correction;
                muHat /= correction;
            }

            double variance = nuHat - (muHat * muHat);
            double scaling = EpsInSqrt ? 1 / Math.Sqrt(variance + Eps) : 1 / (Math.Sqrt(variance) + Eps);
            u = scaling * u;
            u = -lr * u;
            if (Momentum is double momentum)
            {
                _trace[i] = u + (momentum * _trace[i]);
                u = Nesterov ? u + (momentum * _trace[i]) : _trace[i];
            }

            p[i] += u;
        }
    }
}
