// The seed article's picture: optimizers racing down an elongated error surface, f(x, y) = x²/20 + y² — a valley
// twenty times flatter along x than across it, so a step size that suits y is far too small for x. Four RMSprop
// variants (OptimizerGen's generated update) race against gradient descent with momentum, written by hand below for
// contrast, and Lion, an optimizer written as your own [UpdateRule] struct (at the end of this file). A contour plot with every path, and f after every step, go to a PNG: the first argument, or
// trajectories.png in the working directory.
using System;
using System.Collections.Generic;
using System.IO;
using OptimizerGen;
using ScottPlot;

const int Steps = 60;
const double StartX = -7, StartY = 2;
const int Width = 1500, Height = 600;
string output = Path.GetFullPath(args.Length > 0 ? args[0] : "trajectories.png");

// The seed compares momentum, RMSprop and AdaGrad: one idea at a time added to gradient descent. Only RMSprop exists in
// OptimizerGen, so its variants play those parts: momentum (RMSprop + momentum), per-coordinate step sizes (plain and
// centered RMSprop, which divides by the gradient's running variance instead of its running square), and how long the
// squared gradients are remembered — AdaGrad never forgets; PyTorch's decay 0.99 remembers ~100 steps, the Keras
// preset's 0.9 (with ε inside the root) ~10.
var racers = new List<Racer>
{
    new("RMSprop (PyTorch defaults, lr 0.1)", new RmsProp { LearningRate = 0.1 }, Colors.Red, LineWidth: 7),
    new("centered RMSprop (lr 0.1)", new RmsProp { LearningRate = 0.1, Centered = true }, Colors.Magenta, LineWidth: 4),
    new("RMSprop, Keras preset (lr 0.1)", RmsProp.Keras with { LearningRate = 0.1 }, Colors.Blue, LineWidth: 1.5f),
    new("RMSprop + momentum 0.9 (PyTorch style, lr 0.02)", new RmsProp { LearningRate = 0.02, Momentum = 0.9 }, Colors.Orange),
};

foreach (Racer racer in racers)
{
    var model = new Valley { X = StartX, Y = StartY, Optimizer = racer.Optimizer };
    racer.Path.Add(new Coordinates(model.X, model.Y));
    for (int step = 1; step <= Steps; step++)
    {
        // The loss has no inputs, so there is no batch to Step() over: AccumulateGradients() adds the generated
        // gradient of Valley.Loss to Grad, ApplyGradients() applies the fused RMSprop update and zeroes Grad.
        model.AccumulateGradients();
        model.ApplyGradients();
        racer.Path.Add(new Coordinates(model.X, model.Y));
    }

    Report(racer.Label, racer.Path);
}

// For contrast, NOT OptimizerGen's optimizer: gradient descent with momentum written by hand (v ← μv − lr·∇f,
// p ← p + v). The gradient still comes from OptimizerGen (AccumulateGradients); the update below is ours, so we zero
// the gradient ourselves.
var handWritten = new Racer("hand-written GD + momentum 0.9 (lr 0.1), not OptimizerGen", default, Colors.Green);
{
    var model = new Valley { X = StartX, Y = StartY };
    double vx = 0, vy = 0;
    const double LearningRate = 0.1, Momentum = 0.9;
    handWritten.Path.Add(new Coordinates(model.X, model.Y));
    for (int step = 1; step <= Steps; step++)
    {
        model.AccumulateGradients();
        vx = Momentum * vx - LearningRate * model.Grad.X;
        vy = Momentum * vy - LearningRate * model.Grad.Y;
        model.X += vx;
        model.Y += vy;
        model.Grad.X = 0;
        model.Grad.Y = 0;
        handWritten.Path.Add(new Coordinates(model.X, model.Y));
    }

    Report(handWritten.Label, handWritten.Path);
}

racers.Add(handWritten);

// Your own optimizer, compiled like the built-ins: Lion (the sign of an interpolated momentum, declared below as an
// [UpdateRule] struct). Every step moves each coordinate by exactly ±lr, so it crosses the flat x direction at constant
// speed — and its long momentum (β₂ = 0.99) carries it past the minimum.
var lion = new Racer("Lion, your own [UpdateRule] (lr 0.15)", default, Colors.Purple, LineWidth: 3);
{
    var model = new LionValley { X = StartX, Y = StartY, Optimizer = new Lion { LearningRate = 0.15 } };
    lion.Path.Add(new Coordinates(model.X, model.Y));
    for (int step = 1; step <= Steps; step++)
    {
        model.AccumulateGradients();
        model.ApplyGradients();
        lion.Path.Add(new Coordinates(model.X, model.Y));
    }

    Report(lion.Label, lion.Path);
}

racers.Add(lion);
Draw(racers, output);
Console.WriteLine($"picture: {output} ({Width}×{Height})");
return 0;

static void Report(string label, List<Coordinates> path)
{
    Console.WriteLine(label);
    for (int step = 0; step < path.Count; step++)
    {
        if (step % 10 == 0 || step == path.Count - 1)
        {
            Coordinates p = path[step];
            Console.WriteLine($"  step {step,3}: x = {p.X,8:F4}, y = {p.Y,8:F4}, f = {Valley.F(p.X, p.Y):F6}");
        }
    }
}

