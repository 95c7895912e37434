using Npgsql;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>
/// A command that fails must leave its pooled connection fit for the next one. With Npgsql's automatic preparation a
/// batch failing in the round trip that prepares its statements (their fifth use) left the connection answering the next
/// command with another statement's rows ("Received unexpected backend message DataRow"): a valid import got a 500 right
/// after one with a NUL had failed.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class PooledConnectionTests
{
    private const string Valid = """{ "note": "stable" }""";
    private const string WithNul = """{ "note": "a\u0000b" }""";

    [Fact]
    public async Task After_a_failed_batch_at_any_use_the_next_commands_on_the_connection_succeed()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        // One connection, so every command meets whatever the failed one left behind.
        var settings = new NpgsqlConnectionStringBuilder(Configuration.Tuned(postgres.ConnectionString)) { MaxPoolSize = 1 };
        await using (var setup = NpgsqlDataSource.Create(settings.ConnectionString))
        {
            await setup.CreateCommand("create table entries (id serial primary key, data jsonb not null)").ExecuteNonQueryAsync();
        }

        for (var failing = 1; failing <= 7; failing++)
        {
            await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
            for (var use = 1; use <= 9; use++)
            {
                if (use == failing)
                {
                    var refused = await Assert.ThrowsAsync<PostgresException>(() => AppendAsync(dataSource, WithNul));
                    Assert.Equal(PostgresErrorCodes.UntranslatableCharacter, refused.SqlState);
                }
                else
                {
                    await AppendAsync(dataSource, Valid);
                }
            }
        }
    }

    // Shaped like a Marten commit: a function reading the JSON, then an insert, in one batch and one transaction.
    private static async Task AppendAsync(NpgsqlDataSource dataSource, string json)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("select jsonb_typeof($1::jsonb)") { Parameters = { new() { Value = json } } },
                new NpgsqlBatchCommand("insert into entries (data) values ($1::jsonb)") { Parameters = { new() { Value = Valid } } },
            },
        };
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) { }
            await reader.NextResultAsync();
        }
        await transaction.CommitAsync();
    }
}
