using TreatmentLedger.Api.Hosting;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// A cluster for one test run, in a new folder under /tmp, deleted afterwards: fsync, synchronous commit and full-page
/// writes are off, since nothing in it has to survive a crash. Production clusters never run so.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private static readonly string[] SpeedOverDurability = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"];

    private readonly EmbeddedPostgres _postgres;
    private readonly string _folder;

    private ThrowawayPostgres(EmbeddedPostgres postgres, string folder)
    {
        _postgres = postgres;
        _folder = folder;
    }

    public string ConnectionString => _postgres.ConnectionString;

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var folder = Path.Combine("/tmp", "ledger-pg-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            return new ThrowawayPostgres(await EmbeddedPostgres.StartAsync(folder, serverSettings: SpeedOverDurability), folder);
        }
        catch
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
