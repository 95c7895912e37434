using Npgsql;
using NpgsqlTypes;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>A row of the raw baseline's plain events table.</summary>
public sealed record RawRow(Guid Stream, int Version, string Type, string Data);

/// <summary>
/// The raw baselines: plain Npgsql on a plain events table in schema <c>bench_raw</c> (jsonb payload, unique
/// (stream, version)), and a plain key/value copy of the case documents for the current-read baseline.
/// </summary>
public static class RawTables
{
    public const string Schema = """
        create schema if not exists bench_raw;
        create table if not exists bench_raw.events(
            seq bigserial primary key,
            stream uuid not null,
            version int not null,
            type text not null,
            data jsonb not null,
            created timestamptz not null default now(),
            unique (stream, version));
        create table if not exists bench_raw.case_docs(id uuid primary key, data jsonb not null);
        """;

    public static async Task CreateAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand(Schema);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One single-row INSERT, committed on its own (autocommit), as one request of the append baseline.</summary>
    public static async Task InsertAsync(NpgsqlConnection connection, RawRow row, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("insert into bench_raw.events(stream, version, type, data) values ($1, $2, $3, $4)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = row.Stream, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Version, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Type, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Data, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Rows by binary COPY (NpgsqlBinaryImporter), one transaction.</summary>
    public static async Task CopyAsync(NpgsqlConnection connection, IEnumerable<RawRow> rows, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "copy bench_raw.events (stream, version, type, data) from stdin (format binary)", ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(row.Stream, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(row.Version, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(row.Type, NpgsqlDbType.Text, ct);
            await importer.WriteAsync(row.Data, NpgsqlDbType.Jsonb, ct);
        }
        await importer.CompleteAsync(ct);
    }

    public static async Task ExecuteAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Opens <paramref name="count"/> connections, one per worker of a baseline.</summary>
    public static async Task<NpgsqlConnection[]> OpenConnectionsAsync(NpgsqlDataSource db, int count, CancellationToken ct)
    {
        var connections = new NpgsqlConnection[count];
        for (var i = 0; i < count; i++) connections[i] = await db.OpenConnectionAsync(ct);
        return connections;
    }

    public static async Task CloseAsync(IEnumerable<NpgsqlConnection> connections)
    {
        foreach (var c in connections) await c.DisposeAsync();
    }
}
