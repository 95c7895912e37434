using System.Net;
using System.Text.Json.Nodes;
using Marten;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// ops/backup and ops/restore as an operator runs them, on the embedded clusters of real API processes: a ledger restored
/// into a new cluster answers every read as before, and a rebuild of its projections writes the same documents.
/// </summary>
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private static readonly string[] CaseRoutes =
        ["", "/lines", "/progression-free-intervals", "/outcomes", "/cumulative-dose", "/timeline", "/timeline.svg", "/entries", "/export"];
    private static readonly string[] SpeedOverDurability = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"];

    private readonly string _folder = Path.Combine("/tmp", "ledger-backup-" + Guid.NewGuid().ToString("N")[..10]);
    private string Original => Path.Combine(_folder, "original");
    private string Restored => Path.Combine(_folder, "restored");
    private string BackupFile => Path.Combine(_folder, "ledger.dump");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_ledger_restored_into_a_new_cluster_answers_every_read_as_before_and_rebuilds_the_same_documents()
    {
        // A ledger with the founding case (one entry corrected, one retracted) and a second case.
        Dictionary<string, string> before;
        string documentsBefore;
        await using (var original = await EmbeddedPostgres.StartAsync(Original, serverSettings: SpeedOverDurability))
        {
            await using (var api = await LedgerProcess.StartAsync(new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = original.ConnectionString }))
            {
                var caseIds = await RecordCases(api);
                before = await ReadEverything(api, caseIds);
            }
            documentsBefore = await Documents(original.ConnectionString);
        }

        // The cluster is stopped, as when the API is not running: ops/backup starts it for the dump.
        var backup = await Repository.RunOps("backup", new Dictionary<string, string> { ["LEDGER_DATA"] = Original }, BackupFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.True(new FileInfo(BackupFile).Length > 0);
        var restore = await Repository.RunOps("restore", new Dictionary<string, string> { ["LEDGER_DATA"] = Restored }, BackupFile);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        await using var restored = await EmbeddedPostgres.StartAsync(Restored, serverSettings: SpeedOverDurability);
        var onRestored = new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = restored.ConnectionString };
        await using (var api = await LedgerProcess.StartAsync(onRestored))
        {
            AssertSameAnswers(before, await ReadEverything(api, CaseIdsOf(before)));
            Assert.Equal(documentsBefore, await Documents(restored.ConnectionString));
        }

        // Every projection rebuilt from the command line, as the README says (the ledger stopped).
        var rebuilt = await Repository.RunOps("run", onRestored, "projections", "rebuild");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        Assert.Contains("CaseFacts", rebuilt.StdOut, StringComparison.Ordinal);
        Assert.Equal(documentsBefore, await Documents(restored.ConnectionString));
        await using (var api = await LedgerProcess.StartAsync(onRestored))
            AssertSameAnswers(before, await ReadEverything(api, CaseIdsOf(before)));

        // A database that holds a ledger already is left alone, unless --force.
        var target = new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = restored.ConnectionString };
        var refused = await Repository.RunOps("restore", target, BackupFile);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.StdErr, StringComparison.Ordinal);
        Assert.Single(refused.StdErr.Trim().Split('\n'));
        var forced = await Repository.RunOps("restore", target, "--force", BackupFile);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(documentsBefore, await Documents(restored.ConnectionString));
    }

    [Fact]
    public async Task Backup_and_restore_say_in_one_line_what_is_wrong()
    {
        var environment = new Dictionary<string, string> { ["LEDGER_DATA"] = Path.Combine(_folder, "none") };

        var noCluster = await Repository.RunOps("backup", environment, BackupFile);
        var noFile = await Repository.RunOps("restore", environment, Path.Combine(_folder, "missing.dump"));
        var usage = await Repository.RunOps("backup", environment);

        Assert.Equal(1, noCluster.ExitCode);
        Assert.Equal($"ops/backup: no ledger cluster in {Path.Combine(_folder, "none")} (LEDGER_DATA); nothing to back up", noCluster.StdErr.Trim());
        Assert.False(File.Exists(BackupFile));
        Assert.Equal(1, noFile.ExitCode);
        Assert.Equal($"ops/restore: no backup file {Path.Combine(_folder, "missing.dump")}", noFile.StdErr.Trim());
        Assert.False(Directory.Exists(Path.Combine(_folder, "none")));
        Assert.Equal(2, usage.ExitCode);
        Assert.StartsWith("usage: ops/backup <file>", usage.StdErr, StringComparison.Ordinal);
    }

    private static async Task<List<Guid>> RecordCases(LedgerProcess api)
    {
        var imported = await api.PostAsync("/cases/import", DemoCase.Read());
        Assert.Equal(HttpStatusCode.Created, imported.Status);
        var founding = imported.Json["caseId"]!.GetValue<Guid>();
        var log = (await api.GetAsync($"/cases/{founding}/entries")).Json["entries"]!.AsArray();
        var crizotinib = log.Single(e => e!["type"]!.GetValue<string>() == "systemic-therapy-started" && e["regimen"]!.GetValue<string>() == "crizotinib")!;
        var response = log.First(e => e!["type"]!.GetValue<string>() == "response-assessed")!;
        await Created(api.PostAsync($"/cases/{founding}/entries", Bodies.Correct(crizotinib["entryId"]!.GetValue<Guid>(),
            JsonNode.Parse("""{ "type": "systemic-therapy-started", "occurredOn": "2012-03", "regimen": "crizotinib", "therapyClass": "targeted" }""")!.AsObject())));
        await Created(api.PostAsync($"/cases/{founding}/entries", Bodies.Retract(response["entryId"]!.GetValue<Guid>(), "duplicate")));

        var opened = await api.PostAsync("/cases", JsonNode.Parse("""{ "patientRef": "TEST-BACKUP-2", "sex": "male", "birthYear": 1971, "occurredOn": "2019-04" }""")!);
        Assert.Equal(HttpStatusCode.Created, opened.Status);
        var second = opened.Json["caseId"]!.GetValue<Guid>();
        await Created(api.PostAsync($"/cases/{second}/entries/batch", Bodies.Batch(
            Bodies.Biopsy("2019-04-12"), Bodies.Start("2019-05"), Bodies.DoseAdjusted("2019-08"), Bodies.Progression("2020-02"), Bodies.Stop("2020-02"))));
        return [founding, second];
    }

    private static async Task Created(Task<LedgerProcess.Answer> request)
    {
        var answer = await request;
        Assert.True(answer.Status == HttpStatusCode.Created, $"{answer.Status}: {answer.Body}");
    }

    /// <summary>Every read route of each case, and the case list: route to status, media type and body.</summary>
    private static async Task<Dictionary<string, string>> ReadEverything(LedgerProcess api, IEnumerable<Guid> caseIds)
    {
        var ids = caseIds.ToList();
        // The board is an async read model: read it once it counts the last entry of the cases.
        long last = 0;
        foreach (var id in ids)
            last = Math.Max(last, (await api.GetAsync($"/cases/{id}/entries")).Json["entries"]!.AsArray().Max(e => e!["sequence"]!.GetValue<long>()));
        var routes = ids.SelectMany(id => CaseRoutes.Select(route => $"/cases/{id}{route}")).Prepend($"/cases?minPosition={last}");
        var answers = new Dictionary<string, string>();
        foreach (var route in routes)
        {
            var answer = await api.GetAsync(route);
            Assert.True(answer.Status == HttpStatusCode.OK, $"{route}: {answer.Status} {answer.Body}");
            // A node just started runs its async projections within seconds (each minPosition wait is 5 s).
            for (var wait = 0; route.StartsWith("/cases?", StringComparison.Ordinal) && answer.Json["stale"]!.GetValue<bool>() && wait < 5; wait++)
                answer = await api.GetAsync(route);
            if (route.StartsWith("/cases?", StringComparison.Ordinal)) Assert.False(answer.Json["stale"]!.GetValue<bool>(), answer.Body);
            answers[route] = $"{answer.ContentType}\n{answer.Body}";
        }
        return answers;
    }

    private static IEnumerable<Guid> CaseIdsOf(Dictionary<string, string> answers) =>
        answers.Keys.Where(route => route.Count(c => c == '/') == 2 && !route.Contains('?')).Select(route => Guid.Parse(route["/cases/".Length..]));

    private static void AssertSameAnswers(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (route, answer) in before) Assert.True(answer == after[route], $"{route} answers differently after the restore");
    }

    private static DocumentStore Store(string connectionString) => DocumentStore.For(opts => Configuration.ConfigureStore(opts, connectionString));

    /// <summary>
    /// The projections' documents (case states and amendments, inline; board rows and line facts, async), serialized and
    /// in a fixed order.
    /// </summary>
    private static async Task<string> Documents(string connectionString)
    {
        using var store = Store(connectionString);
        await using var session = store.QuerySession(LedgerFixture.Hospital);
        var serializer = store.Options.Serializer();
        var states = await session.Query<CaseState>().ToListAsync();
        var amendments = await session.Query<Amendment>().ToListAsync();
        var board = await session.Query<CaseBoardRow>().ToListAsync();
        var lines = await session.Query<LineFactRow>().ToListAsync();
        Assert.Equal(2, states.Count);
        Assert.Equal(2, amendments.Count);
        Assert.Equal(2, board.Count);
        Assert.True(lines.Count >= 7, $"{lines.Count} line facts");
        return string.Join("\n", new IEnumerable<object>[] { states, amendments, board, lines }
            .SelectMany(documents => documents.Select(serializer.ToJson).Order()));
    }
}
