using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// The access log's table in the ledger's schema, made and kept by Marten's schema management with the rest of the
/// store: plain columns, written by binary COPY, because a document per read (JSON, its indexes) cost PostgreSQL more
/// than the read it records (docs/benchmarks.md, "security cost").
/// </summary>
public static class AccessLogTable
{
    public const string Name = "access_log";
    public const string Columns = "id, at, sub, roles, hospital, case_id, route, status";

    public static string QualifiedName(string schema) => $"{schema}.{Name}";

    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("at").NotNull();
        table.AddColumn<string>("sub");
        table.AddColumn("roles", "text[]").NotNull();
        table.AddColumn<string>("hospital");
        table.AddColumn<Guid>("case_id").NotNull();
        table.AddColumn<string>("route").NotNull();
        table.AddColumn<int>("status").NotNull();
        // The route reads a hospital's records newest first, or one case's.
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_hospital_at") { Columns = ["hospital", "at"] });
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_case_id") { Columns = ["case_id"] });
        return table;
    }
}
