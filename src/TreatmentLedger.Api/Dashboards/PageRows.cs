using System.Data.Common;
using Marten;
using Marten.Internal.Operations;
using NpgsqlTypes;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Store;
using Weasel.Postgresql;
using IStorageSession = Weasel.Storage.IStorageSession;
using OperationRole = Weasel.Core.OperationRole;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>
/// How the dashboards' projection writes a page's documents: every board row of the page in one statement, every line
/// fact in another, where Marten's <c>Store</c> sent one upsert per document (and built its parameters one by one: 12 %
/// of what the API allocated under 16 HTTP appends in flight). The rows are those Marten writes for a stored
/// document: its JSON, its .NET type, a new version id, the modification time and the duplicated columns
/// (<see cref="Configuration.AddDashboards"/>); a test compares them with Marten's.
/// </summary>
public sealed class PageRows<T> where T : notnull
{
    /// <summary>A duplicated column: its name, its type, and the column's values for the page's rows.</summary>
    public sealed record Column(string Name, NpgsqlDbType Type, Func<IReadOnlyList<T>, Array> Values);

    private readonly string _sql;
    private readonly NpgsqlDbType[] _types;
    private readonly Func<IReadOnlyList<T>, Array> _ids;
    private readonly Column[] _columns;
    private readonly ISerializer _serializer;
    private readonly string _dotnetType = typeof(T).FullName!;

    public PageRows(IReadOnlyStoreOptions options, NpgsqlDbType idType, Func<IReadOnlyList<T>, Array> ids, params Column[] columns)
    {
        var table = options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
        var names = string.Join(", ", columns.Select(c => c.Name));
        _sql =
            $"insert into {table} as d (tenant_id, id, data, mt_version, mt_dotnet_type, mt_last_modified, {names}) " +
            $"select ?, u.id, u.data, u.version, ?, transaction_timestamp(), {string.Join(", ", columns.Select(c => "u." + c.Name))} " +
            $"from unnest(?, ?, ?, {string.Join(", ", columns.Select(_ => "?"))}) " +
            $"as u(id, data, version, {names}) " +
            "on conflict (tenant_id, id) do update set data = excluded.data, mt_version = excluded.mt_version, " +
            "mt_dotnet_type = excluded.mt_dotnet_type, mt_last_modified = excluded.mt_last_modified, " +
            string.Join(", ", columns.Select(c => $"{c.Name} = excluded.{c.Name}"));
        _types =
        [
            NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Array | idType, NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            NpgsqlDbType.Array | NpgsqlDbType.Uuid, .. columns.Select(c => NpgsqlDbType.Array | c.Type),
        ];
        _ids = ids;
        _columns = columns;
        _serializer = options.Serializer();
    }

    /// <summary>The operation that upserts <paramref name="rows"/> (no two with one id) for <paramref name="hospital"/>.</summary>
    public IStorageOperation Upsert(string hospital, IReadOnlyList<T> rows) => new Operation(this, hospital, rows);

    private sealed class Operation(PageRows<T> shape, string hospital, IReadOnlyList<T> rows) : IStorageOperation
    {
        public Type DocumentType => typeof(T);

        public OperationRole Role() => OperationRole.Upsert;

        public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
        {
            object?[] values =
            [
                hospital, shape._dotnetType, shape._ids(rows), rows.Select(r => shape._serializer.ToJson(r)).ToArray(),
                rows.Select(_ => Guid.CreateVersion7()).ToArray(), .. shape._columns.Select(c => c.Values(rows)),
            ];
            builder.AppendTyped(shape._sql, shape._types.Zip(values).ToArray());
        }

        public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;
    }
}

/// <summary>The dashboards' two documents as <see cref="PageRows{T}"/> writes them.</summary>
public static class DashboardRows
{
    public static PageRows<CaseBoardRow> Board(IReadOnlyStoreOptions options) => new(options, NpgsqlDbType.Uuid, rows => rows.Select(r => r.Id).ToArray(),
        new("patient_ref", NpgsqlDbType.Varchar, rows => rows.Select(r => r.PatientRef).ToArray()),
        new("status", NpgsqlDbType.Varchar, rows => rows.Select(r => r.Status).ToArray()),
        new("current_regimen_key", NpgsqlDbType.Varchar, rows => rows.Select(r => r.CurrentRegimenKey).ToArray()),
        new("last_recorded_at", NpgsqlDbType.TimestampTz, rows => rows.Select(r => r.LastRecordedAt.ToUniversalTime()).ToArray()));

    public static PageRows<LineFactRow> Lines(IReadOnlyStoreOptions options) => new(options, NpgsqlDbType.Varchar, rows => rows.Select(r => r.Id).ToArray(),
        new("case_id", NpgsqlDbType.Uuid, rows => rows.Select(r => r.CaseId).ToArray()),
        new("regimen_key", NpgsqlDbType.Varchar, rows => rows.Select(r => r.RegimenKey).ToArray()),
        new("line_number", NpgsqlDbType.Integer, rows => rows.Select(r => r.LineNumber).ToArray()),
        new("pfs_days", NpgsqlDbType.Integer, rows => rows.Select(r => r.PfsDays).ToArray()),
        new("pfs_event", NpgsqlDbType.Boolean, rows => rows.Select(r => r.PfsEvent).ToArray()),
        new("ttd_days", NpgsqlDbType.Integer, rows => rows.Select(r => r.TtdDays).ToArray()),
        new("ttd_event", NpgsqlDbType.Boolean, rows => rows.Select(r => r.TtdEvent).ToArray()));
}
