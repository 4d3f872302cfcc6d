using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OptimizerGen.Reliability.Tests.Models;
using OptimizerGen.Reliability.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OptimizerGen.Reliability.Tests;

/// <summary>
/// SaveCheckpoint(path) is atomic: a save that fails — before writing, part-way through the write, or at the rename —
/// leaves the previous checkpoint byte for byte as it was and no temporary file behind; a crash part-way leaves the
/// previous checkpoint intact; a successful save replaces it.
/// </summary>
public class AtomicSaveTests(ITestOutputHelper output)
{
    private const string FileName = "model.safetensors";

    private static readonly Dictionary<string, string> NoWriteXorExecute = new() { ["DOTNET_EnableWriteXorExecute"] = "0" };

    [Fact]
    public void SuccessfulSave_ReplacesTheOldFile_AndLeavesNoTemporaryFiles()
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        var model = new MixedModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.9 } };
        Gradients.Train(model, 3);
        model.SaveCheckpoint(path);
        byte[] first = File.ReadAllBytes(path);
        Assert.Equal(ResumeTests.Save(model), first);

        Gradients.Train(model, 2);
        model.SaveCheckpoint(path);
        byte[] second = File.ReadAllBytes(path);
        Assert.NotEqual(first, second);
        Assert.Equal(ResumeTests.Save(model), second);
        Assert.Equal([path], directory.Entries());
    }

    public static TheoryData<string> NullFields() => new(["W", "M"]);

    /// <summary>A model that cannot be saved (a parameter array is null) must throw, naming it, and keep the old file.</summary>
    [Theory]
    [MemberData(nameof(NullFields))]
    public void SaveWithANullParameterArray_Throws_AndKeepsTheOldCheckpoint(string field)
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        var model = new ArrayModel { Optimizer = RmsProp.PyTorch with { Centered = true } };
        Gradients.Train(model, 3);
        model.SaveCheckpoint(path);
        byte[] good = File.ReadAllBytes(path);

        if (field == "W")
        {
            model.W = null!;
        }
        else
        {
            model.M = null!;
        }

        Exception? error = Record.Exception(() => model.SaveCheckpoint(path));
        byte[] after = File.ReadAllBytes(path);
        output.WriteLine($"error: {error?.GetType().Name}: {error?.Message}; file {good.Length} → {after.Length} bytes");
        Assert.Equal([path], directory.Entries());
        Assert.True(good.AsSpan().SequenceEqual(after), $"the previous checkpoint was replaced ({good.Length} → {after.Length} bytes)");
        Assert.True(error is InvalidOperationException, $"expected InvalidOperationException naming '{field}', got {error?.GetType().Name ?? "no exception"}");
        Assert.Contains($"'{field}'", error!.Message, StringComparison.Ordinal);

        var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => model.SaveCheckpoint(stream));
        Assert.Equal(0, stream.Length);
    }

    public static TheoryData<string> InconsistentModels() => new(["M has 14 elements for its declared shape [3, 5]", "W resized from 37 to 40 after its state was built"]);

    /// <summary>
    /// A model whose arrays disagree with their declared shape or their optimizer state cannot be written as a valid
    /// checkpoint: saving must throw, naming the field (as ApplyGradients does), and keep the old checkpoint — never
    /// replace a good file with one that LoadCheckpoint rejects.
    /// </summary>
    [Theory]
    [MemberData(nameof(InconsistentModels))]
    public void SaveOfAnInconsistentModel_Throws_AndKeepsTheOldCheckpoint(string caseName)
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        var model = new ArrayModel { Optimizer = RmsProp.PyTorch with { Momentum = 0.9 } };
        Gradients.Train(model, 3);
        model.SaveCheckpoint(path);
        byte[] good = File.ReadAllBytes(path);
        string field = caseName[..1];
        if (field == "M")
        {
            model.M = new float[14];
        }
        else
        {
            model.W = new float[40];
        }

        Exception? error = Record.Exception(() => model.SaveCheckpoint(path));
        byte[] after = File.ReadAllBytes(path);
        Exception? reload = Record.Exception(() => new ArrayModel().LoadCheckpoint(path));
        output.WriteLine($"save: {error?.GetType().Name}: {error?.Message}\nfile {good.Length} → {after.Length} bytes; loading it: {reload?.GetType().Name}: {reload?.Message}");
        Assert.True(good.AsSpan().SequenceEqual(after), $"the good checkpoint was replaced by {after.Length} bytes that LoadCheckpoint answers with: {reload?.Message}");
        Assert.True(error is InvalidOperationException, $"expected InvalidOperationException naming '{field}', got {error?.GetType().Name ?? "no exception"}");
        Assert.Contains($"'{field}'", error!.Message, StringComparison.Ordinal);
        Assert.Equal([path], directory.Entries());
    }

    /// <summary>
    /// The write itself fails part-way: a child process saves a 400 KB checkpoint under a 64 KB file-size limit
    /// (ulimit -f, with SIGXFSZ ignored so write() fails with EFBIG), over an existing good checkpoint. W^X is off in the
    /// child because the runtime's double-mapped code memory is a file the limit would also cap.
    /// </summary>
    [Fact]
    public void SaveFailingMidWrite_KeepsTheOldCheckpoint_AndRemovesTheTemporaryFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        byte[] good = GoodBigCheckpoint(path);

        var (exitCode, stdout, stderr) = ChildProcess.Run([Program.SaveBigCommand, path], NoWriteXorExecute, shellPrefix: "trap '' XFSZ; ulimit -f 64");
        output.WriteLine($"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.True(exitCode == 0, $"the child's save did not throw (exit {exitCode}):\n{stdout}\n{stderr}");
        Assert.Contains("SAVING", stdout, StringComparison.Ordinal);
        Assert.Contains("THREW", stdout, StringComparison.Ordinal);
        Assert.True(good.AsSpan().SequenceEqual(File.ReadAllBytes(path)), "the previous checkpoint changed");
        Assert.Equal([path], directory.Entries());
        new BigModel().LoadCheckpoint(path);
    }

    /// <summary>The process dies part-way through the write (SIGXFSZ): the previous checkpoint is intact and still loads.</summary>
    [Fact]
    public void CrashMidWrite_KeepsTheOldCheckpoint()
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        byte[] good = GoodBigCheckpoint(path);

        var (exitCode, stdout, stderr) = ChildProcess.Run([Program.SaveBigCommand, path], NoWriteXorExecute, shellPrefix: "ulimit -f 64");
        output.WriteLine($"exit {exitCode}\n{stdout}\n{stderr}\nentries: {string.Join(", ", directory.Entries().Select(Path.GetFileName))}");
        Assert.Contains("SAVING", stdout, StringComparison.Ordinal);
        Assert.Equal(128 + 25, exitCode);   // killed by SIGXFSZ part-way through the write
        Assert.DoesNotContain("SAVED", stdout, StringComparison.Ordinal);
        Assert.True(good.AsSpan().SequenceEqual(File.ReadAllBytes(path)), "the previous checkpoint changed");
        var loaded = new BigModel();
        loaded.LoadCheckpoint(path);
        Assert.Equal(2, loaded.StepCount);

        // A crash cannot clean up: what remains is a partial temporary file beside it, never under the final name,
        // and it is recognised as truncated.
        foreach (string leftover in directory.Entries().Where(e => e != path))
        {
            Assert.StartsWith(".optg-", Path.GetFileName(leftover), StringComparison.Ordinal);
            Assert.EndsWith(".tmp", leftover, StringComparison.Ordinal);
            var error = Assert.Throws<InvalidDataException>(() => new BigModel().LoadCheckpoint(leftover));
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The rename fails (the destination is a directory): the directory stays and no temporary file is left.</summary>
    [Fact]
    public void SaveOntoADirectory_Throws_AndLeavesNoTemporaryFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File(FileName);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "keep");
        var model = new MixedModel();
        Gradients.Train(model, 1);
        Exception? error = Record.Exception(() => model.SaveCheckpoint(path));
        output.WriteLine($"{error?.GetType().Name}: {error?.Message}");
        Assert.True(error is IOException or UnauthorizedAccessException, $"got {error?.GetType().Name ?? "no exception"}");
        Assert.Equal([path], directory.Entries());
        Assert.Equal("keep", File.ReadAllText(Path.Combine(path, "keep.txt")));
    }

    /// <summary>
    /// A file name the file system accepts (250 bytes; NAME_MAX is 255) must be savable: the temporary file's name must
    /// not be longer than the file system allows.
    /// </summary>
    [Fact]
    public void SaveToALongButValidFileName_Succeeds()
    {
        using var directory = new TempDirectory();
        string path = directory.File(new string('m', 238) + ".safetensors");
        Assert.Equal(250, Path.GetFileName(path).Length);
        File.WriteAllBytes(path, [1, 2, 3]);   // the name itself is valid here
        var model = new ScalarModel();
        Gradients.Train(model, 2);
        Exception? error = Record.Exception(() => model.SaveCheckpoint(path));
        output.WriteLine($"{error?.GetType().Name}: {error?.Message}");
        Assert.Null(error);
        Assert.Equal(ResumeTests.Save(model), File.ReadAllBytes(path));
        Assert.Equal([path], directory.Entries());
    }

    private static byte[] GoodBigCheckpoint(string path)
    {
        var model = new BigModel();
        Gradients.Train(model, 2, seed: 17);
        model.SaveCheckpoint(path);
        byte[] good = File.ReadAllBytes(path);
        Assert.True(good.Length > 2 * 4 * BigModel.Length, "the old checkpoint holds W and W.square_avg");
        return good;
    }
}
