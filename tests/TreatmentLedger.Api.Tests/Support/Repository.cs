using System.Diagnostics;
using System.Reflection;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The repository these tests were built from: its ops scripts and the API build next to this test build.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The API as built with the same configuration as the tests (ops/test builds the whole solution).</summary>
    public static string ApiFolder { get; } = Path.Combine(Root, "src", "TreatmentLedger.Api", "bin",
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "TreatmentLedger.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no TreatmentLedger.sln above {AppContext.BaseDirectory}");
    }

    public sealed record ScriptResult(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}";
    }

    /// <summary>Runs <c>ops/{script}</c> with the ledger's variables as given (none of this process's own), and waits for it.</summary>
    public static async Task<ScriptResult> RunOps(string script, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Root, "ops", script))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        WithEnvironment(start, environment);
        using var process = Process.Start(start)!;
        var stdOut = process.StandardOutput.ReadToEndAsync();
        var stdErr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ScriptResult(process.ExitCode, await stdOut, await stdErr);
    }

    /// <summary>The fixture of the Alba tests sets LEDGER_* for this whole process; a child gets only those given.</summary>
    public static void WithEnvironment(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("LEDGER_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
    }
}