static void Draw(List<Racer> racers, string output)
{
    var figure = new Multiplot();   // starts with one plot
    Plot surface = figure.GetPlot(0);
    Plot progress = figure.AddPlot();
    var layout = new ScottPlot.MultiplotLayouts.CustomGrid();
    layout.Set(surface, new GridCell(rowIndex: 0, colIndex: 0, rowCount: 1, colCount: 3, rowSpan: 1, colSpan: 2));
    layout.Set(progress, new GridCell(rowIndex: 0, colIndex: 2, rowCount: 1, colCount: 3, rowSpan: 1, colSpan: 1));
    figure.Layout = layout;

    // Left: the surface, a light heatmap of log(1 + f) under its contour lines, and every path on it.
    const double XMin = -8, XMax = 8, YMin = -3, YMax = 3;
    const int Columns = 161, Rows = 61;
    var grid = new Coordinates3d[Rows, Columns];
    var shade = new double[Rows, Columns];
    for (int r = 0; r < Rows; r++)
    {
        double y = YMax - (YMax - YMin) * r / (Rows - 1);   // heatmap rows run top to bottom
        for (int c = 0; c < Columns; c++)
        {
            double x = XMin + (XMax - XMin) * c / (Columns - 1);
            grid[r, c] = new Coordinates3d(x, y, Valley.F(x, y));
            shade[r, c] = Math.Log(1 + Valley.F(x, y));
        }
    }

    var heatmap = surface.Add.Heatmap(shade);
    heatmap.Extent = new CoordinateRect(XMin, XMax, YMin, YMax);
    heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
    heatmap.Opacity = 0.25;
    heatmap.Smooth = true;

    var contours = surface.Add.ContourLines(grid);
    contours.ContourLineLevels = [0.05, 0.2, 0.5, 1, 1.5, 2, 3, 4, 6, 8];
    contours.Update(grid);   // the lines are traced when the data is given: again, now that the levels are set
    contours.LineColor = Colors.Gray;
    contours.LabelStyle.IsVisible = false;

    foreach (Racer racer in racers)
    {
        // Plain, centered and Keras-preset RMSprop take nearly the same route (they differ in speed along it):
        // each is drawn thinner than the one before, on top of it, so all stay visible.
        var line = surface.Add.ScatterLine(racer.Path.ToArray(), racer.Color);
        line.LineWidth = racer.LineWidth;
        line.MarkerShape = MarkerShape.FilledCircle;
        line.MarkerSize = racer.LineWidth + 2;
        line.LegendText = racer.Label;
    }

    surface.Add.Marker(StartX, StartY, MarkerShape.OpenCircle, 14, Colors.Black).LegendText = "start (−7, 2)";
    surface.Add.Marker(0, 0, MarkerShape.Cross, 16, Colors.Black).LegendText = "minimum (0, 0)";
    surface.Title($"f(x, y) = x²/20 + y²: {Steps} steps from (−7, 2)");
    surface.XLabel("x");
    surface.YLabel("y");
    surface.Axes.SetLimits(XMin, XMax, YMin, YMax);
    surface.ShowLegend(Alignment.LowerRight);

    // Right: f at every step, on a log scale (log₁₀ f plotted, ticks labelled 10ⁿ).
    foreach (Racer racer in racers)
    {
        double[] steps = new double[racer.Path.Count], logLoss = new double[racer.Path.Count];
        for (int i = 0; i < racer.Path.Count; i++)
        {
            steps[i] = i;
            logLoss[i] = Math.Log10(Math.Max(Valley.F(racer.Path[i].X, racer.Path[i].Y), 1e-12));
        }

        var line = progress.Add.ScatterLine(steps, logLoss, racer.Color);
        line.LineWidth = 2;
    }

    var ticks = new ScottPlot.TickGenerators.NumericAutomatic
    {
        IntegerTicksOnly = true,
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        LabelFormatter = exponent => $"1e{exponent:0}",
    };
    progress.Axes.Left.TickGenerator = ticks;
    progress.Title("f after each step");
    progress.XLabel("step");
    progress.YLabel("f (log scale)");

    figure.SavePng(output, Width, Height);
}

/// <summary>One contestant: its label, its settings (unused by the hand-written one) and the points it visited.</summary>
internal sealed record Racer(string Label, RmsProp Optimizer, Color Color, float LineWidth = 2)
{
    public List<Coordinates> Path { get; } = [];
}

/// <summary>The elongated bowl f(x, y) = x²/20 + y²; the position (x, y) is what the optimizers train.</summary>
[Optimize(typeof(RmsProp))]
public partial class Valley
{
    [Param] public double X;
    [Param] public double Y;

    /// <summary>The surface as a plain function, for the contours.</summary>
    public static double F(double x, double y) => x * x / 20 + y * y;

    /// <summary>
    /// The surface as the loss OptimizerGen differentiates. It takes no inputs — a [Loss] method with no parameters
    /// is supported: OptimizerGen then generates AccumulateGradients() with no arguments (and Step(int batchSize),
    /// which would just repeat the same "sample"), so no dummy input is needed.
    /// </summary>
    [Loss]
    public double Loss()
    {
        return X * X / 20 + Y * Y;
    }
}

/// <summary>
/// Lion (Chen et al. 2023): a user-written update rule. OptimizerGen translates Update into a SIMD rule the same loop
/// runs as for its built-in optimizers; see the README's "Your own update rule".
/// </summary>
[UpdateRule]
public partial struct Lion
{
    public Lion() { }

    public double LearningRate { get; init; } = 1e-4;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.99;

    void Update(ref double p, double g, [State("exp_avg")] ref double m)
    {
        double c = Beta1 * m + (1 - Beta1) * g;
        p -= LearningRate * Math.Sign(c);
        m = Beta2 * m + (1 - Beta2) * g;
    }
}

/// <summary>The same valley, trained with <see cref="Lion"/>.</summary>
[Optimize(typeof(Lion))]
public partial class LionValley
{
    [Param] public double X;
    [Param] public double Y;

    [Loss]
    public double Loss()
    {
        return X * X / 20 + Y * Y;
    }
}
