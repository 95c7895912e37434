using Marten;
using Npgsql;
using Weasel.Postgresql;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// The store's connection pool, emptied (idle connections closed, busy ones closed instead of reused when they come
/// back):
/// <list type="bullet">
/// <item>when the server was seen gone, so that no request meets a dead connection after it returns;</item>
/// <item>when a command failed on the server (<see cref="DiscardAfter"/>), while its connection is still held. Npgsql's
/// automatic preparation (on: see <see cref="Configuration.Tuned"/>) can leave that connection out of step with the
/// server when a batch fails in the round trip that prepares its statements, and the next command on it then reads
/// another statement's rows ("Received unexpected backend message DataRow"; npgsql/npgsql#6391, docs/security.md
/// "Faults"). Such failures are rare; a pool refilled after one costs a few connection set-ups.</item>
/// </list>
/// </summary>
public sealed class StoreConnections(IDocumentStore store)
{
    public void Discard()
    {
        if (store.Storage.Database is PostgresqlDatabase database) database.DataSource.Clear();
    }

    public void DiscardAfter(Exception failure)
    {
        if (FailedOnServer(failure)) Discard();
    }

    /// <summary>An error the server answered: the connection is still open, and may be out of step.</summary>
    public static bool FailedOnServer(Exception failure) => failure is PostgresException;
}
