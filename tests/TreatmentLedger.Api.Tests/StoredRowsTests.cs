using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// The ledger writes its events itself, not by Marten's append: a new case by <c>COPY</c> (<see cref="CaseOpenings"/>),
/// appends to existing cases by one statement per transaction (<see cref="CaseAppends"/>). Their rows and documents must
/// be those Marten writes for the same events (its quick append and its inline projections), or Marten, the dashboards'
/// daemon and the ledger's reads would see another store.
/// </summary>
public sealed class StoredRowsTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    [Fact]
    public async Task An_imported_case_is_stored_as_Marten_stores_the_same_events()
    {
        var before = Fixture.Clock.GetUtcNow();
        var imported = await Api.Post("/cases/import", CaseFiles.Read(CaseFiles.IndependentCase));
        Assert.Equal(201, imported.Status);
        var caseId = imported.Json["caseId"]!.GetValue<Guid>();
        var store = Host.Services.GetRequiredService<IDocumentStore>();

        // Read back through Marten: every entry in order, with the sequence the answer gave, and who recorded it.
        IReadOnlyList<IEvent> events;
        await using (var session = store.QuerySession(LedgerFixture.Hospital))
        {
            events = await session.Events.FetchStreamAsync(caseId);
            var stream = await session.Events.FetchStreamStateAsync(caseId);
            Assert.Equal(events.Count, stream!.Version);
            Assert.Equal(typeof(CaseState), stream.AggregateType);
        }
        var answered = imported.Json["entries"]!.AsArray();
        Assert.Equal(answered.Count, events.Count);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(answered.Select(e => e!["sequence"]!.GetValue<long>()), events.Select(e => e.Sequence));
        foreach (var (e, answer) in events.Zip(answered))
            if (e.Data is Entries.ClinicalEntry clinical) Assert.Equal(answer!["entryId"]!.GetValue<Guid>(), clinical.EntryId);
        Assert.All(events, e => Assert.InRange(e.Timestamp, before, Fixture.Clock.GetUtcNow()));
        Assert.All(events, e => Assert.Equal("test-clinician", e.UserName));
        Assert.Contains(events, e => e.Data is Entries.EntryCorrected && StoredEvents.TargetVersionOf(e) is > 1);
        Assert.Contains(events, e => e.Data is Entries.EntryRetracted);

        // The same events appended by Marten (its quick append and the inline projections) as another case.
        var twin = Guid.CreateVersion7();
        await using (var session = store.LightweightSession(LedgerFixture.Hospital))
        {
            session.Events.StartStream<CaseState>(twin, events.Select(Copy).ToArray());
            await session.SaveChangesAsync();
        }

        Assert.Equal(await RowsAsync(twin), await RowsAsync(caseId));
        Assert.Equal(await DocumentsAsync(store, twin), await DocumentsAsync(store, caseId));
    }

    [Fact]
    public async Task Entries_appended_one_by_one_are_stored_as_Marten_stores_the_same_appends()
    {
        var file = CaseFiles.Read(CaseFiles.IndependentCase);
        var opened = await Api.Post("/cases", file["case"]!.DeepClone());
        Assert.Equal(201, opened.Status);
        var caseId = opened.Json["caseId"]!.GetValue<Guid>();
        var answered = new List<long> { opened.Json["sequence"]!.GetValue<long>() };
        foreach (var entry in file["entries"]!.AsArray())
        {
            var appended = await Api.PostEntry(caseId, entry!.DeepClone());
            Assert.Equal(201, appended.Status);
            answered.Add(appended.Json["sequence"]!.GetValue<long>());
        }
        var store = Host.Services.GetRequiredService<IDocumentStore>();

        // Read back through Marten: every entry in order, under the sequence its answer gave.
        IReadOnlyList<IEvent> events;
        await using (var session = store.QuerySession(LedgerFixture.Hospital))
        {
            events = await session.Events.FetchStreamAsync(caseId);
            Assert.Equal(events.Count, (await session.Events.FetchStreamStateAsync(caseId))!.Version);
        }
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
        Assert.Equal(answered, events.Select(e => e.Sequence));
        Assert.Contains(events, e => e.Data is Entries.EntryCorrected);
        Assert.Contains(events, e => e.Data is Entries.EntryRetracted);

        // The same events appended by Marten, as another case: opened, then each event in a session of its own, on the
        // stream fetched for exclusive writing (so that its inline projection knows the versions).
        var twin = Guid.CreateVersion7();
        foreach (var (e, i) in events.Select((e, i) => (e, i)))
        {
            await using var session = store.LightweightSession(LedgerFixture.Hospital);
            if (i == 0) session.Events.StartStream<CaseState>(twin, Copy(e));
            else (await session.Events.FetchForExclusiveWriting<CaseState>(twin)).AppendOne(Copy(e));
            await session.SaveChangesAsync();
        }

        Assert.Equal(await RowsAsync(twin), await RowsAsync(caseId));
        Assert.Equal(await DocumentsAsync(store, twin), await DocumentsAsync(store, caseId));
    }

    /// <summary>An event as Marten would append it: its data and metadata, without its id, stream, version or sequence.</summary>
    private static object Copy(IEvent e)
    {
        var copy = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(e.EventType), e.Data)!;
        (copy.UserName, copy.CorrelationId, copy.Headers) = (e.UserName, e.CorrelationId, e.Headers);
        return copy;
    }

    /// <summary>The case's stream row, event rows and state row, all columns but its id, the events' ids, sequences and times, and the documents' data.</summary>
    private async Task<List<string>> RowsAsync(Guid caseId)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var rows = new List<string>();
        foreach (var sql in new[]
                 {
                     "select tenant_id, type, version, is_archived, compacted_version, timestamp is not null, created is not null from ledger.mt_streams where id = $1",
                     "select tenant_id, version, data, bdata, type, mt_dotnet_type, correlation_id, causation_id, headers, user_name, is_archived " +
                     "from ledger.mt_events where stream_id = $1 order by version",
                     "select tenant_id, mt_version, mt_dotnet_type, mt_last_modified is not null from ledger.mt_doc_casestate where id = $1",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = caseId } } };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i)))));
        }
        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>The case's state and amendment documents as JSON, its id and the state's last recording time left out.</summary>
    private static async Task<List<string>> DocumentsAsync(IDocumentStore store, Guid caseId)
    {
        await using var session = store.QuerySession(LedgerFixture.Hospital);
        var serializer = store.Options.Serializer();
        var state = JsonNode.Parse(serializer.ToJson(await session.LoadAsync<CaseState>(caseId)))!.AsObject();
        Assert.Equal(caseId, state["id"]!.GetValue<Guid>());
        state.Remove("id");
        state.Remove("updatedAt");
        var amendments = await session.Query<Amendment>().Where(a => a.CaseId == caseId).ToListAsync();
        Assert.NotEmpty(amendments);
        return [state.ToJsonString(), ..amendments.Select(a => $"{serializer.ToJson(a.Entry)} at {a.Version}").Order()];
    }
}
