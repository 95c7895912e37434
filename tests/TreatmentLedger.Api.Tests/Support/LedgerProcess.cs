using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// The API as a real process (<c>dotnet TreatmentLedger.Api.dll</c> from the build output), listening on 127.0.0.1 only,
/// for tests that kill processes. Its output is kept for the failure message.
/// </summary>
public sealed class LedgerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private LedgerProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public HttpClient Client => field ??= LedgerClient.Create(BaseUrl);

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(60)); }
    }

    /// <summary>Starts the API with these LEDGER_* settings (any other LEDGER_* of the test process is not passed on) and waits until it is ready.</summary>
    public static async Task<LedgerProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        start.ArgumentList.Add(ApiDll);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("LEDGER_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
        foreach (var (name, value) in settings) start.Environment[name] = value;
        start.Environment["LEDGER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["LEDGER_HOST"] = "127.0.0.1";
        start.Environment["LEDGER_DEMO"] = "0";

        var ledger = new LedgerProcess(Process.Start(start)!, $"http://127.0.0.1:{port}");
        ledger._process.OutputDataReceived += (_, e) => ledger.Keep(e.Data);
        ledger._process.ErrorDataReceived += (_, e) => ledger.Keep(e.Data);
        ledger._process.BeginOutputReadLine();
        ledger._process.BeginErrorReadLine();
        await ledger.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return ledger;
    }

    /// <summary>Polls <c>GET /health/ready</c> until it answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The API exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var ready = await Client.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // No answer within the client's timeout.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The API was not ready within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: the process ends at once, mid-request.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops it: the app stops its embedded cluster on the way out.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    /// <summary>The API's own build output (its runtimeconfig and deps sit beside it), of the configuration the tests were built in.</summary>
    private static string ApiDll
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = testOutput.Parent!.Name;
            var root = testOutput;
            while (!File.Exists(Path.Combine(root.FullName, "TreatmentLedger.sln"))) root = root.Parent ?? throw new InvalidOperationException("no TreatmentLedger.sln above the test output");
            var dll = Path.Combine(root.FullName, "src", "TreatmentLedger.Api", "bin", configuration, testOutput.Name, "TreatmentLedger.Api.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the API first", dll);
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
