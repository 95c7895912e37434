using Marten;
using Marten.Services;
using Npgsql;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Marten's logging without parameter values: Marten's own logger writes every failed command's parameters at Error
/// level, and an append's parameters are the entries themselves (patientRef, notes). Failures are logged with their
/// SQL text, schema changes with their DDL; successful commands are not logged. A command failed on the server also
/// discards the pool while the session still holds its connection (<see cref="StoreConnections.Discard"/>).
/// </summary>
public sealed partial class LedgerMartenLogger(ILogger logger, Func<StoreConnections> connections) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => LogSchemaChange(logger, sql);

    public void LogFailure(NpgsqlCommand command, Exception ex)
    {
        if (StoreConnections.FailedOnServer(ex)) connections().Discard();
        LogCommandFailure(logger, ex, command.CommandText);
    }

    public void LogFailure(NpgsqlBatch batch, Exception ex)
    {
        if (StoreConnections.FailedOnServer(ex)) connections().Discard();
        LogCommandFailure(logger, ex, string.Join(";\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText)));
    }

    public void LogFailure(Exception ex, string message) => LogOtherFailure(logger, ex, message);

    public void LogSuccess(NpgsqlCommand command) { }

    public void LogSuccess(NpgsqlBatch batch) { }

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }

    public void OnBeforeExecute(NpgsqlCommand command) { }

    public void OnBeforeExecute(NpgsqlBatch batch) { }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed schema update SQL:\n{Sql}")]
    private static partial void LogSchemaChange(ILogger logger, string sql);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marten failed executing (parameter values not logged):\n{Sql}")]
    private static partial void LogCommandFailure(ILogger logger, Exception ex, string sql);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marten failed: {Message}")]
    private static partial void LogOtherFailure(ILogger logger, Exception ex, string message);
}
