using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using TreatmentLedger.Benchmarks.Measurement;
using TreatmentLedger.Benchmarks.Report;
using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Benchmarks.Scenarios;

/// <summary>
/// Append vs case length: one client appends one entry per <c>POST /cases/{id}/entries</c> to long courses of 3, 1,000,
/// 5,000 and 20,000 entries (built beforehand with <c>POST /cases/import</c> and batches), the lengths in turn; p50 and
/// p95 per length against the shortest, and the WAL written per append per length. The cost of an append should not
/// grow with the case.
/// </summary>
public static class CaseLengthScenario
{
    public const string Name = "append vs case length";
    public const string Target = "p50 at 5,000 <= 1.3x p50 at 3; at 20,000 <= 1.5x";

    /// <summary>The limits of the target: p50 at this length over p50 at the shortest.</summary>
    private static readonly (int Size, double Limit)[] Limits = [(5_000, 1.3), (20_000, 1.5)];

    /// <summary>At most this many entries in the import that starts a case (the case-opened counts as one): the API's case file limit.</summary>
    public const int EntriesPerRequest = 10_000;

    /// <summary>At most this many entries in each batch that follows: the API's batch limit.</summary>
    public const int EntriesPerBatch = 1_000;

    /// <summary>An append adds at most this share of a case's length (and at least one entry), so a case stays near its length.</summary>
    private const int GrowthDivisor = 20;

    private const int Seed = 700_000;

    /// <summary>Cases that appends go to in turn.</summary>
    private sealed class CaseSet(IReadOnlyList<LongCourse> courses)
    {
        private int _next;

        public IReadOnlyList<LongCourse> Courses { get; } = courses;
        public Guid[] Ids { get; } = new Guid[courses.Count];

        /// <summary>The next append: the next case in turn, its next entry dated <paramref name="today"/>.</summary>
        public (string Path, byte[] Body) Next(DateOnly today) => Append(_next++ % Courses.Count, today);

        public (string Path, byte[] Body) Append(int c, DateOnly today) => ($"/cases/{Ids[c]}/entries", CaseJson.EntryBody(Courses[c].NextAppend(today)));

        /// <summary>The most appends one case takes when <paramref name="appends"/> go round the set.</summary>
        public int MaxAppendsPerCase(int appends) => (appends + Courses.Count - 1) / Courses.Count;
    }

    /// <summary>
    /// One length: the cases of the timed part, and those of the WAL pass, built one entry short (the pass's first
    /// append to each, after the checkpoint, is not counted).
    /// </summary>
    private sealed class Length(int size, CaseSet timed, CaseSet wal)
    {
        public int Size { get; } = size;
        public CaseSet Timed { get; } = timed;
        public CaseSet Wal { get; } = wal;
        public Series Series { get; } = new($"cases of {size:N0} entries");
        public int WalFailures { get; set; }
        public string? FirstWalFailure { get; set; }
        public double WalBytesPerAppend { get; set; } = double.NaN;
        public double WalImageBytesPerAppend { get; set; } = double.NaN;
        public Latency? WalPassLatency { get; set; }
    }

    public static async Task<ScenarioResult> RunAsync(BenchContext ctx)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        var appends = v.LengthWarmupRounds + v.LengthReps * v.LengthRoundsPerRep;
        var lengths = v.LengthSizes.Select((size, i) =>
        {
            var perCase = Math.Max(1, size / GrowthDivisor);
            CaseSet Cases(int count, int entries, int seed) =>
                new(Enumerable.Range(0, count).Select(c => LongCourse.Generate(entries, seed + c, ctx.Today)).ToList());
            return new Length(size,
                Cases((appends + perCase - 1) / perCase, size, Seed + i * 10_000),
                Cases((v.LengthWalAppends + perCase - 1) / perCase, size - 1, Seed + i * 10_000 + 5_000));
        }).ToList();

