using System.Threading.Channels;
using Marten;
using Npgsql;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// Appends access records to the store in the background, in batches: a read does not wait for its record, which is
/// queued before the answer is sent and stored within <see cref="Linger"/> and one insert. Waiting that long for a batch
/// to fill keeps a busy ledger at a few transactions a second instead of one (and a thread wake-up) per read
/// (docs/benchmarks.md, "security cost"). Records still queued when the ledger stops are stored before it exits (the
/// container disposes the writer); a crash of the process loses those not yet committed (docs/security.md).
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    /// <summary>
    /// How long the first record of a batch waits for others. At 20 ms a busy ledger inserted some 50 rows a second, and
    /// their fixed cost in PostgreSQL (a statement, a commit, the TOASTed arrays) showed in the reads' CPU and p95; at
    /// 100 ms it does not (docs/benchmarks.md, "security cost").
    /// </summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
    private readonly IDocumentStore _store;
    private readonly ILogger<AccessLogWriter> _logger;
    private readonly Channel<AccessRecord> _queue = Channel.CreateUnbounded<AccessRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private volatile bool _stopping;
    private bool _legacyMoved;

    public AccessLogWriter(IDocumentStore store, ILogger<AccessLogWriter> logger)
    {
        _store = store;
        _logger = logger;
        _writer = Task.Run(WriteBatchesAsync);
    }

    public void Append(AccessRecord record) => _queue.Writer.TryWrite(record);

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteBatchesAsync()
    {
        while (await _queue.Reader.WaitToReadAsync())
        {
            if (!_stopping) await Task.Delay(Linger);
            var batch = new List<AccessRecord>();
            while (batch.Count < AccessLogTable.MaxRecordsPerRow && _queue.Reader.TryRead(out var record)) batch.Add(record);
            await StoreAsync(batch);
        }
    }

    private async Task StoreAsync(List<AccessRecord> batch)
    {
        // A store that does not answer is tried again until it does: the records wait in memory. Only a ledger that is
        // stopping gives up, after three attempts, so that a store gone for good does not keep it from exiting.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await InsertAsync(batch);
                return;
            }
            catch (Exception e) when (_stopping && attempt >= 3)
            {
                _logger.LogError("Access log: {Count} records lost, the store does not answer while the ledger stops: {Error}", batch.Count, e.GetType().Name);
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Access log: {Count} records not stored yet (attempt {Attempt}): {Error}", batch.Count, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }
    }

    /// <summary>
    /// One row per hospital in the batch (<see cref="AccessLogTable"/>), in one round trip and one transaction.
    /// The first batch also moves the records of the table of one row per record, if an older ledger left one.
    /// </summary>
    private async Task InsertAsync(List<AccessRecord> batch)
    {
        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        if (!_legacyMoved)
        {
            await using var move = new NpgsqlCommand(AccessLogTable.MoveLegacyRowsSql(Configuration.Schema), connection);
            await move.ExecuteNonQueryAsync();
            _legacyMoved = true;
        }
        await using var insert = new NpgsqlBatch(connection);
        foreach (var hospital in batch.GroupBy(r => r.Hospital))
            insert.BatchCommands.Add(AccessLogTable.Insert(Configuration.Schema, hospital.ToList()));
        await insert.ExecuteNonQueryAsync();
    }
}
