using System.Text;
using TreatmentLedger.Benchmarks.Setup;

namespace TreatmentLedger.Benchmarks.Report;

/// <summary>
/// Writes docs/benchmarks.md: header, date, command, machine, the table, the hand-written analysis of the misses
/// (docs/benchmarks-analysis.md), then each scenario's details.
/// </summary>
public static class MarkdownReport
{
    public static string Render(RunInfo run, MachineFacts machine, IReadOnlyList<string> clusterFacts, IReadOnlyList<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("# TreatmentLedger benchmarks");
        md.AppendLine();
        md.AppendLine("Written by `tests/TreatmentLedger.Benchmarks` (run by `ops/bench`); do not edit by hand, run it again.");
        md.AppendLine("Every scenario measures, in the same run and on the same PostgreSQL cluster, the ledger's figure, a raw");
        md.AppendLine("baseline and their ratio. Timings are medians over the measured repetitions, taken after warm-up");
        md.AppendLine("repetitions that are not counted; p50/p95/p99 are each the median over repetitions of that repetition's percentile.");
        md.AppendLine();
        md.AppendLine($"- Date (UTC): {run.StartedUtc:yyyy-MM-dd HH:mm:ss} (run took {run.Elapsed.TotalMinutes:0.0} min)");
        md.AppendLine($"- Command: `{run.Command}`");
        md.AppendLine($"- Mode: {(run.Quick ? "**quick** (smoke run: smaller volumes and fewer repetitions; not for comparison)" : "full")}");
        md.AppendLine($"- Commit: {run.Commit}");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine($"- `nproc`: {machine.Nproc}");
        md.AppendLine($"- {machine.MemTotal}");
        md.AppendLine($"- CPU: {machine.Cpu}; kernel: {machine.Kernel}");
        md.AppendLine($"- `postgres --version`: {machine.PostgresVersion}");
        md.AppendLine($"- `pg_test_fsync -s 2`, one 8 kB write: `{machine.FsyncLine}` (command: `{machine.FsyncCommand}`, stopped after that line)");
        md.AppendLine($"- {machine.Dotnet}; Node {machine.Node}");
        foreach (var fact in clusterFacts) md.AppendLine($"- {fact}");
        md.AppendLine("- Load generator, API and PostgreSQL share the same cores: client CPU is part of every figure, ledger and baseline alike.");
        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.AppendLine("| scenario | ledger figure | baseline figure | ratio | target | met? | notes |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in results)
            md.AppendLine($"| {Cell(r.Scenario)} | {Cell(r.LedgerFigure)} | {Cell(r.BaselineFigure)} | {Cell(r.Ratio)} | {Cell(r.Target)} | {Met(r.Met)} | {Cell(r.Notes)} |");
        md.AppendLine();
        if (File.Exists(AnalysisPath))
        {
            // Hand-written, kept in docs/benchmarks-analysis.md: why each missed target is missed, with the profile evidence.
            md.AppendLine(File.ReadAllText(AnalysisPath).TrimEnd());
            md.AppendLine();
        }
        md.AppendLine("## Details");
        foreach (var r in results)
        {
            md.AppendLine();
            md.AppendLine($"### {r.Scenario}");
            md.AppendLine();
            foreach (var line in r.Details) md.AppendLine(line);
        }
        return md.ToString();
    }

    /// <summary>The analysis of the misses, included as it is after the table.</summary>
    public static string AnalysisPath => Path.Combine(BenchArguments.RepoRoot(), "docs", "benchmarks-analysis.md");

    public static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "n/a" };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The table alone, as the console prints it at the end.</summary>
    public static string Table(IReadOnlyList<ScenarioResult> results)
    {
        var rows = results.Select(r => new[] { r.Scenario, r.LedgerFigure, r.BaselineFigure, r.Ratio, r.Target, Met(r.Met).Replace("*", "", StringComparison.Ordinal) }).ToList();
        string[] header = ["scenario", "ledger", "baseline", "ratio", "target", "met?"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
        foreach (var row in rows) text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
        return text.ToString();
    }
}

/// <summary>The facts of one run that the document's header states.</summary>
public sealed record RunInfo(DateTime StartedUtc, TimeSpan Elapsed, string Command, bool Quick, string Commit);
