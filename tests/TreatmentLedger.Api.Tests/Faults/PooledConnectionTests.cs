using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;

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
            StoreConnections? connections = null;
            using var store = DocumentStore.For(opts =>
            {
                Configuration.ConfigureStore(opts, connectionString);
                opts.Logger(new LedgerMartenLogger(NullLogger.Instance, () => connections!));
            });
            connections = new StoreConnections(store);
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
