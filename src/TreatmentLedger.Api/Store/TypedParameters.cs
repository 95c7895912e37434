using NpgsqlTypes;
using Weasel.Postgresql;

namespace TreatmentLedger.Api.Store;

/// <summary>The ledger's own statements in Marten's batches: SQL with <c>?</c> placeholders and a typed value for each.</summary>
public static class TypedParameters
{
    /// <summary>Appends <paramref name="sql"/> to the batch, binding its placeholders in order (a null value as SQL NULL).</summary>
    public static void AppendTyped(this ICommandBuilder builder, string sql, IReadOnlyList<(NpgsqlDbType Type, object? Value)> values)
    {
        var parameters = builder.AppendWithParameters(sql, '?');
        for (var i = 0; i < parameters.Length; i++) (parameters[i].NpgsqlDbType, parameters[i].Value) = (values[i].Type, values[i].Value ?? DBNull.Value);
    }
}
