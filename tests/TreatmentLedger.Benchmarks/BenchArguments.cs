namespace TreatmentLedger.Benchmarks;

/// <summary>The harness's command line.</summary>
public sealed record BenchArguments(bool Quick, string OutPath, string? PeerDir, string ApiDll, string Command, IReadOnlySet<string>? Only)
{
    public bool Runs(string key) => Only is null || Only.Contains(key) || key == "api";

    public static BenchArguments Parse(string[] args)
    {
        var quick = false;
        string? outPath = null, peerDir = null, apiDll = null, command = null;
        HashSet<string>? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--out": outPath = Value(); break;
                case "--peer-dir": peerDir = Value(); break;
                case "--api": apiDll = Value(); break;
                case "--command": command = Value(); break;
                case "--only": only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}; see BenchProgram's summary");
            }
        }
        var root = RepoRoot();
        return new BenchArguments(
            quick,
            Path.GetFullPath(outPath ?? Path.Combine(root, "docs", "benchmarks.md")),
            peerDir is null ? null : Path.GetFullPath(peerDir),
            Path.GetFullPath(apiDll ?? Path.Combine(root, "src", "TreatmentLedger.Api", "bin", "Release", "net10.0", "TreatmentLedger.Api.dll")),
            command ?? "dotnet TreatmentLedger.Benchmarks.dll " + string.Join(' ', args),
            only);
    }

    /// <summary>The repository: the first folder up from the harness's binaries that holds TreatmentLedger.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TreatmentLedger.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
