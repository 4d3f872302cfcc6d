// A 2-layer tanh MLP learns the two-moons data set. The loss of one sample is plain C# (TwoLayerMlp.Loss);
// OptimizerGen differentiates it at compile time — hidden activations go on a tape the model owns — and fuses the
// batch gradient with the RMSprop update in Step(). A picture of the loss curve and the learned decision boundary
// goes to a PNG: the first argument, or mlp.png in the working directory.
using System;
using System.IO;
using OptimizerGen;
using ScottPlot;

string picture = Path.GetFullPath(args.Length > 0 ? args[0] : "mlp.png");

const int Samples = 1000;
var random = new Random(7);
(float[] points, int[] labels) = TwoMoons(Samples, noise: 0.1, random);
(float[] testPoints, int[] testLabels) = TwoMoons(Samples, noise: 0.1, random);   // held out

var model = new TwoLayerMlp { Optimizer = new RmsProp { LearningRate = 0.01 } };
model.Initialize(random);

const int BatchSize = 50;
int[] order = new int[Samples];
for (int i = 0; i < Samples; i++)
{
    order[i] = i;
}

const int Epochs = 200;
float[] batchPoints = new float[BatchSize * 2];
int[] batchLabels = new int[BatchSize];
double[] lossCurve = new double[Epochs];
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    random.Shuffle(order);
    double epochLoss = 0;
    for (int start = 0; start < Samples; start += BatchSize)
    {
        for (int i = 0; i < BatchSize; i++)
        {
            int s = order[start + i];
            batchPoints[2 * i] = points[2 * s];
            batchPoints[2 * i + 1] = points[2 * s + 1];
            batchLabels[i] = labels[s];
        }

        epochLoss += model.Step(batchPoints, batchLabels);
    }

    lossCurve[epoch - 1] = epochLoss / (Samples / BatchSize);
    if (epoch == 1 || epoch % 20 == 0)
    {
        Console.WriteLine($"epoch {epoch,3}: loss = {epochLoss / (Samples / BatchSize):F4}, accuracy = {Accuracy(model, points, labels):P1}");
    }
}

double accuracy = Accuracy(model, testPoints, testLabels);
Console.WriteLine($"final accuracy: {accuracy:P1} on {Samples} held-out points");
Draw(model, lossCurve, testPoints, testLabels, picture);
Console.WriteLine($"picture: {picture} (1400×600: loss curve, decision boundary)");
return accuracy >= 0.97 ? 0 : 1;

// Left: the mean training loss of every epoch (log scale). Right: p(label = 1 | x) over the plane, the 0.5 contour
// (the decision boundary) and the held-out points, coloured by their true label.
static void Draw(TwoLayerMlp model, double[] lossCurve, float[] points, int[] labels, string path)
{
    var figure = new Multiplot();   // starts with one plot
    figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
    Plot loss = figure.GetPlot(0);
    Plot boundary = figure.AddPlot();

    double[] epochs = new double[lossCurve.Length], logLoss = new double[lossCurve.Length];
    for (int i = 0; i < lossCurve.Length; i++)
    {
        epochs[i] = i + 1;
        logLoss[i] = Math.Log10(lossCurve[i]);
    }

    loss.Add.ScatterLine(epochs, logLoss, Colors.Navy).LineWidth = 2;
    loss.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
    {
        IntegerTicksOnly = true,
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        LabelFormatter = exponent => $"1e{exponent:0}",
    };
    loss.Title("training loss (binary cross-entropy)");
    loss.XLabel("epoch");
    loss.YLabel("mean loss (log scale)");

    const double XMin = -1.6, XMax = 2.6, YMin = -1.1, YMax = 1.6;
    const int Columns = 169, Rows = 109;
    var probability = new double[Rows, Columns];
    var surface = new Coordinates3d[Rows, Columns];
    Span<float> point = stackalloc float[2];
    for (int r = 0; r < Rows; r++)
    {
        double y = YMax - (YMax - YMin) * r / (Rows - 1);   // heatmap rows run top to bottom
        for (int c = 0; c < Columns; c++)
        {
            double x = XMin + (XMax - XMin) * c / (Columns - 1);
            point[0] = (float)x;
            point[1] = (float)y;
            probability[r, c] = model.Probability(point);
            surface[r, c] = new Coordinates3d(x, y, probability[r, c]);
        }
    }

    var heatmap = boundary.Add.Heatmap(probability);
    heatmap.Extent = new CoordinateRect(XMin, XMax, YMin, YMax);
    heatmap.Colormap = new ScottPlot.Colormaps.Balance();
    heatmap.ManualRange = new ScottPlot.Range(0, 1);
    heatmap.Opacity = 0.45;
    boundary.Add.ColorBar(heatmap);

    var edge = boundary.Add.ContourLines(surface);
    edge.ContourLineLevels = [0.5];
    edge.Update(surface);   // the lines are traced when the data is given: again, now that the level is set
    edge.LineColor = Colors.Black;
    edge.LineWidth = 2;
    edge.LabelStyle.IsVisible = false;

    for (int label = 0; label <= 1; label++)
    {
        var xs = new System.Collections.Generic.List<double>();
        var ys = new System.Collections.Generic.List<double>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == label)
            {
                xs.Add(points[2 * i]);
                ys.Add(points[2 * i + 1]);
            }
        }

        var markers = boundary.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 4, label == 0 ? Colors.Blue : Colors.Red);
        markers.LegendText = $"held-out label {label}";
    }

    boundary.Title("p(label = 1), boundary p = 0.5 (black), held-out points");
    boundary.XLabel("x₁");
    boundary.YLabel("x₂");
    boundary.Axes.SetLimits(XMin, XMax, YMin, YMax);
    boundary.ShowLegend(Alignment.LowerLeft);

    figure.SavePng(path, 1400, 600);
}

