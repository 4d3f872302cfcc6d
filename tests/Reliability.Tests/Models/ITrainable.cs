using System.IO;

namespace OptimizerGen.Reliability.Tests.Models;

/// <summary>
/// The generated members every test model shares, so one test body drives them all. The models' generated parts
/// implement it implicitly; <c>Grad</c> and <c>OptimizerState</c> differ per model and are reached by reflection
/// (<see cref="Support.ModelSnapshot"/>, <see cref="Support.Gradients"/>).
/// </summary>
public interface ITrainable
{
    RmsProp Optimizer { get; set; }

    long StepCount { get; }

    bool SkipNonFiniteGradients { get; set; }

    long SkippedSteps { get; }

    bool ApplyGradients();

    void ResetOptimizerState();

    void SaveCheckpoint(Stream destination);

    void SaveCheckpoint(string path);

    void LoadCheckpoint(Stream source);

    void LoadCheckpoint(string path);
}
