using System.Diagnostics;
using TreatmentLedger.Api.Faults;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// Watches the embedded cluster once a second and starts it again when its server has died (PostgreSQL recovers from
/// its WAL on start). Meanwhile requests answer 503 (<see cref="StoreFaultHandler"/>).
/// </summary>
public sealed class EmbeddedPostgresSupervisor(EmbeddedPostgres postgres, StoreConnections connections, ILogger<EmbeddedPostgresSupervisor> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (postgres.IsRunning || postgres.IsStopped) continue;
                log.LogError("The embedded PostgreSQL in {Folder} is not running; starting it again", postgres.DataDirectory);
                var watch = Stopwatch.StartNew();
                try
                {
                    await postgres.RestartAsync(stoppingToken);
                    connections.Discard();
                    log.LogWarning("The embedded PostgreSQL is running again after {Seconds:F1} s", watch.Elapsed.TotalSeconds);
                }
                catch (Exception e) when (e is EmbeddedPostgresException or IOException or UnauthorizedAccessException)
                {
                    // e.g. the dead server's backends still hold its shared memory for a moment: the next tick tries again.
                    log.LogError("The embedded PostgreSQL did not start again: {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping; the cluster stops with it.
        }
    }
}