        // Build every case (not timed): an import of the first entries, then batches of the rest.
        var building = Stopwatch.StartNew();
        var all = lengths.SelectMany(l => new[] { l.Timed, l.Wal }).SelectMany(set => set.Courses.Select((course, c) => (Set: set, Case: c, Course: course))).ToList();
        var builders = Enumerable.Range(0, v.ImportClients).Select(w => all.Where((_, i) => i % v.ImportClients == w).Select(item =>
            (Operation)(async ct2 =>
            {
                var (id, failure) = await BuildAsync(ctx, item.Course.Entries, ct2);
                item.Set.Ids[item.Case] = id;
                return failure;
            })).ToList()).ToList<IReadOnlyList<Operation>>();
        var built = await LoadRunner.RunAsync(builders, v.Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(10), ct);
        if (built.Failures > 0 || built.TimedOut)
            throw new InvalidOperationException($"{built.Failures} cases could not be built{(built.TimedOut ? " (time limit hit)" : "")}: {built.FirstFailure}");
        building.Stop();
        // Start the timing from a settled database: nothing left for autovacuum from the imports, fresh statistics.
        await ExecuteAsync(ctx.Raw, "vacuum analyze", ct);
        var entries = all.Sum(a => a.Course.Entries.Count);
        Console.WriteLine($"  {Name}: built {all.Count:N0} cases ({entries:N0} entries) in {Fmt.Seconds(building.Elapsed.TotalSeconds)}");

        // Timed: one append at a time, a case of every length in turn, so that drift (JIT, autovacuum, other processes) falls on all alike.
        for (var rep = 0; rep < 1 + v.LengthReps; rep++)
        {
            var warm = rep == 0;
            var results = await RoundsAsync(ctx, lengths, warm ? v.LengthWarmupRounds : v.LengthRoundsPerRep);
            Console.WriteLine($"  {Name} {(warm ? "warm-up" : "rep " + rep)}: " +
                              string.Join("; ", lengths.Select((l, i) => $"{l.Size:N0}: p50 {Fmt.Ms(results[i].Latency.P50)} p95 {Fmt.Ms(results[i].Latency.P95)}" +
                                                                         (results[i].Failures > 0 ? $" ({results[i].Failures} failed: {results[i].FirstFailure})" : ""))));
            if (warm) continue;
            for (var i = 0; i < lengths.Count; i++) lengths[i].Series.Add(results[i]);
        }

        // WAL per append, length by length in a pass of its own (interleaved, the lengths' WAL could not be told apart).
        var noWalInspect = await WalInspectAsync(ctx.Raw, ct);
        foreach (var length in lengths) await WalPassAsync(ctx, length, noWalInspect is null);
        var peakRss = ctx.Api?.PeakRssBytes();

        var reference = lengths[0];
        var p50 = reference.Series.Latency.P50;
        double Ratio(Length l) => l.Series.Latency.P50 / p50;
        var judged = Limits.Select(t => (t.Size, t.Limit, Length: lengths.Skip(1).FirstOrDefault(l => l.Size == t.Size))).Where(t => t.Length is not null).ToList();
        var failures = lengths.Sum(l => l.Series.Failures + l.WalFailures);
        bool? met = judged.Count == 0 ? null : judged.All(t => Ratio(t.Length!) <= t.Limit) && failures == 0;
        var unjudged = Limits.Where(t => judged.All(j => j.Size != t.Size)).Select(t => $"{t.Size:N0}").ToList();
        var others = lengths.Skip(1).ToList();
        var problems = string.Concat(lengths.Select(l => l.Series.Problems)) +
                       (lengths.Any(l => l.WalFailures > 0) ? $"{lengths.Sum(l => l.WalFailures)} appends of the WAL pass failed, first: {lengths.Select(l => l.FirstWalFailure).First(f => f is not null)}. " : "");
        static string Wal(Length l) => Fmt.Bytes(l.WalBytesPerAppend) +
            (double.IsNaN(l.WalImageBytesPerAppend) ? "" : $" ({Fmt.Bytes(l.WalBytesPerAppend - l.WalImageBytesPerAppend)} without full-page images)");
        static string Cases(int count) => $"{count:N0} case{(count == 1 ? "" : "s")}";
        static string Entries(int from, int to) => from == to ? $"{from:N0} entries" : $"{from:N0} to {to:N0} entries";
        var growth = lengths.Select(l => $"{l.Size:N0}: {Cases(l.Timed.Courses.Count)} holding {Entries(l.Size, l.Size + l.Timed.MaxAppendsPerCase(appends) - 1)} before a timed append " +
                                         $"(WAL pass: {Cases(l.Wal.Courses.Count)}, {Entries(l.Size, l.Size + l.Wal.MaxAppendsPerCase(v.LengthWalAppends) - 1)})").ToList();

