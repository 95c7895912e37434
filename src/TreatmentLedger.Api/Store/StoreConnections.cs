using Marten;
using Npgsql;
using Weasel.Postgresql;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The store's connection pool, emptied (idle connections closed, busy ones closed instead of reused when they come
/// back):
/// <list type="bullet">
/// <item>when the server was seen gone, so that no request meets a dead connection after it returns;</item>
/// <item>when a command failed on the server, while its connection is still held (Marten's commands: the ledger's
/// Marten logger; the ledger's own SQL: <see cref="ReadAsync"/>, <see cref="WriteAsync"/>). Npgsql's
/// automatic preparation (on: see <see cref="Configuration.Tuned"/>) can leave that connection out of step with the
/// server when a batch fails in the round trip that prepares its statements, and the next command on it then reads
/// another statement's rows ("Received unexpected backend message DataRow"; npgsql/npgsql#6391, docs/security.md
/// "Faults"). Such failures are rare; a pool refilled after one costs a few connection set-ups.</item>
/// </list>
/// </summary>
public sealed class StoreConnections(IDocumentStore store, WriterConnections? writers = null)
{
    /// <summary>Empties the store's pool, and the writer queue's (<see cref="WriterConnections"/>).</summary>
    public void Discard()
    {
        if (store.Storage.Database is PostgresqlDatabase database) database.DataSource.Clear();
        writers?.Discard();
    }

    /// <summary>Runs a query of the ledger's own and hands each row to <paramref name="row"/>.</summary>
    public Task ReadAsync(NpgsqlCommand command, Action<NpgsqlDataReader> row, CancellationToken ct) =>
        DiscardingOnServerFailureAsync(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        });

    /// <summary>Runs writes of the ledger's own (a batch, a <c>COPY</c>) on a connection it holds.</summary>
    public Task WriteAsync(Func<Task> commands) => DiscardingOnServerFailureAsync(commands);

    private async Task DiscardingOnServerFailureAsync(Func<Task> commands)
    {
        try
        {
            await commands();
        }
        catch (Exception e) when (FailedOnServer(e))
        {
            Discard();
            throw;
        }
    }

    /// <summary>An error the server answered: the connection is still open, and may be out of step.</summary>
    public static bool FailedOnServer(Exception failure) => failure is PostgresException;
}
