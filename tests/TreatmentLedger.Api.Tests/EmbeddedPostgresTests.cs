using System.Diagnostics;
using Npgsql;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// What a person sees when LEDGER_DATA names a place the ledger cannot keep its cluster in; and how the embedded cluster
/// serves a young event table.
/// </summary>
public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task A_folder_that_holds_other_files_and_no_cluster_is_refused_with_one_clear_message_and_left_as_it_was()
    {
        var folder = Directory.CreateTempSubdirectory("ledger-not-a-cluster-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "mine");
        try
        {
            var refused = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(folder));

            Assert.Contains(folder, refused.Message);
            Assert.Contains("no PostgreSQL cluster", refused.Message);
            Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Marten's daemon looks, at every poll while events come, for the first gap above its mark with a query that
    /// PostgreSQL plans from the events table's statistics: without them it guesses that a third of the table lies above
    /// any sequence and may scan and sort the whole table (docs/benchmarks.md, the batch import). The embedded cluster's
    /// autovacuum looks every 10 s, so a table written since the cluster started is analysed within seconds (at
    /// PostgreSQL's default, a minute, the benchmark's events table had none after 60 s of writes), and the query then
    /// walks the key from the mark.
    /// </summary>
    [Fact]
    public async Task A_young_event_table_is_analysed_within_seconds_so_that_the_daemons_gap_query_walks_its_key()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, "create table events (seq_id bigint primary key, data jsonb not null)");
        await Execute(connection, "insert into events select g, jsonb_build_object('n', g, 'text', repeat('x', 300)) from generate_series(1, 20000) g");

        var clock = Stopwatch.StartNew();
        while (await Scalar(connection, "select last_autoanalyze from pg_stat_user_tables where relname = 'events'") is DBNull
               && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the events table was not analysed within 30 s of being written");
        var plan = await Plan(connection, """
            explain select seq_id
            from (select seq_id, lead(seq_id) over (order by seq_id) as next_seq from events where seq_id >= 19990) gaps
            where next_seq is not null and next_seq - seq_id > 1 order by seq_id limit 1
            """);
        Assert.Contains("Index Only Scan using events_pkey", plan);
        Assert.DoesNotContain("Seq Scan", plan);
        Assert.DoesNotContain("Sort", plan);
        Assert.Matches(@"Index Only Scan using events_pkey on events +\(cost=[0-9.]+ rows=(\d|1\d) ", plan);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> Plan(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    [Fact]
    public async Task A_file_is_refused_as_a_data_folder()
    {
        var file = Path.GetTempFileName();
        try
        {
            var refused = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => EmbeddedPostgres.StartAsync(file));
            Assert.Contains("is a file", refused.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
