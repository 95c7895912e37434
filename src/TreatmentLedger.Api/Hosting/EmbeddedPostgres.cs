using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// A PostgreSQL cluster run from the machine's own binaries (initdb + pg_ctl), listening on a free port of
/// 127.0.0.1 only, user <c>postgres</c> with trust authentication. As root the server runs as the
/// <c>postgres</c> OS user, because PostgreSQL refuses to run as root.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string OsUser = "postgres";
    private const string Tmp = "/tmp";

    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly string _database;
    private readonly IReadOnlyList<string> _serverSettings;
    private readonly bool _runAsPostgres = Environment.IsPrivilegedProcess;
    // Socket paths are limited to 107 characters, so the socket lives in a short folder of its own.
    private readonly string _socketDirectory = Path.Combine(Tmp, "lpg-" + RandomSuffix());
    private int _port;
    private bool _stopped;

    private EmbeddedPostgres(string bin, string dataDirectory, string database, IReadOnlyList<string> serverSettings)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        _database = database;
        _serverSettings = serverSettings;
    }

    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={_database}";

    public string DataDirectory => _dataDirectory;

    /// <summary>The server of this cluster is running (a postmaster with this data folder).</summary>
    public bool IsRunning => IsServerRunning();

    /// <summary>Stopped on purpose: nothing should start it again.</summary>
    public bool IsStopped => _stopped;

    private string PidFile => Path.Combine(_dataDirectory, "postmaster.pid");

    private string LogFile => Path.Combine(_dataDirectory, "postgres.log");

    /// <summary>
    /// Server settings of every embedded cluster, before those of the caller. Autovacuum looks at the database every 10 s
    /// instead of every minute, so that a young events table has planner statistics soon after writes begin: until its
    /// first analysis PostgreSQL guesses that a third of <c>mt_events</c> lies above any sequence, and plans the query by
    /// which Marten's daemon looks for the first gap above its mark (at every poll while events come) as a scan and sort
    /// of the whole table instead of a walk of its primary key from the mark (docs/benchmarks.md, the batch import).
    /// </summary>
    public static readonly IReadOnlyList<string> LedgerSettings = ["autovacuum_naptime=10s"];

    /// <summary>Starts the cluster in <paramref name="dataDirectory"/>, creating it on first use.</summary>
    /// <param name="serverSettings">More <c>name=value</c> server settings (<c>-c</c>), e.g. for a cluster of the tests.</param>
    public static async Task<EmbeddedPostgres> StartAsync(
        string dataDirectory, string database = "ledger", IReadOnlyList<string>? serverSettings = null, CancellationToken ct = default)
    {
        dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        if (database.Length == 0 || !database.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException("A database name holds only ASCII letters, digits and '_'.", nameof(database));
        }

        var postgres = new EmbeddedPostgres(FindBinaries(), dataDirectory, database, [.. LedgerSettings, .. serverSettings ?? []]);
        try
        {
            await postgres.StartServerAsync(ct);
            return postgres;
        }
        catch
        {
            await postgres.DisposeQuietlyAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the server again after it died, on the same port (the app's connection string names it): PostgreSQL
    /// replays its WAL up to the last commit.
    /// </summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        if (_stopped) return;
        await StartServerAsync(ct);
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        if (File.Exists(_dataDirectory))
            throw new EmbeddedPostgresException($"{_dataDirectory} is a file; LEDGER_DATA names the folder of the ledger's PostgreSQL cluster");
        if (Directory.Exists(_dataDirectory) && !File.Exists(Path.Combine(_dataDirectory, "PG_VERSION"))
            && Directory.EnumerateFileSystemEntries(_dataDirectory).Any(e => Path.GetFileName(e) != Security.SigningKey.FileName))
            throw new EmbeddedPostgresException(
                $"{_dataDirectory} holds other files and no PostgreSQL cluster; point LEDGER_DATA at a new or empty folder, where the ledger makes its cluster");
        Directory.CreateDirectory(_dataDirectory);
        Directory.CreateDirectory(_socketDirectory);
        if (_runAsPostgres)
        {
            await HandOverToPostgresUserAsync(ct);
        }

        if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            // initdb wants an empty folder; a signing key made before the first start (ops/token) waits aside meanwhile.
            var key = Path.Combine(_dataDirectory, Security.SigningKey.FileName);
            var keyAside = Path.Combine(Path.GetDirectoryName(_dataDirectory)!, $".{Path.GetFileName(_dataDirectory)}.{Security.SigningKey.FileName}");
            if (File.Exists(key)) File.Move(key, keyAside, overwrite: true);
            string[] init = ["-D", _dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"];
            try
            {
                await CheckAsync("initdb", init, ct);
            }
            finally
            {
                if (File.Exists(keyAside)) File.Move(keyAside, key);
            }
        }

        await ClearLeftoverServerAsync(ct);

        // A port chosen here was free a moment ago; when another socket took it before the server bound it, the server
        // starts again on another one (at most three times). A port already in use by this ledger stays, since its
        // connection string names it.
        var choosesPort = _port == 0;
        for (var attempt = 1; ; attempt++)
        {
            if (choosesPort) _port = FreePort();
            var options = $"-c listen_addresses=127.0.0.1 -p {_port.ToString(CultureInfo.InvariantCulture)} -k {_socketDirectory}";
            foreach (var setting in _serverSettings)
            {
                options += $" -c {setting}";
            }

            var start = await RunPgAsync(
                "pg_ctl", ["start", "-w", "-t", "60", "-D", _dataDirectory, "-l", LogFile, "-o", options], ct);
            if (start.ExitCode == 0) break;
            if (choosesPort && attempt < 3 && LogTail().Contains("Address already in use", StringComparison.Ordinal)) continue;
            throw new EmbeddedPostgresException(
                $"PostgreSQL did not start on {_dataDirectory}: {start.StdOut}{start.StdErr}\n{LogFile} ends with:\n{LogTail()}");
        }

        await CreateDatabaseIfMissingAsync(ct);
    }

    private async Task HandOverToPostgresUserAsync(CancellationToken ct)
    {
        if ((await ExecAsync("id", ["-u", OsUser], ct)).ExitCode != 0)
        {
            throw new EmbeddedPostgresException(
                $"Running as root, PostgreSQL has to run as the '{OsUser}' OS user, which does not exist. " +
                "Install PostgreSQL with ops/install-postgres (apt-get install postgresql creates the user).");
        }

        var parent = Path.GetDirectoryName(_dataDirectory) ?? "/";
        if ((await ExecAsync("runuser", ["-u", OsUser, "--", "test", "-x", parent], ct)).ExitCode != 0)
        {
            throw new EmbeddedPostgresException(
                $"The '{OsUser}' OS user, which runs PostgreSQL, cannot reach {_dataDirectory} " +
                "(a folder on the way, such as /root, is closed to it). " +
                "Put the data where it can, e.g. LEDGER_DATA=/var/lib/ledger.");
        }

        var chown = await ExecAsync("chown", ["-R", OsUser + ":", _dataDirectory, _socketDirectory], ct);
        if (chown.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"chown of {_dataDirectory} to '{OsUser}' failed: {chown.StdErr}");
        }
    }

    // A crashed run leaves its server running (pg_ctl start detaches it) or a stale postmaster.pid, over which
    // postgres refuses to start when the PID has since gone to another process.
    private async Task ClearLeftoverServerAsync(CancellationToken ct)
    {
        // Line 5 of postmaster.pid names the socket folder, which the crashed run did not get to delete.
        var socketDirectory = File.Exists(PidFile) ? File.ReadLines(PidFile).Skip(4).FirstOrDefault() : null;
        if (IsServerRunning())
        {
            await CheckAsync("pg_ctl", ["stop", "-w", "-m", "fast", "-D", _dataDirectory], ct);
        }
        else
        {
            File.Delete(PidFile);
        }

        if (socketDirectory is not null && socketDirectory != _socketDirectory && socketDirectory.StartsWith(Tmp + "/lpg-", StringComparison.Ordinal)
            && Directory.Exists(socketDirectory))
        {
            Directory.Delete(socketDirectory, recursive: true);
        }
    }

    private bool IsServerRunning()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadLines(PidFile).FirstOrDefault(), out var pid))
        {
            return false;
        }

        try
        {
            // The PID alone proves little: after a reboot or in a new container it may belong to anything.
            var cmdline = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline";
            if (Directory.Exists("/proc/self"))
            {
                return File.ReadAllText(cmdline).Split('\0').Contains(_dataDirectory);
            }

            using var process = Process.GetProcessById(pid);
            return process.ProcessName == "postgres";
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task CreateDatabaseIfMissingAsync(CancellationToken ct)
    {
        string[] psql =
        [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture),
            "-U", "postgres", "-d", "postgres", "-tA", "-c",
        ];
        var exists = await CheckAsync("psql", [.. psql, $"select 1 from pg_database where datname = '{_database}'"], ct);
        if (exists.Trim() != "1")
        {
            await CheckAsync("psql", [.. psql, $"create database \"{_database}\""], ct);
        }
    }

    /// <summary>Stops the server (fast shutdown). Calling it again does nothing.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (IsServerRunning())
        {
            await CheckAsync("pg_ctl", ["stop", "-w", "-m", "fast", "-D", _dataDirectory], CancellationToken.None);
        }

        if (Directory.Exists(_socketDirectory))
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task DisposeQuietlyAsync()
    {
        try
        {
            await DisposeAsync();
        }
        catch (Exception e) when (e is EmbeddedPostgresException or IOException or UnauthorizedAccessException)
        {
            // The start failure that brought us here is the error worth reporting.
        }
    }

    private static string FindBinaries()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("LEDGER_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return HasServer(fromEnvironment)
                ? fromEnvironment
                : throw new EmbeddedPostgresException(
                    $"LEDGER_PG_BIN={fromEnvironment} does not hold PostgreSQL's initdb, pg_ctl and psql.");
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => (Version: ParseVersion(Path.GetFileName(version)), Bin: Path.Combine(version, "bin")))
                .Where(candidate => HasServer(candidate.Bin))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault()
            : null;
        if (debian is not null)
        {
            return debian;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var pgCtl = new FileInfo(Path.Combine(folder, "pg_ctl"));
            if (!pgCtl.Exists)
            {
                continue;
            }

            // A pg_ctl on PATH is often a symbolic link; its siblings sit next to the file it points to.
            var target = Path.GetDirectoryName(pgCtl.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl.FullName);
            if (target is not null && HasServer(target))
            {
                return target;
            }

            if (HasServer(folder))
            {
                return folder;
            }
        }

        throw new EmbeddedPostgresException(
            "No PostgreSQL server binaries (initdb, pg_ctl, psql) found in LEDGER_PG_BIN, /usr/lib/postgresql/*/bin " +
            "or on PATH. Run ops/install-postgres (on Debian/Ubuntu: apt-get install postgresql), point LEDGER_PG_BIN " +
            "at the folder holding initdb, or set LEDGER_CONNECTION_STRING to use a server of your own.");
    }

    private static bool HasServer(string folder) =>
        new[] { "initdb", "pg_ctl", "psql" }.All(tool => File.Exists(Path.Combine(folder, tool)));

    private static double ParseVersion(string name) =>
        double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out var version) ? version : -1;

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string RandomSuffix() => Guid.NewGuid().ToString("N")[..10];

    private string LogTail() =>
        File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(20)) : "(no log)";

    private async Task<string> CheckAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var result = await RunPgAsync(tool, args, ct);
        return result.ExitCode == 0
            ? result.StdOut
            : throw new EmbeddedPostgresException(
                $"{tool} {string.Join(' ', args)} failed with exit code {result.ExitCode}: {result.StdErr}{result.StdOut}");
    }

    private Task<ProcessResult> RunPgAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var executable = Path.Combine(_bin, tool);
        return _runAsPostgres
            ? ExecAsync("runuser", ["-u", OsUser, "--", executable, .. args], ct)
            : ExecAsync(executable, args, ct);
    }

    private static async Task<ProcessResult> ExecAsync(string file, IEnumerable<string> args, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres tools fail in a working directory their user cannot enter, such as one under /root.
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)
            ?? throw new EmbeddedPostgresException($"Could not start {file}.");
        var stdOut = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stdErr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await stdOut, await stdErr);
    }

    private sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);
}

/// <summary>The embedded cluster cannot be started, for a reason a person can act on (the message says which).</summary>
public sealed class EmbeddedPostgresException(string message) : Exception(message);
