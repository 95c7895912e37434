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
/// A new case is written by <c>COPY</c> (<see cref="CaseOpenings"/>), not by Marten's append: its rows and documents must
/// be those Marten writes for the same events, or Marten, the dashboards' daemon and the ledger's reads would see another
/// store.
/// </summary>
public sealed class CaseOpeningsTests(LedgerFixture fixture) : LedgerTest(fixture)
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
            session.Events.StartStream<CaseState>(twin, events.Select(e =>
            {
                var copy = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(e.EventType), e.Data)!;
                (copy.UserName, copy.CorrelationId, copy.Headers) = (e.UserName, e.CorrelationId, e.Headers);
                return (object)copy;
            }).ToArray());
            await session.SaveChangesAsync();
        }

        Assert.Equal(await RowsAsync(twin), await RowsAsync(caseId));
        Assert.Equal(await DocumentsAsync(store, twin), await DocumentsAsync(store, caseId));
    }

    /// <summary>The case's stream row and event rows, all columns but its id, the events' ids, sequences and times.</summary>
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
