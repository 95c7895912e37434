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

    /// <param name="durable">Keep PostgreSQL's durability settings, for a test that kills the server and counts what survived.</param>
    public static async Task<ThrowawayPostgres> StartAsync(bool durable = false)
    {
        var folder = Path.Combine("/tmp", "ledger-pg-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            return new ThrowawayPostgres(await EmbeddedPostgres.StartAsync(folder, serverSettings: durable ? [] : SpeedOverDurability), folder);
        }
        catch
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>SIGKILL of the postmaster, as a crash would end it.</summary>
    public void KillServer()
    {
        using var postmaster = System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadLines(Path.Combine(_folder, "postmaster.pid")).First()));
        postmaster.Kill();
        postmaster.WaitForExit();
    }

    /// <summary>
    /// SIGSTOP of the postmaster and every server process: the server hangs with its sockets open, as a frozen machine
    /// or a network partition looks to a client (connections are accepted by the kernel and never answered).
    /// </summary>
    public void FreezeServer() => SignalServer("STOP");

    /// <summary>SIGCONT of every process <see cref="FreezeServer"/> stopped.</summary>
    public void ThawServer() => SignalServer("CONT");

    private void SignalServer(string signal)
    {
        var postmaster = File.ReadLines(Path.Combine(_folder, "postmaster.pid")).First();
        // The postmaster last on STOP (so that it starts no new child meanwhile: it would run) and first on CONT.
        if (signal == "CONT") Run("kill", $"-CONT {postmaster}");
        Run("pkill", $"-{signal} -P {postmaster}");
        if (signal == "STOP") Run("kill", $"-STOP {postmaster}");
    }

    private static void Run(string program, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        process.WaitForExit();
    }

    /// <summary>Starts the server again on the same port, after <see cref="KillServer"/>.</summary>
    public Task RestartServerAsync() => _postgres.RestartAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
