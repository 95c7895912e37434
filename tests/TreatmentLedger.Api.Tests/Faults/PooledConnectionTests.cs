using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;
using TreatmentLedger.ClinicalDates;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>
/// A command that fails on the server must not leave its pooled connection to the next one. With Npgsql's automatic
/// preparation (the ledger's setting) a batch failing in the round trip that prepares its statements (their fifth use)
/// leaves the connection answering the next command with another statement's rows ("Received unexpected backend message
/// DataRow"): a valid import once got a 500 right after one with a NUL had failed. The ledger's Marten logger discards
/// the pool while the failed session still holds its connection (<see cref="StoreConnections.Discard"/>); without
/// that, this test fails.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PooledConnectionTests
{
    [Fact]
    public async Task After_a_save_failed_on_the_server_at_any_use_the_next_saves_succeed()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        // One connection, so every command meets whatever the failed one left behind.
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        for (var failing = 1; failing <= 7; failing++)
        {
            var (store, _) = LedgerStore(connectionString);
            using var disposing = store;
            for (var use = 1; use <= 9; use++)
            {
                if (use == failing)
                {
                    // jsonb cannot hold a NUL character: PostgreSQL refuses the batch.
                    var refused = await Assert.ThrowsAnyAsync<Exception>(() => SaveAsync(store, "a\u0000b"));
                    Assert.IsType<PostgresException>(refused.InnerException ?? refused);
                }
                else
                {
                    await SaveAsync(store, "GET /cases/{caseId}");
                }
            }
            await using var session = store.QuerySession();
            Assert.Equal(2 * 8, await session.Query<Remark>().CountAsync());
            await store.Advanced.Clean.DeleteAllDocumentsAsync();
        }
    }

    /// <summary>
    /// The same for the ledger's own writes of a new case (<see cref="CaseOpenings"/>: a batch, then a COPY): an opening
    /// of a case that exists fails on the server in the batch, an opening whose entry holds a NUL in the COPY; the next
    /// openings on the same single connection must succeed. (They also do with the pool left as it is: in the batch the
    /// failing statement, the stream row's insert, is the last one, so none after it goes unparsed. Those writes empty
    /// the pool all the same, through <see cref="StoreConnections.WriteAsync"/>, as every command of the ledger that
    /// fails on the server does.)
    /// </summary>
    [Fact]
    public async Task After_an_opening_failed_on_the_server_at_any_use_the_next_openings_succeed()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        foreach (var failure in new[] { "existing case", "NUL" })
        {
            for (var failing = 1; failing <= 7; failing++)
            {
                var (store, connections) = LedgerStore(connectionString);
                using var disposing = store;
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
                var openings = new CaseOpenings(store, connections);
                var opened = new List<Guid>();
                for (var use = 1; use <= 9; use++)
                {
                    if (use == failing)
                    {
                        var (caseId, patient) = failure == "NUL" ? (Guid.CreateVersion7(), "a\u0000b") : (opened.LastOrDefault(Guid.CreateVersion7()), "P-1");
                        if (failure != "NUL" && opened.Count == 0) await OpenAsync(store, openings, caseId, patient);
                        var refused = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(store, openings, caseId, patient));
                        Assert.IsType<PostgresException>(refused.InnerException ?? refused);
                    }
                    else
                    {
                        var caseId = Guid.CreateVersion7();
                        await OpenAsync(store, openings, caseId, "P-1");
                        opened.Add(caseId);
                    }
                }
                await using var session = store.QuerySession("h");
                foreach (var caseId in opened) Assert.Equal(2, (await session.Events.FetchStreamStateAsync(caseId))!.Version);
                await store.Advanced.Clean.CompletelyRemoveAllAsync();
            }
        }
    }

    /// <summary>A store set up as the API's, its failed Marten commands emptying the pool as the API's logger does.</summary>
    private static (DocumentStore Store, StoreConnections Connections) LedgerStore(string connectionString)
    {
        StoreConnections? connections = null;
        var store = DocumentStore.For(opts =>
        {
            Configuration.ConfigureStore(opts, connectionString);
            opts.Logger(new LedgerMartenLogger(NullLogger.Instance, () => connections!));
        });
        connections = new StoreConnections(store);
        return (store, connections);
    }

    // A new case of hospital "h": its case-opened and a follow-up, opened as the writer opens one.
    private static async Task OpenAsync(IDocumentStore store, CaseOpenings openings, Guid caseId, string patientRef)
    {
        await using var session = store.LightweightSession("h");
        await session.BeginTransactionAsync(CancellationToken.None);
        IReadOnlyList<IEvent> events =
        [
            new Event<CaseOpened>(new CaseOpened { EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2020-01"), PatientRef = patientRef, Sex = "female" }),
            new Event<FollowUpRecorded>(new FollowUpRecorded { EntryId = Guid.NewGuid(), OccurredOn = ClinicalDate.Parse("2020-02"), VitalStatus = "alive" }),
        ];
        await openings.StoreAsync(session, session.Connection!, [(caseId, events)], DateTimeOffset.UtcNow, Configuration.WriteTimeoutSeconds, CancellationToken.None);
        await session.SaveChangesAsync();
    }

    /// <summary>A document of this test alone.</summary>
    public sealed class Remark
    {
        public Guid Id { get; set; }
        public string Text { get; set; } = "";
    }

    // Shaped like a commit of the ledger: several statements in one batch and one transaction.
    private static async Task SaveAsync(IDocumentStore store, string text)
    {
        await using var session = store.LightweightSession();
        session.Store(new Remark { Id = Guid.CreateVersion7(), Text = text });
        session.Store(new Remark { Id = Guid.CreateVersion7(), Text = "second" });
        await session.SaveChangesAsync();
    }
}
