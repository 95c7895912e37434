using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Feed;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Faults;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Testing;
using static TreatmentLedger.Api.Tests.Support.Bodies;

namespace TreatmentLedger.Api.Tests.Feed;

/// <summary>Two API processes on one database, for the live feed: a stream is read as a browser reads it, over real HTTP.</summary>
public sealed class FeedNodes : IAsyncLifetime
{
    private ThrowawayPostgres _postgres = null!;
    private readonly string _data = Directory.CreateTempSubdirectory("ledger-feed-").FullName;

    public LedgerProcess A { get; private set; } = null!;
    public LedgerProcess B { get; private set; } = null!;

    /// <summary>A token of any hospital, signed with the key both nodes share.</summary>
    public string Token(string sub, string hospital, params string[] roles) =>
        Tokens.Mint(SigningKey.LoadOrCreate(_data), sub, roles, hospital, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        _postgres = await ThrowawayPostgres.StartAsync();
        SigningKey.LoadOrCreate(_data);
        var settings = new Dictionary<string, string> { ["LEDGER_CONNECTION_STRING"] = _postgres.ConnectionString, ["LEDGER_DATA"] = _data };
        A = await LedgerProcess.StartAsync(settings);
        B = await LedgerProcess.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary><c>GET /feed</c>: server-sent events of what is recorded, on any node, resumable with Last-Event-ID.</summary>
[Collection(FaultCollection.Name)]
public sealed class FeedTests(FeedNodes nodes) : IClassFixture<FeedNodes>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    private string Clinician => nodes.A.Token("test-clinician", Roles.Clinician);

    private static HttpClient Plain(LedgerProcess node) => new() { BaseAddress = new Uri(node.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };

    private async Task<Guid> OpenCase(string patientRef)
    {
        var opened = await nodes.A.PostAsync("/cases", JsonNode.Parse($$"""{ "patientRef": "{{patientRef}}", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03" }""")!);
        Assert.Equal(HttpStatusCode.Created, opened.Status);
        return opened.Json["caseId"]!.GetValue<Guid>();
    }

    private async Task<long> Record(LedgerProcess node, Guid caseId, JsonObject entry)
    {
        var answer = await node.PostAsync($"/cases/{caseId}/entries", entry);
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body);
        return answer.Json["sequence"]!.GetValue<long>();
    }

    [Fact]
    public async Task An_entry_recorded_on_one_node_reaches_a_feed_open_on_the_other_with_its_sequence_as_id()
    {
        var caseId = await OpenCase("TEST-FEED");
        using var client = Plain(nodes.B);
        await using var feed = await FeedReader.OpenAsync(client, "/feed", Clinician);

        var sequence = await Record(nodes.A, caseId, Biopsy("2015-03-12"));

        var received = Assert.Single(await feed.EntriesAsync(1, Soon));
        Assert.Equal(sequence.ToString(CultureInfo.InvariantCulture), received.Id);
        Assert.Equal("entry-recorded", received.Event);
        var data = received.Data!;
        Assert.Equal(caseId, data["caseId"]!.GetValue<Guid>());
        Assert.Equal("TEST-FEED", data["patientRef"]!.GetValue<string>());
        Assert.Equal(sequence, data["sequence"]!.GetValue<long>());
        Assert.Equal(2, data["version"]!.GetValue<long>());
        Assert.Equal("biopsy-performed", data["type"]!.GetValue<string>());
        Assert.Equal("2015-03-12", data["occurredOn"]!.GetValue<string>());
        Assert.Equal("test-clinician", data["recordedBy"]!.GetValue<string>());
        Assert.True(data["recordedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task With_Last_Event_ID_the_missed_entries_come_first_then_the_live_ones_without_gap_or_duplicate()
    {
        var caseId = await OpenCase("TEST-RESUME");
        var seen = await Record(nodes.A, caseId, Biopsy("2015-03-12"));
        var missed = new[] { await Record(nodes.B, caseId, Imaging("2015-04-01")), await Record(nodes.A, caseId, Start("2015-05-01")) };

        using var client = Plain(nodes.B);
        await using var feed = await FeedReader.OpenAsync(client, $"/feed?caseId={caseId}", Clinician, seen.ToString(CultureInfo.InvariantCulture));
        var replayed = await feed.EntriesAsync(2, Soon);
        var live = await Record(nodes.A, caseId, Progression("2015-09-01"));
        var next = await feed.EntriesAsync(1, Soon);

        Assert.Equal([.. missed, live], replayed.Concat(next).Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)));
        Assert.Empty(await feed.EntriesAsync(1, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_feed_for_one_case_gets_that_case_only_and_no_hospital_sees_another_ones()
    {
        var mine = await OpenCase("TEST-MINE");
        var other = await OpenCase("TEST-OTHER");
        using var elsewhere = LedgerClient.Create(nodes.A.BaseUrl, nodes.Token("other-clinician", "other-hospital", Roles.Clinician));
        using var opened = await elsewhere.PostAsync("/cases", new StringContent(
            """{ "patientRef": "TEST-THEIRS", "sex": "male", "birthYear": 1970, "occurredOn": "2015-03" }""", System.Text.Encoding.UTF8, "application/json"));
        var theirs = JsonNode.Parse(await opened.Content.ReadAsStringAsync())!["caseId"]!.GetValue<Guid>();
        using var client = Plain(nodes.B);
        await using var oneCase = await FeedReader.OpenAsync(client, $"/feed?caseId={mine}", Clinician);
        await using var all = await FeedReader.OpenAsync(client, "/feed", Clinician);

        var first = await Record(nodes.A, other, Biopsy("2015-03-12"));
        using var recorded = await elsewhere.PostAsync($"/cases/{theirs}/entries",
            new StringContent(Biopsy("2015-03-12").ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var last = await Record(nodes.B, mine, Biopsy("2015-03-12"));

        Assert.Equal(mine, Assert.Single(await oneCase.EntriesAsync(1, Soon)).Data!["caseId"]!.GetValue<Guid>());
        var forAll = await all.EntriesAsync(2, Soon);
        Assert.Equal([other, mine], forAll.Select(e => e.Data!["caseId"]!.GetValue<Guid>()));
        Assert.Equal(last, forAll[^1].Data!["sequence"]!.GetValue<long>());
        Assert.Empty(await all.EntriesAsync(1, TimeSpan.FromMilliseconds(500)));

        // Resumed from before them, the missed entries come from the store: this hospital's, the other one's left out.
        await using var resumed = await FeedReader.OpenAsync(client, "/feed", Clinician, (first - 1).ToString(CultureInfo.InvariantCulture));
        Assert.Equal([first, last], (await resumed.EntriesAsync(2, Soon)).Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)));
        Assert.Empty(await resumed.EntriesAsync(1, TimeSpan.FromMilliseconds(500)));

        // Another hospital's case, or no case at all, is a 404, as on every case route: not a feed that stays silent.
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.A.GetAsync($"/feed?caseId={theirs}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await nodes.A.GetAsync($"/feed?caseId={Guid.NewGuid()}")).Status);
    }

    [Fact]
    public async Task The_feed_is_for_clinicians_and_auditors_and_refuses_a_bad_resume_point()
    {
        using var anonymous = Plain(nodes.A);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/feed")).StatusCode);
        using var analyst = LedgerClient.Create(nodes.A.BaseUrl, nodes.A.Token("test-analyst", Roles.Analyst));
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/feed")).StatusCode);
        using var auditor = Plain(nodes.A);
        await using (await FeedReader.OpenAsync(auditor, "/feed", nodes.A.Token("test-auditor", Roles.Auditor))) { }
        Assert.Equal(HttpStatusCode.BadRequest, (await nodes.A.GetAsync("/feed?caseId=nope")).Status);
        using var badResume = new HttpRequestMessage(HttpMethod.Get, "/feed");
        badResume.Headers.Add("Last-Event-ID", "yesterday");
        var refused = await nodes.A.SendAsync(badResume);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.NotNull(refused.Json["errors"]!["Last-Event-ID"]);
    }

    [Fact]
    public async Task A_quiet_feed_sends_a_comment_every_15_seconds()
    {
        using var client = Plain(nodes.A);
        await using var feed = await FeedReader.OpenAsync(client, "/feed?caseId=" + await OpenCase("TEST-QUIET"), Clinician);
        Assert.Equal("feed", (await feed.NextAsync(Soon))!.Comment);

        var keepAlive = await feed.NextAsync(GetFeed.KeepAlive + TimeSpan.FromSeconds(3));

        Assert.Equal("keep-alive", keepAlive!.Comment);
    }
}