        return new ScenarioResult(Name,
            "p50 / p95 " + string.Join("; ", others.Prepend(reference).Select(l => $"{l.Size:N0}: {Fmt.Ms(l.Series.Latency.P50)} / {Fmt.Ms(l.Series.Latency.P95)}")),
            $"the same at {reference.Size:N0} entries: {reference.Series.Latency}",
            "p50 " + string.Join("; ", others.Select(l => $"{l.Size:N0}: {Fmt.Ratio(Ratio(l))}")),
            Target, met,
            ($"one client, the lengths in turn; WAL per append {string.Join("; ", lengths.Select(l => $"{l.Size:N0}: {Wal(l)}"))}. " +
             (unjudged.Count > 0 ? $"{(v.Quick ? "Quick run: " : "")}no case of {string.Join(" or ", unjudged)} entries, judged on the others. " : "") + problems).Trim(),
            [
                $"- Cases: long courses generated by `LongCourse` (case-opened, work-up, a line of systemic therapy, then about every {LongCourse.EntriesPerLine:N0} entries " +
                "a progression-observed, the line's systemic-therapy-stopped, a decision and the next line's start; between them 40 % cycle-administered, 20 % follow-up-recorded, " +
                "15 % adverse-event-observed, 14 % imaging-performed, 10 % response-assessed, 1 % corrections and retractions; no death, a line active at the end, " +
                $"spread over up to 10 years before today). The {lengths[^1].Size:N0}-entry course has {lengths[^1].Timed.Courses[0].Lines} lines.",
                $"- Built before timing with `POST /cases/import` (the case-opened and up to {EntriesPerRequest - 1:N0} entries) and `POST /cases/{{id}}/entries/batch` " +
                $"(up to {EntriesPerBatch:N0} entries each), {v.ImportClients} clients: {all.Count:N0} cases, {entries:N0} entries in {Fmt.Seconds(building.Elapsed.TotalSeconds)}; " +
                "then `VACUUM ANALYZE` of the database.",
                $"- So that every case stays near its length, the appends to a case add at most 1/{GrowthDivisor} of its length (at least one entry), over as many cases as that takes: {string.Join("; ", growth)}.",
                $"- Timed: one request at a time (a single client), each a one-entry `POST /cases/{{id}}/entries` without If-Match, dated today: the active line's next " +
                "cycle-administered and a follow-up-recorded in turn, each with a new entryId. Round robin over the lengths (one append to each per round, the cases of a length in turn), " +
                $"so that drift falls on every length alike: a warm-up of {v.LengthWarmupRounds} rounds, then {v.LengthReps} repetitions of {v.LengthRoundsPerRep} rounds " +
                $"({v.LengthReps * v.LengthRoundsPerRep} measured appends per length). appends/s = appends / time spent on that length's requests.",
                .. lengths.Select(l => $"- {l.Series.Describe("appends/s")}"),
                $"- Ratio of p50 latencies to the {reference.Size:N0}-entry cases': {string.Join("; ", others.Select(l => $"{l.Size:N0}: {Fmt.Ratio(Ratio(l))}" + (Limits.Any(t => t.Size == l.Size) ? $" (target <= {Fmt.Num(Limits.First(t => t.Size == l.Size).Limit, "0.0")})" : "")))}; " +
                $"p95 ratios: {string.Join("; ", others.Select(l => $"{l.Size:N0}: {Fmt.Ratio(l.Series.Latency.P95 / reference.Series.Latency.P95)}"))}.",
                $"- WAL per append, length by length after the timed part, on cases of their own built one entry short: `VACUUM`, `CHECKPOINT`, one append to each of those cases, " +
                "not counted (it brings the case to its length and takes the full-page images of the pages its appends touch, so that every length is measured in the same " +
                $"steady state), then `select pg_current_wal_lsn()`, {v.LengthWalAppends} appends one at a time over those cases, `select pg_current_wal_lsn()`; " +
                $"`pg_wal_lsn_diff` of the two over {v.LengthWalAppends}. Whatever else PostgreSQL wrote meanwhile counts too (autovacuum was left on). " +
                (noWalInspect is null
                    ? "Full-page images (still possible where an append touches a page its case's first append did not, e.g. a row moved to another page) " +
                      "are told apart with pg_walinspect's `pg_get_wal_stats` over the same range (`sum(fpi_size)`): "
                    : $"Full-page images are not told apart: {noWalInspect}. ") +
                string.Join("; ", lengths.Select(l => $"{l.Size:N0}: {Fmt.Bytes(l.WalBytesPerAppend)} ({l.WalBytesPerAppend:N0} bytes" +
                    (double.IsNaN(l.WalImageBytesPerAppend) ? "" : $", of which full-page images {l.WalImageBytesPerAppend:N0}") +
                    $"; p50 {Fmt.Ms(l.WalPassLatency?.P50 ?? double.NaN)} in that pass)")) +
                $"; {string.Join("; ", others.Select(l => $"{l.Size:N0}/{reference.Size:N0}: {Fmt.Ratio(l.WalBytesPerAppend / reference.WalBytesPerAppend)}"))}.",
                .. peakRss is { } peak ? [$"- Peak RSS of the API after this scenario: {Fmt.MiB(peak)} (the memory row reads it before this scenario runs)."] : Array.Empty<string>(),
            ]);
    }

    /// <summary>Imports the course's first entries, then appends the rest in batches; the new case's id, or what went wrong.</summary>
    private static async Task<(Guid Id, string? Failure)> BuildAsync(BenchContext ctx, IReadOnlyList<Entry> course, CancellationToken ct)
    {
        var first = course.Take(EntriesPerRequest).ToList();
        var (failure, body) = await ctx.PostAsync("/cases/import", CaseJson.CaseFile(first), 201, ct);
        if (failure is not null) return (Guid.Empty, $"import of {first.Count:N0} entries: {failure}");
        var answer = JsonNode.Parse(body)!;
        var id = Guid.Parse(answer["caseId"]!.GetValue<string>());
        var version = answer["version"]!.GetValue<long>();
        for (var from = first.Count; from < course.Count; from += EntriesPerBatch)
        {
            var batch = course.Skip(from).Take(EntriesPerBatch).ToList();
            (failure, body) = await ctx.PostAsync($"/cases/{id}/entries/batch", CaseJson.Batch(batch), 201, ct);
            if (failure is not null) return (id, $"batch of {batch.Count:N0} entries from entry {from:N0}: {failure}");
            version = JsonNode.Parse(body)!["version"]!.GetValue<long>();
        }
        return (id, version == course.Count ? null : $"the case holds {version} entries, expected {course.Count}");
    }

    /// <summary>
    /// <paramref name="rounds"/> rounds, one append to every length each, one request at a time; each length's
    /// latencies as a repetition of its own (wall time: the time spent on its requests).
    /// </summary>
    private static async Task<LoadResult[]> RoundsAsync(BenchContext ctx, IReadOnlyList<Length> lengths, int rounds)
    {
        var ops = new List<Operation>();
        var owner = new List<int>();
        var failures = lengths.Select(_ => new List<string>()).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var i = 0; i < lengths.Count; i++)
            {
                var (path, body) = lengths[i].Timed.Next(ctx.Today);
                var mine = failures[i];
                ops.Add(async ct =>
                {
                    try
                    {
                        var (failure, _) = await ctx.PostAsync(path, body, 201, ct);
                        if (failure is not null) mine.Add(failure);
                        return failure;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        mine.Add(e.GetType().Name + ": " + e.Message);
                        throw;
                    }
                });
                owner.Add(i);
            }
        var run = await LoadRunner.RunSequentialAsync(ops, ctx.RepLimit, ctx.Ct);
        return lengths.Select((_, i) =>
        {
            var latencies = run.LatenciesMs.Where((_, op) => owner[op] == i).ToList();
            return new LoadResult(latencies.Count, failures[i].Count, latencies.Sum() / 1000, latencies, failures[i].FirstOrDefault(), run.TimedOut);
        }).ToArray();
    }

    /// <summary>The WAL written per append to the cases of one length, measured with nothing else appending.</summary>
    private static async Task WalPassAsync(BenchContext ctx, Length length, bool walInspect)
    {
        var v = ctx.Volumes;
        var ct = ctx.Ct;
        await ExecuteAsync(ctx.Raw, "vacuum", ct);
        await ExecuteAsync(ctx.Raw, "checkpoint", ct);
        for (var c = 0; c < length.Wal.Courses.Count; c++)
        {
            var (path, body) = length.Wal.Append(c, ctx.Today);
            if ((await ctx.PostAsync(path, body, 201, ct)).Failure is { } failure)
            {
                length.WalFailures++;
                length.FirstWalFailure ??= failure;
            }
        }
        var ops = Enumerable.Range(0, v.LengthWalAppends).Select(_ =>
        {
            var (path, body) = length.Wal.Next(ctx.Today);
            return (Operation)(async ct2 => (await ctx.PostAsync(path, body, 201, ct2)).Failure);
        }).ToList();
        var before = await WalPositionAsync(ctx.Raw, ct);
        var run = await LoadRunner.RunSequentialAsync(ops, ctx.RepLimit, ct);
        var after = await WalPositionAsync(ctx.Raw, ct);
        length.WalFailures += run.Failures;
        length.FirstWalFailure ??= run.FirstFailure;
        var bytes = await WalScalarAsync(ctx.Raw, "select pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::bigint", before, after, ct);
        // The full-page images among them (pg_walinspect), up to what is flushed: the function reads no further.
        var images = walInspect
            ? await WalScalarAsync(ctx.Raw, "select coalesce(sum(fpi_size), 0)::bigint from pg_get_wal_stats($1::pg_lsn, least($2::pg_lsn, pg_current_wal_flush_lsn()))", before, after, ct)
            : double.NaN;
        length.WalBytesPerAppend = run.Completed == 0 ? double.NaN : bytes / run.Completed;
        length.WalImageBytesPerAppend = run.Completed == 0 ? double.NaN : images / run.Completed;
        length.WalPassLatency = run.Latency;
        Console.WriteLine($"  {Name} WAL pass, {length.Size:N0} entries: {Fmt.Bytes(length.WalBytesPerAppend)} per append " +
                          $"(full-page images {Fmt.Bytes(length.WalImageBytesPerAppend)}) over {run.Completed} appends, {run.Latency}");
    }

    /// <summary>A number from the WAL between two positions.</summary>
    private static async Task<double> WalScalarAsync(NpgsqlDataSource db, string sql, string from, string to, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        return Convert.ToDouble(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Creates pg_walinspect (PostgreSQL's contrib, 15 and later), which tells the full-page images from the rest of
    /// the WAL; null when it is there, else why not (the WAL figures are then given whole).
    /// </summary>
    private static async Task<string?> WalInspectAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(db, "create extension if not exists pg_walinspect", ct);
            return null;
        }
        catch (PostgresException e)
        {
            return $"pg_walinspect is not available ({e.MessageText})";
        }
    }

    private static async Task<string> WalPositionAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select pg_current_wal_lsn()::text");
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A maintenance statement (VACUUM, CHECKPOINT), without the default 30 s command timeout.</summary>
    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
