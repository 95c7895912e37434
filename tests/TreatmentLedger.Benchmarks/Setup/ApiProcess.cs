using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>
/// The real API as a separate process (<c>dotnet TreatmentLedger.Api.dll</c>, Release build) on the bench cluster, so
/// its resident memory can be read from /proc and its start-up timed. Its output goes to a log file.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();

    private ApiProcess(Process process, Uri baseAddress, long startedAt, StreamWriter log, string logPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        StartedAt = startedAt;
        _log = log;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedAt { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the process writes (standard output and error), as it comes.</summary>
    public event Action<string>? LineWritten;

    /// <summary>
    /// Starts the API. <paramref name="environment"/> overrides the harness's settings (a null value removes one: e.g. the
    /// lifted rate limit, to run with the ledger's defaults as <c>ops/run</c> does).
    /// </summary>
    public static ApiProcess Start(string apiDll, string connectionString, string dataDirectory, string logPath,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(apiDll);
        info.Environment["LEDGER_CONNECTION_STRING"] = connectionString;
        info.Environment["LEDGER_DATA"] = dataDirectory;
        info.Environment["LEDGER_HOST"] = "127.0.0.1";
        info.Environment["LEDGER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["LEDGER_DEMO"] = "0";
        // The harness is one caller sending thousands of requests a second: far above the production rate limit.
        info.Environment["LEDGER_RATE_LIMIT"] = "1000000";
        info.Environment["LEDGER_RATE_BURST"] = "1000000";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet " + apiDll);
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), startedAt, log, logPath);
        process.OutputDataReceived += (_, e) => api.Log(e.Data);
        process.ErrorDataReceived += (_, e) => api.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_logLock) _log.WriteLine(line);
        LineWritten?.Invoke(line);
    }

    /// <summary>Waits until <c>GET /health</c> answers 200.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the API exited with code {_process.ExitCode}; see {LogPath}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health"), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50, ct);
        }
        throw new TimeoutException($"the API did not answer /health within {timeout}; see {LogPath}");
    }

    /// <summary>Peak resident set size so far (VmHWM of /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long PeakRssBytes() => ReadStatus("VmHWM:");

    public long RssBytes() => ReadStatus("VmRSS:");

    private long ReadStatus(string key)
    {
        var line = File.ReadLines($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        var kb = long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kb * 1024;
    }

    /// <summary>SIGTERM (a clean shutdown), then a kill if it has not exited within ten seconds.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        lock (_logLock) _log.Dispose();
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
