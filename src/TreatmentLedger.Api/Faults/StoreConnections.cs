using Marten;
using Weasel.Postgresql;

namespace TreatmentLedger.Api.Faults;

/// <summary>The store's connection pool, emptied when the server was seen gone, so that no request meets a dead connection after it returns.</summary>
public sealed class StoreConnections(IDocumentStore store)
{
    public void Discard()
    {
        if (store.Storage.Database is PostgresqlDatabase database) database.DataSource.Clear();
    }
}