static double Accuracy(TwoLayerMlp model, float[] points, int[] labels)
{
    int correct = 0;
    for (int i = 0; i < labels.Length; i++)
    {
        int predicted = model.Probability(points.AsSpan(2 * i, 2)) >= 0.5f ? 1 : 0;
        correct += predicted == labels[i] ? 1 : 0;
    }

    return (double)correct / labels.Length;
}

// Two interleaved half circles (as scikit-learn's make_moons), with Gaussian noise.
static (float[] Points, int[] Labels) TwoMoons(int count, double noise, Random random)
{
    var points = new float[2 * count];
    var labels = new int[count];
    for (int i = 0; i < count; i++)
    {
        int label = i % 2;
        double t = Math.PI * random.NextDouble();
        double x = label == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
        double y = label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
        points[2 * i] = (float)(x + noise * Gaussian(random));
        points[2 * i + 1] = (float)(y + noise * Gaussian(random));
        labels[i] = label;
    }

    return (points, labels);
}

static double Gaussian(Random random) =>
    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

/// <summary>p(label = 1 | x) = σ(w₂·tanh(W₁x + b₁) + b₂), trained with binary cross-entropy.</summary>
[Optimize(typeof(RmsProp))]
public partial class TwoLayerMlp
{
    private const int Hidden = 16;

    [Param(Hidden, 2)] public float[] W1 = new float[Hidden * 2];
    [Param, ExcludeFromWeightDecay] public float[] B1 = new float[Hidden];
    [Param] public float[] W2 = new float[Hidden];
    [Param, ExcludeFromWeightDecay] public float B2;

    /// <summary>Small random weights (Xavier-uniform).</summary>
    public void Initialize(Random random)
    {
        for (int i = 0; i < W1.Length; i++)
        {
            W1[i] = (float)((random.NextDouble() * 2 - 1) * Math.Sqrt(6.0 / (2 + Hidden)));
        }

        for (int i = 0; i < W2.Length; i++)
        {
            W2[i] = (float)((random.NextDouble() * 2 - 1) * Math.Sqrt(6.0 / (Hidden + 1)));
        }
    }

    /// <summary>The hidden units' activation; a [Differentiable] helper is inlined into the loss and differentiated with it.</summary>
    [Differentiable]
    private static float Activate(float z) => MathF.Tanh(z);

    /// <summary>Binary cross-entropy of one point; OptimizerGen generates its gradient.</summary>
    [Loss]
    public float Loss(ReadOnlySpan<float> x, int label)
    {
        float output = B2;
        for (int j = 0; j < Hidden; j++)
        {
            float z = B1[j];
            for (int i = 0; i < 2; i++)
            {
                z += W1[j * 2 + i] * x[i];
            }

            output += W2[j] * Activate(z);
        }

        // −log σ(o) for label 1, −log(1 − σ(o)) = −log σ(−o) for label 0, both as softplus for stability.
        return label == 1 ? Activation.Softplus(-output) : Activation.Softplus(output);
    }

    /// <summary>p(label = 1 | x), the same forward pass as the loss's.</summary>
    public float Probability(ReadOnlySpan<float> x)
    {
        float output = B2;
        for (int j = 0; j < Hidden; j++)
        {
            float z = B1[j];
            for (int i = 0; i < 2; i++)
            {
                z += W1[j * 2 + i] * x[i];
            }

            output += W2[j] * Activate(z);
        }

        return Activation.Sigmoid(output);
    }
}
