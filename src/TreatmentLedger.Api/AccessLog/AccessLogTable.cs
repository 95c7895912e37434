using System.Text.Json;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// The access log's table in the ledger's schema, made and kept by Marten's schema management with the rest of the
/// store. A row is one batch of the <see cref="AccessLogWriter"/> for one hospital: its records side by side in typed
/// arrays (the i-th element of each array is the i-th record), the batch's first and last times, and its case ids
/// indexed. A row per record cost PostgreSQL a tuple and three index entries per read, which with the COPY that wrote
/// them took about a tenth off the reads' p95 in the benchmark (docs/benchmarks.md, "security cost"); a row per batch
/// costs one tuple and one index entry a case. <see cref="Records"/> turns the rows back into records.
/// </summary>
public static class AccessLogTable
{
    public const string Name = "access_log_batches";

    /// <summary>The most records a row holds (a batch of the writer, or of the rows moved from the legacy table).</summary>
    public const int MaxRecordsPerRow = 1_000;

    /// <summary>The table of one row per record that this one replaced; its rows are moved here (<see cref="MoveLegacyRowsSql"/>).</summary>
    public const string LegacyName = "access_log";

    public static string QualifiedName(string schema) => $"{schema}.{Name}";

    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        // The batch's first record's id.
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("hospital");
        table.AddColumn<DateTimeOffset>("first_at").NotNull();
        table.AddColumn<DateTimeOffset>("last_at").NotNull();
        table.AddColumn("ids", "uuid[]").NotNull();
        table.AddColumn("ats", "timestamptz[]").NotNull();
        table.AddColumn("subs", "text[]").NotNull();
        // Each record's roles as a JSON array of strings.
        table.AddColumn("roles", "text[]").NotNull();
        table.AddColumn("case_ids", "uuid[]").NotNull();
        table.AddColumn("routes", "text[]").NotNull();
        table.AddColumn("statuses", "integer[]").NotNull();
        // The route reads a hospital's batches within a time range, or the batches that hold one case.
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_hospital_last_at") { Columns = ["hospital", "last_at"] });
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_case_ids") { Columns = ["case_ids"], Method = IndexMethod.gin });
        return table;
    }

    /// <summary>
    /// The insert of one row holding <paramref name="records"/>, all of one hospital, in the order given. The records get
    /// their ids here: the row's own (a version 7 uuid) with its last two bytes replaced by the record's place in the row
    /// (<see cref="RecordId"/>), so that a read does not draw 16 random bytes of its own (a system call on Linux).
    /// </summary>
    public static NpgsqlBatchCommand Insert(string schema, IReadOnlyList<AccessRecord> records)
    {
        var rowId = Guid.CreateVersion7(records[0].At);
        var ids = new Guid[records.Count];
        for (var i = 0; i < ids.Length; i++) ids[i] = RecordId(rowId, i);
        var command = new NpgsqlBatchCommand(
            $"insert into {QualifiedName(schema)} (id, hospital, first_at, last_at, ids, ats, subs, roles, case_ids, routes, statuses) " +
            "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = ids[0] });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)records[0].Hospital ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = records.Min(r => r.At) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = records.Max(r => r.At) });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = records.Select(r => r.At).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = records.Select(r => r.Sub).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => JsonSerializer.Serialize(r.Roles)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = records.Select(r => r.CaseId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.Route).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = records.Select(r => r.Status).ToArray() });
        return command;
    }

    /// <summary>
    /// The id of the <paramref name="index"/>-th record of the row <paramref name="rowId"/>: unique as long as the rows' ids
    /// differ in their first 14 bytes (a millisecond and 58 random bits), and in the records' order within the row.
    /// </summary>
    public static Guid RecordId(Guid rowId, int index)
    {
        if (index is < 0 or >= MaxRecordsPerRow) throw new ArgumentOutOfRangeException(nameof(index));
        Span<byte> bytes = stackalloc byte[16];
        rowId.TryWriteBytes(bytes, bigEndian: true, out _);
        bytes[14] = (byte)(index >> 8);
        bytes[15] = (byte)index;
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The records of the batches that <paramref name="batchConditions"/> (on the row <c>b</c>) select, one row each:
    /// <c>id, at, sub, roles, hospital, case_id, route, status</c>.
    /// </summary>
    public static string Records(string schema, string batchConditions) =>
        "select r.id, r.at, r.sub, r.roles, b.hospital, r.case_id, r.route, r.status " +
        $"from {QualifiedName(schema)} b cross join lateral unnest(b.ids, b.ats, b.subs, b.roles, b.case_ids, b.routes, b.statuses) " +
        $"as r(id, at, sub, roles, case_id, route, status) where {batchConditions}";

    /// <summary>A record's roles, as <see cref="Insert"/> stored them.</summary>
    public static string[] RolesOf(string stored) => JsonSerializer.Deserialize<string[]>(stored) ?? [];

    /// <summary>
    /// Moves the rows of the <see cref="LegacyName"/> table, if there is one, into batches of at most <see cref="MaxRecordsPerRow"/> records per
    /// hospital, and drops it, in one transaction. Two nodes starting together: the second waits for the first's lock,
    /// then fails on the dropped table, and finds nothing to move on its next attempt.
    /// </summary>
    public static string MoveLegacyRowsSql(string schema) => $"""
        do $$
        begin
          if to_regclass('{schema}.{LegacyName}') is null then return; end if;
          lock table {schema}.{LegacyName} in access exclusive mode;
          insert into {QualifiedName(schema)} (id, hospital, first_at, last_at, ids, ats, subs, roles, case_ids, routes, statuses)
          select (array_agg(id order by at, id))[1], hospital, min(at), max(at),
                 array_agg(id order by at, id), array_agg(at order by at, id), array_agg(sub order by at, id),
                 array_agg(to_jsonb(roles)::text order by at, id), array_agg(case_id order by at, id),
                 array_agg(route order by at, id), array_agg(status order by at, id)
          from (select *, (row_number() over (partition by hospital order by at, id) - 1) / {MaxRecordsPerRow} as chunk
                from {schema}.{LegacyName}) old
          group by hospital, chunk;
          drop table {schema}.{LegacyName};
        end $$;
        """;
}
