using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Faults;
using TreatmentLedger.Api.Tests.Support;
using Xunit.Abstractions;

namespace TreatmentLedger.Api.Tests.Dashboards;

/// <summary>
/// Two API processes on one database (issue 11, item 4): the async projection runs on exactly one of them; when that
/// process is SIGKILLed under writes, the other runs it within 60 s, and what it then shows equals a full rebuild.
/// In the fault collection: it kills processes and times the failover, so it runs alone.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class TwoNodesTests(ITestOutputHelper output)
{
    /// <summary>DASHBOARDS.md: the projections of a dead node run again on another within this.</summary>
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(60);

    private static readonly string[] Regimens = ["crizotinib", "alectinib", "brigatinib", "lorlatinib", "ceritinib"];

    [Fact]
    public async Task Killing_the_node_that_runs_CaseFacts_moves_it_to_the_other_within_60_s_and_its_figures_equal_a_rebuild()
    {
        var wholeTest = Stopwatch.StartNew();
        await using var postgres = await ThrowawayPostgres.StartAsync();
        // One data folder for both: with a connection string it holds only the signing key (no embedded cluster is
        // started in it), so both nodes verify the same tokens. The key is made before they start.
        var data = Directory.CreateTempSubdirectory("ledger-two-nodes-").FullName;
        try
        {
            SigningKey.LoadOrCreate(data);
            var settings = new Dictionary<string, string>
            {
                ["LEDGER_CONNECTION_STRING"] = postgres.ConnectionString,
                ["LEDGER_DATA"] = data,
                // One caller writes from several writers on both nodes; the limit per caller is not under test here.
                ["LEDGER_RATE_LIMIT"] = "1000000",
                ["LEDGER_RATE_BURST"] = "1000000",
            };
            // One after the other, so that the second does not race the first through the store's schema migration.
            await using var first = new Node("A", await LedgerProcess.StartAsync(settings));
            await using var second = new Node("B", await LedgerProcess.StartAsync(settings));
            var started = wholeTest.Elapsed;

            // 1. One owner, the same as both nodes see it.
            await first.LearnNumberAsync();
            await second.LearnNumberAsync();
            Assert.NotEqual(first.Number, second.Number);
            var (owner, survivor, _) = await OwnerAsync(first, second, postgres.ConnectionString);
            output.WriteLine($"nodes {first.Name} = {first.Number}, {second.Name} = {second.Number}, started in {started.TotalSeconds:F1} s; " +
                             $"CaseFacts runs on {owner.Name} ({(wholeTest.Elapsed - started).TotalSeconds:F1} s later)");

            // 2. Writers on both nodes; the owner is SIGKILLed while they write.
            var writers = new CourseWriters();
            using var stop = new CancellationTokenSource();
            var writing = Task.WhenAll(writers.RunAsync(first, 3, stop.Token), writers.RunAsync(second, 3, stop.Token));
            await Until(() => writers.Acknowledged >= 300, TimeSpan.FromSeconds(30), "300 acknowledged writes", writers, first, second);
            // The owner as both nodes see it right before the kill (the same: the leader moves an agent when nodes come or go).
            (owner, survivor, var ownerLeads) = await OwnerAsync(first, second, postgres.ConnectionString);
            var atKill = await survivor.CaseFactsAsync();
            var acknowledgedAtKill = writers.Acknowledged;
            var killed = Stopwatch.StartNew();
            owner.Process.Kill();
            Assert.Equal(128 + 9, owner.Process.ExitCode);

            // 3. The survivor runs CaseFacts: it says so, and its position moves past where it was at the kill. What it
            // shows meanwhile is kept for the output (the dead node's row is trusted until its last health check is
            // StaleNodeTimeout old).
            var seen = new List<string>();
            while (true)
            {
                var onSurvivor = await survivor.CaseFactsAsync();
                var shown = $"{onSurvivor.Status} on {onSurvivor.Node?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no node"}";
                if (seen.Count == 0 || !seen[^1].EndsWith(shown, StringComparison.Ordinal)) seen.Add($"{killed.Elapsed.TotalSeconds:F1} s: {shown}");
                if (onSurvivor is { Status: ProjectionStatus.Running } && onSurvivor.Node == survivor.Number && onSurvivor.Position > atKill.Position) break;
                Assert.True(killed.Elapsed < FailoverLimit,
                    $"60 s after the kill of {owner.Name}, {survivor.Name} shows {onSurvivor} ({string.Join("; ", seen)}); it said:\n{survivor.Process.Output}");
                await Task.Delay(100);
            }
            var failover = killed.Elapsed;
            output.WriteLine($"{owner.Name} (node {owner.Number}, {(ownerLeads ? "the leader" : "not the leader")}) SIGKILLed after {acknowledgedAtKill} acknowledged writes, CaseFacts at position {atKill.Position} (lag {atKill.Lag}); " +
                             $"running on {survivor.Name} (node {survivor.Number}) and past that position {failover.TotalSeconds:F1} s later. " +
                             $"{survivor.Name} showed: {string.Join("; ", seen)}");
            Assert.True(failover <= FailoverLimit);
            Assert.Equal([survivor.Number], (await AssignmentsAsync(postgres.ConnectionString)).CaseFacts);

            // A little more writing on the survivor alone, then until it has projected everything.
            var acknowledgedAtFailover = writers.Acknowledged;
            await Until(() => writers.Acknowledged >= acknowledgedAtFailover + 50, TimeSpan.FromSeconds(20), "50 more writes", writers, survivor);
            await stop.CancelAsync();
            await writing;
            await survivor.CaseFactsWhenAsync(p => p is { Status: ProjectionStatus.Running, Lag: 0 }, TimeSpan.FromSeconds(30));

            var answers = writers.Answers;
            Assert.All(answers.Where(a => a.Status is not null), a => Assert.True(a.Status == 201, $"{a.Node} {a.Path}: {a.Status} {a.Body}"));
            Assert.All(answers.Where(a => a.Status is null), a => Assert.Equal(owner.Name, a.Node));

            // 4. What the survivor shows equals a full rebuild of the same events. The documents are removed first, so that
            // what is compared is surely the rebuild's work.
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync();
            var live = await Figures.ReadAsync(connection, survivor);
            await Figures.RemoveDocumentsAsync(connection);
            var rebuildTook = Stopwatch.StartNew();
            using (var rebuild = await survivor.Admin.PostAsync($"/projections/{CaseFactsProjection.Name}/rebuild", Json("{}")))
                Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);
            await survivor.CaseFactsWhenAsync(p => p is { Status: ProjectionStatus.Running, Lag: 0 }, TimeSpan.FromSeconds(30));
            var rebuilt = await Figures.ReadAsync(connection, survivor);
            live.AssertEqual(rebuilt);

            // 5. No event counted twice or missed by the survivor: every case opened has its row at its stream's version, with
            // one line fact per start of therapy in its stream, and the regimen table counts each line fact once.
            var streams = await StreamsAsync(connection);
            // A case opened on the killed node whose answer was lost may or may not be there.
            Assert.Empty(writers.Opened.Except(streams.Keys));
            Assert.InRange(streams.Count - writers.Opened.Count, 0, answers.Count(a => a is { Status: null, Path: "/cases" }));
            foreach (var (caseId, stream) in streams)
            {
                var row = JsonNode.Parse(live.BoardRows[$"{LedgerFixture.Hospital} {caseId}"])!;
                Assert.Equal(stream.Version, row["version"]!.GetValue<long>());
                Assert.Equal(stream.Starts, row["lineCount"]!.GetValue<int>());
                Assert.Equal(stream.Starts, live.LineFacts.Keys.Count(k => k.StartsWith($"{LedgerFixture.Hospital} {caseId}/", StringComparison.Ordinal)));
            }
            Assert.Equal(streams.Count, live.BoardTotal);
            Assert.Equal(live.LineFacts.Count, JsonNode.Parse(live.Regimens)!.AsArray().Sum(r => r!["lines"]!.GetValue<int>()));
            Assert.Equal(streams.Values.Sum(s => s.Starts), live.LineFacts.Count);

            output.WriteLine($"{answers.Count} writes ({answers.Count(a => a.Status == 201)} acknowledged, {answers.Count(a => a.Status is null)} unanswered at the kill) " +
                             $"over {streams.Count} cases, {streams.Values.Sum(s => s.Version)} events, {rebuilt.LineFacts.Count} lines; " +
                             $"the rebuild took {rebuildTook.Elapsed.TotalSeconds:F1} s and wrote the same {live.BoardRows.Count} board rows and {live.LineFacts.Count} line facts; " +
                             $"whole test {wholeTest.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// Waits until both nodes show CaseFacts running on the same one of them, and Wolverine's assignment table gives it to
    /// that node alone. Answers the owner, the other node, and whether the owner is also the leader (the leader keeps it
    /// when it placed it before the second node registered; else it runs on the other node, as Wolverine prefers).
    /// </summary>
    private static async Task<(Node Owner, Node Other, bool OwnerLeads)> OwnerAsync(Node first, Node second, string connectionString)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var seen = new[] { await first.CaseFactsAsync(), await second.CaseFactsAsync() };
            var assigned = await AssignmentsAsync(connectionString);
            if (seen.All(p => p.Status == ProjectionStatus.Running) && seen[0].Node == seen[1].Node && assigned.CaseFacts.SequenceEqual([seen[0].Node!.Value]))
            {
                if (seen[0].Node == first.Number) return (first, second, assigned.Leader == first.Number);
                if (seen[0].Node == second.Number) return (second, first, assigned.Leader == second.Number);
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30),
                $"No single owner of CaseFacts after 30 s: {first.Name} (node {first.Number}) sees {seen[0]}, " +
                $"{second.Name} (node {second.Number}) sees {seen[1]}; assigned to {string.Join(", ", assigned.CaseFacts)}, leader {assigned.Leader}");
            await Task.Delay(100);
        }
    }

    /// <summary>From Wolverine's assignment table: the nodes it gives the CaseFacts agent to (one row an owner), and the leader.</summary>
    private static async Task<(List<int> CaseFacts, int? Leader)> AssignmentsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            select a.id, n.node_number from {Store.Configuration.Schema}.wolverine_node_assignments a
            join {Store.Configuration.Schema}.wolverine_nodes n on n.id = a.node_id
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var (caseFacts, leader) = (new List<int>(), (int?)null);
        while (await reader.ReadAsync())
        {
            var agent = reader.GetString(0);
            if (agent.EndsWith($"/{CaseFactsProjection.Name.ToLowerInvariant()}/all", StringComparison.Ordinal)) caseFacts.Add(reader.GetInt32(1));
            else if (agent.StartsWith("wolverine://leader", StringComparison.Ordinal)) leader = reader.GetInt32(1);
        }
        return (caseFacts, leader);
    }

    private sealed record CaseStream(long Version, int Starts);

    /// <summary>Each case's stream, as stored: its version and how many starts of therapy it holds (a line each).</summary>
    private static async Task<Dictionary<Guid, CaseStream>> StreamsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"""
            select s.id, s.version, (select count(*) from {Store.Configuration.Schema}.mt_events e
                                      where e.stream_id = s.id and e.type = 'systemic_therapy_started')
            from {Store.Configuration.Schema}.mt_streams s
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var streams = new Dictionary<Guid, CaseStream>();
        while (await reader.ReadAsync()) streams[reader.GetGuid(0)] = new CaseStream(reader.GetInt64(1), (int)reader.GetInt64(2));
        return streams;
    }

    /// <summary>What the dashboards show: every document of the projection as stored, the board's total and the regimen table.</summary>
    private sealed record Figures(Dictionary<string, string> BoardRows, Dictionary<string, string> LineFacts, long BoardTotal, string Regimens)
    {
        public static async Task<Figures> ReadAsync(NpgsqlConnection connection, Node node)
        {
            var board = await node.Process.Client.GetFromJsonAsync<JsonObject>("/cases?pageSize=1");
            var regimens = await node.Process.Client.GetFromJsonAsync<JsonObject>("/cohorts/regimens");
            return new Figures(await DocumentsAsync(connection, "mt_doc_caseboardrow"), await DocumentsAsync(connection, "mt_doc_linefactrow"),
                board!["total"]!.GetValue<long>(), regimens!["regimens"]!.ToJsonString());
        }

        public static async Task RemoveDocumentsAsync(NpgsqlConnection connection)
        {
            await using var command = new NpgsqlCommand(
                $"delete from {Store.Configuration.Schema}.mt_doc_caseboardrow; delete from {Store.Configuration.Schema}.mt_doc_linefactrow", connection);
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>"tenant id" → data (jsonb as text, its keys in jsonb's own order).</summary>
        private static async Task<Dictionary<string, string>> DocumentsAsync(NpgsqlConnection connection, string table)
        {
            await using var command = new NpgsqlCommand($"select tenant_id || ' ' || id::text, data::text from {Store.Configuration.Schema}.{table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var documents = new Dictionary<string, string>();
            while (await reader.ReadAsync()) documents.Add(reader.GetString(0), reader.GetString(1));
            return documents;
        }

        public void AssertEqual(Figures rebuilt)
        {
            AssertSameDocuments("board rows", BoardRows, rebuilt.BoardRows);
            AssertSameDocuments("line facts", LineFacts, rebuilt.LineFacts);
            Assert.Equal(BoardTotal, rebuilt.BoardTotal);
            Assert.Equal(Regimens, rebuilt.Regimens);
        }

        private static void AssertSameDocuments(string what, Dictionary<string, string> live, Dictionary<string, string> rebuilt)
        {
            var missing = rebuilt.Keys.Except(live.Keys).ToList();
            var extra = live.Keys.Except(rebuilt.Keys).ToList();
            var different = live.Keys.Intersect(rebuilt.Keys).Where(k => live[k] != rebuilt[k]).ToList();
            Assert.True(missing.Count + extra.Count + different.Count == 0,
                $"{what}: {missing.Count} only after the rebuild, {extra.Count} only before it, {different.Count} different, e.g.\n" +
                string.Join('\n', missing.Concat(extra).Take(3).Concat(different.Take(3).Select(k => $"{k}\n  live:    {live[k]}\n  rebuilt: {rebuilt[k]}"))));
        }
    }

    private sealed record Projection(string Status, long Position, long Lag, int? Node);

    /// <summary>One API process of the two, with an admin client for <c>GET /projections</c> and its Wolverine node number.</summary>
    private sealed class Node(string name, LedgerProcess process) : IAsyncDisposable
    {
        public string Name { get; } = name;
        public LedgerProcess Process { get; } = process;
        public HttpClient Admin { get; } = LedgerClient.Create(process.BaseUrl, process.Token("test-admin", Roles.Admin));
        public int Number { get; private set; }

        public async Task<JsonObject> ProjectionsAsync() => (await Admin.GetFromJsonAsync<JsonObject>("/projections"))!;

        public async Task LearnNumberAsync() => Number = (await ProjectionsAsync())["node"]!.GetValue<int>();

        public async Task<Projection> CaseFactsAsync()
        {
            var facts = (await ProjectionsAsync())["projections"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == CaseFactsProjection.Name)!;
            return new Projection(facts["status"]!.GetValue<string>(), facts["position"]!.GetValue<long>(), facts["lag"]!.GetValue<long>(),
                facts["node"]?.GetValue<int>());
        }

        public async Task CaseFactsWhenAsync(Func<Projection, bool> condition, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var facts = await CaseFactsAsync();
                if (condition(facts)) return;
                Assert.True(deadline.Elapsed < timeout, $"{Name} still shows {facts} after {timeout}; it said:\n{Process.Output}");
                await Task.Delay(100);
            }
        }

        public async ValueTask DisposeAsync()
        {
            Admin.Dispose();
            await Process.DisposeAsync();
        }
    }

    /// <summary>One write as a writer saw it: the answer's status, or null when none came (its node was killed).</summary>
    private sealed record Written(string Node, string Path, int? Status, string Body);

    /// <summary>
    /// Writers, each recording one case's course after the other (opened, then a line, its progression and stop, a second
    /// line, sometimes corrected, sometimes a third line, a follow-up or a death), until stopped or until their node no
    /// longer answers.
    /// </summary>
    private sealed class CourseWriters
    {
        private readonly ConcurrentQueue<Written> _answers = new();
        private readonly ConcurrentQueue<Guid> _opened = new();
        private int _acknowledged;
        private int _cases;

        public int Acknowledged => Volatile.Read(ref _acknowledged);
        public IReadOnlyList<Written> Answers => _answers.ToList();
        public IReadOnlyList<Guid> Opened => _opened.ToList();

        public Task RunAsync(Node node, int writers, CancellationToken stop) =>
            Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteAsync(node, stop))));

        private async Task WriteAsync(Node node, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref _cases);
                var opened = await SendAsync(node, "/cases", new JsonObject
                {
                    ["patientRef"] = $"NODES-{i:D4}", ["sex"] = "female", ["birthYear"] = 1970 + i % 30, ["occurredOn"] = "2015-03",
                });
                if (opened is null) return;
                var caseId = JsonNode.Parse(opened)!["caseId"]!.GetValue<Guid>();
                _opened.Enqueue(caseId);
                foreach (var (path, body) in Course(i))
                {
                    if (stop.IsCancellationRequested) return;
                    if (await SendAsync(node, $"/cases/{caseId}/{path}", body) is null) return;
                }
            }
        }

        /// <summary>The answer's body when it is a 201, else null; null too when no answer came.</summary>
        private async Task<string?> SendAsync(Node node, string path, JsonObject body)
        {
            try
            {
                using var answer = await node.Process.Client.PostAsync(path, Json(body.ToJsonString()));
                var text = await answer.Content.ReadAsStringAsync();
                _answers.Enqueue(new Written(node.Name, path, (int)answer.StatusCode, text));
                if ((int)answer.StatusCode != 201) return null;
                Interlocked.Increment(ref _acknowledged);
                return text;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                _answers.Enqueue(new Written(node.Name, path, null, e.Message));
                return null;
            }
        }

        private static IEnumerable<(string Path, JsonObject Body)> Course(int i)
        {
            var secondStart = Guid.NewGuid();
            yield return ("entries/batch", Bodies.Batch(Bodies.Biopsy("2015-03"), Bodies.Start("2015-04", regimen: Regimens[i % 5])));
            yield return ("entries", Bodies.FollowUp("2015-07"));
            yield return ("entries", Bodies.Progression("2015-10"));
            yield return ("entries", Bodies.Stop("2015-10"));
            yield return ("entries", Bodies.Start("2015-11", secondStart, Regimens[(i + 1) % 5]));
            if (i % 3 == 0) yield return ("entries", Bodies.Correct(secondStart, Bodies.Start("2015-11", regimen: Regimens[(i + 3) % 5])));
            yield return ("entries", Bodies.FollowUp("2016-03"));
            if (i % 2 == 0)
            {
                yield return ("entries/batch", Bodies.Batch(Bodies.Progression("2016-06"), Bodies.Stop("2016-06")));
                yield return ("entries", Bodies.Start("2016-07", regimen: Regimens[(i + 2) % 5]));
            }
            else
            {
                yield return ("entries", Bodies.Stop("2016-05", reason: "toxicity"));
            }
            yield return ("entries", i % 3 == 1 ? Bodies.Died("2017-01") : Bodies.FollowUp("2017-01"));
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task Until(Func<bool> condition, TimeSpan timeout, string what, CourseWriters writers, params Node[] nodes)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                var refused = writers.Answers.Where(a => a.Status is not 201).Take(3).Select(a => $"{a.Node} {a.Path}: {a.Status} {a.Body}");
                throw new TimeoutException($"Waited {timeout} in vain for {what}; first failures: {string.Join("; ", refused)}\n" +
                                           string.Join('\n', nodes.Select(n => $"{n.Name} said:\n{n.Process.Output}")));
            }
            await Task.Delay(50);
        }
    }
}
