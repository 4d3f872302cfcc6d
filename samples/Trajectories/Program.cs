// The seed article's picture: optimizers racing down an elongated error surface, f(x, y) = x²/20 + y² — a valley
// twenty times flatter along x than across it, so a step size that suits y is far too small for x. The seed's cast, one
// idea at a time added to gradient descent — momentum, per-coordinate step sizes that remember every gradient (AdaGrad)
// or only recent ones (RMSprop), and both (Adam) — every one OptimizerGen's generated update of the same loss — and
// Lion, an optimizer written as your own [UpdateRule] struct (at the end of this file), compiled like them. A contour
// plot with every path, and f after every step, go to a PNG: the first argument, or trajectories.png in the working
// directory.
using System;
using System.Collections.Generic;
using System.IO;
using OptimizerGen;
using ScottPlot;

const int Steps = 60;
const double StartX = -7, StartY = 2;
const int Width = 1500, Height = 600;
string output = Path.GetFullPath(args.Length > 0 ? args[0] : "trajectories.png");

// [Optimize(typeof(X))] picks the optimizer at compile time, so each racer is its own small model class (below) with
// the same loss; its Optimizer property holds the settings.
var racers = new List<Racer>
{
    new("SGD (lr 0.15)", new SgdValley { Optimizer = new Sgd { LearningRate = 0.15 } }, Colors.Gray),
    new("SGD + momentum 0.9 (lr 0.1)", new SgdValley { Optimizer = new Sgd { LearningRate = 0.1, Momentum = 0.9 } }, Colors.Green),
    // AdaGrad and RMSprop take nearly the same route (they differ in speed along it): AdaGrad is drawn wide, RMSprop
    // on top of it, so both stay visible.
    new("AdaGrad (lr 1)", new AdaGradValley { Optimizer = new AdaGrad { LearningRate = 1 } }, Colors.Blue, LineWidth: 7),
    new("RMSprop (PyTorch defaults, lr 0.1)", new RmsPropValley { Optimizer = new RmsProp { LearningRate = 0.1 } }, Colors.Red, LineWidth: 2.5f),
    new("Adam (lr 0.3)", new AdamValley { Optimizer = new Adam { LearningRate = 0.3 } }, Colors.Orange),
    // Your own optimizer: every Lion step moves each coordinate by exactly ±lr, so it crosses the flat x direction at
    // constant speed, and then zigzags around the minimum by ±lr.
    new("Lion, your own [UpdateRule] (lr 0.12)", new LionValley { Optimizer = new Lion { LearningRate = 0.12 } }, Colors.Purple),
};

foreach (Racer racer in racers)
{
    IValley model = racer.Model;
    model.MoveTo(StartX, StartY);
    racer.Path.Add(model.Position);
    for (int step = 1; step <= Steps; step++)
    {
        model.Train();
        racer.Path.Add(model.Position);
    }

    Report(racer.Label, racer.Path);
}

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

/// <summary>One contestant: its label, its model (which holds the optimizer) and the points it visited.</summary>
internal sealed record Racer(string Label, IValley Model, Color Color, float LineWidth = 2)
{
    public List<Coordinates> Path { get; } = [];
}

/// <summary>A position (x, y) on the valley that an optimizer trains.</summary>
internal interface IValley
{
    Coordinates Position { get; }

    void MoveTo(double x, double y);

    /// <summary>One step: the generated gradient of the loss into Grad, then the generated fused update (which zeroes Grad).</summary>
    void Train();
}

/// <summary>The elongated bowl as a plain function, for the contours.</summary>
internal static class Valley
{
    public static double F(double x, double y) => x * x / 20 + y * y;
}

// The same model once per optimizer. The loss takes no inputs — a [Loss] method with no parameters is
// supported: OptimizerGen then generates AccumulateGradients() with no arguments (and Step(int batchSize), which would
// just repeat the same "sample"), so no dummy input is needed.

[Optimize(typeof(Sgd))]
internal partial class SgdValley : IValley
{
    [Param] public double X, Y;

    [Loss] public double Loss() { return X * X / 20 + Y * Y; }

    public Coordinates Position => new(X, Y);

    public void MoveTo(double x, double y) => (X, Y) = (x, y);

    public void Train() { AccumulateGradients(); ApplyGradients(); }
}

[Optimize(typeof(AdaGrad))]
internal partial class AdaGradValley : IValley
{
    [Param] public double X, Y;

    [Loss] public double Loss() { return X * X / 20 + Y * Y; }

    public Coordinates Position => new(X, Y);

    public void MoveTo(double x, double y) => (X, Y) = (x, y);

    public void Train() { AccumulateGradients(); ApplyGradients(); }
}

[Optimize(typeof(RmsProp))]
internal partial class RmsPropValley : IValley
{
    [Param] public double X, Y;

    [Loss] public double Loss() { return X * X / 20 + Y * Y; }

    public Coordinates Position => new(X, Y);

    public void MoveTo(double x, double y) => (X, Y) = (x, y);

    public void Train() { AccumulateGradients(); ApplyGradients(); }
}

[Optimize(typeof(Adam))]
internal partial class AdamValley : IValley
{
    [Param] public double X, Y;

    [Loss] public double Loss() { return X * X / 20 + Y * Y; }

    public Coordinates Position => new(X, Y);

    public void MoveTo(double x, double y) => (X, Y) = (x, y);

    public void Train() { AccumulateGradients(); ApplyGradients(); }
}

[Optimize(typeof(Lion))]
internal partial class LionValley : IValley
{
    [Param] public double X, Y;

    [Loss] public double Loss() { return X * X / 20 + Y * Y; }

    public Coordinates Position => new(X, Y);

    public void MoveTo(double x, double y) => (X, Y) = (x, y);

    public void Train() { AccumulateGradients(); ApplyGradients(); }
}

/// <summary>
/// Lion (Chen et al. 2023), the sign of an interpolated momentum: a user-written update rule. OptimizerGen translates
/// Update into a SIMD rule the same loop runs as for its built-in optimizers; see the README's "Your own update rule".
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
