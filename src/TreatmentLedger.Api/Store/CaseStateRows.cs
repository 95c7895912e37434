using Marten;
using Npgsql;
using NpgsqlTypes;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Writes <see cref="CaseState"/> documents by binary <c>COPY</c>, on a session's connection and in its transaction:
/// the write model's rebuild writes one per case. Through Marten's session, each document was an upsert statement of
/// its own, and they took two thirds of a rebuild's time (docs/benchmarks.md). The rows are the ones Marten writes (the
/// document's JSON by the store's serializer, its .NET type, its version as its numeric revision); a test compares
/// them with the rows the writer wrote.
/// </summary>
public sealed class CaseStateRows
{
    private readonly string _delete;
    private readonly string _copy;
    private readonly string _dotNetType = typeof(CaseState).FullName!;
    private readonly ISerializer _serializer;
    private readonly StoreConnections _connections;

    public CaseStateRows(IDocumentStore store, StoreConnections connections)
    {
        _connections = connections;
        var table = store.Options.FindOrResolveDocumentType(typeof(CaseState)).TableName.QualifiedName;
        _delete = $"delete from {table} where tenant_id = $1 and id = any($2)";
        _copy = $"copy {table} (tenant_id, id, data, mt_dotnet_type, mt_version) from stdin binary";
        _serializer = store.Options.Serializer();
    }

    /// <summary>Replaces the documents of these cases of <paramref name="hospital"/> (the caller holds their streams' locks).</summary>
    public Task ReplaceAsync(NpgsqlConnection connection, string hospital, IReadOnlyCollection<CaseState> states, int timeoutSeconds,
        CancellationToken ct) => _connections.WriteAsync(() => CopyAsync(connection, hospital, states, timeoutSeconds, ct));

    private async Task CopyAsync(NpgsqlConnection connection, string hospital, IReadOnlyCollection<CaseState> states, int timeoutSeconds,
        CancellationToken ct)
    {
        await using (var delete = new NpgsqlCommand(_delete, connection) { CommandTimeout = timeoutSeconds })
        {
            delete.Parameters.AddWithValue(hospital);
            delete.Parameters.AddWithValue(states.Select(s => s.Id).ToArray());
            await delete.ExecuteNonQueryAsync(ct);
        }
        await using var copy = await connection.BeginBinaryImportAsync(_copy, ct);
        copy.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        foreach (var state in states)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(hospital, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(state.Id, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(_serializer.ToJson(state), NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(_dotNetType, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(state.Version, NpgsqlDbType.Bigint, ct);
        }
        await copy.CompleteAsync(ct);
    }
}
