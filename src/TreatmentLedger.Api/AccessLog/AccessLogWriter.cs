using System.Threading.Channels;
using Marten;

namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// Appends access records to the store in the background, in batches (one insert round trip and one commit for
/// whatever has queued up), so that a read does not wait for its record: the record is queued before the answer is
/// sent and stored within milliseconds. Records still queued when the ledger stops are stored before it exits; a
/// crash of the process loses those not yet committed (docs/security.md).
/// </summary>
public sealed class AccessLogWriter(IDocumentStore store, ILogger<AccessLogWriter> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    private readonly Channel<AccessRecord> _queue = Channel.CreateUnbounded<AccessRecord>(new UnboundedChannelOptions { SingleReader = true });

    public void Append(AccessRecord record) => _queue.Writer.TryWrite(record);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not cancelled by the stop: the queue is closed instead (StopAsync), and what it holds is stored first.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var batch = new List<AccessRecord>();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var record)) batch.Add(record);
            await StoreAsync(batch);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task StoreAsync(List<AccessRecord> batch)
    {
        // A store that does not answer is retried until it does: the records wait in memory, none is dropped.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = store.LightweightSession();
                session.Insert<AccessRecord>(batch);
                await session.SaveChangesAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Access log: {Count} records not stored yet (attempt {Attempt}): {Error}", batch.Count, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
        }
    }
}
