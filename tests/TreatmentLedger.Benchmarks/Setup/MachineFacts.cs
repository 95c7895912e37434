using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>What the numbers were measured on.</summary>
public sealed record MachineFacts(
    string Nproc,
    string MemTotal,
    string Cpu,
    string Kernel,
    string Dotnet,
    string PostgresVersion,
    string FsyncLine,
    string FsyncCommand,
    string Node)
{
    public static async Task<MachineFacts> GatherAsync(string scratch, CancellationToken ct)
    {
        var bin = PostgresBin();
        var nproc = await FirstLineAsync("nproc", [], ct);
        var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } m
            ? FormatMemTotal(m)
            : "unknown";
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var kernel = await FirstLineAsync("uname", ["-sr"], ct);
        var postgres = await FirstLineAsync(Path.Combine(bin, "postgres"), ["--version"], ct);
        var node = await FirstLineAsync("node", ["--version"], ct);
        var (fsync, command) = await FsyncAsync(bin, scratch, ct);
        return new MachineFacts(nproc, mem, cpu, kernel, $".NET {Environment.Version} ({RuntimeInformation.OSDescription})", postgres, fsync, command, node);
    }

    private static string FormatMemTotal(string line)
    {
        var kb = long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return $"MemTotal: {kb.ToString(CultureInfo.InvariantCulture)} kB ({(kb / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} GiB)";
    }

    /// <summary>Where the embedded cluster finds its binaries: LEDGER_PG_BIN, else the highest /usr/lib/postgresql/*/bin.</summary>
    public static string PostgresBin()
    {
        if (Environment.GetEnvironmentVariable("LEDGER_PG_BIN") is { Length: > 0 } fromEnvironment) return fromEnvironment;
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => double.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1)
                .FirstOrDefault() ?? ""
            : "";
    }

    /// <summary>
    /// The 8 kB fdatasync line of <c>pg_test_fsync -s 2</c>, run on the cluster's file system. The tool is stopped
    /// once that line is out: the later tests (two writes, sizes, ...) are not reported and would cost ~15 s more.
    /// </summary>
    private static async Task<(string Line, string Command)> FsyncAsync(string bin, string scratch, CancellationToken ct)
    {
        var file = Path.Combine(scratch, "pg_test_fsync.out");
        var tool = Path.Combine(bin, "pg_test_fsync");
        var command = $"{tool} -s 2 -f {file}";
        if (!File.Exists(tool)) return ("pg_test_fsync not found in " + bin, command);

        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-s", "2", "-f", file }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var inOneWriteSection = false;
        string? found = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.Contains("one 8kB write", StringComparison.Ordinal)) inOneWriteSection = true;
                else if (inOneWriteSection && line.TrimStart().StartsWith("fdatasync", StringComparison.Ordinal))
                {
                    found = System.Text.RegularExpressions.Regex.Replace(line.Trim(), @"\s+", " ");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            found = "pg_test_fsync gave no fdatasync line within 60 s";
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            File.Delete(file);
        }
        return (found ?? "pg_test_fsync printed no fdatasync line", command);
    }

    private static async Task<string> FirstLineAsync(string file, string[] args, CancellationToken ct)
    {
        try
        {
            var result = await Shell.RunAsync(file, args, TimeSpan.FromSeconds(20), ct: ct);
            return result.StdOut.Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return file + " not found";
        }
    }
}
