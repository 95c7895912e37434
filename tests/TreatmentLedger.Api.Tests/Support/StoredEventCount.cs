using Npgsql;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>How many events the store holds, read straight from its table: a refused request must not change it.</summary>
public static class StoredEventCount
{
    public static async Task<long> Of(LedgerFixture fixture)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {Configuration.Schema}.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
