using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// The API as a real process (<c>dotnet TreatmentLedger.Api.dll</c> from the build output), listening on 127.0.0.1 only,
/// for tests that kill processes or restore backups. Its output is kept for the failure message. Requests go through
/// <see cref="Client"/> (or the helpers built on it), which carries a clinician token of the tests' hospital, signed
/// with the key in the process's data folder.
/// </summary>
public sealed class LedgerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;

    private LedgerProcess(Process process, string baseUrl, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public string BaseUrl { get; }

    /// <summary>The one HTTP client of this process, with the token (minted once the ledger is ready and has its key).</summary>
    public HttpClient Client { get; private set; } = null!;

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(60)); }
    }

    public sealed record Answer(HttpStatusCode Status, string? ContentType, string Body)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    /// <summary>
    /// Starts the API with these LEDGER_* settings (any other LEDGER_* of the test process is not passed on) and waits
    /// until it is ready. Without LEDGER_DATA it gets a data folder of its own, for its signing key, removed at the end.
    /// The port is one the system had free a moment before; when another socket took it in between (the API exits with
    /// "address already in use"), the API starts again on another port, at most three times in all.
    /// </summary>
    public static async Task<LedgerProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ledger = Launch(settings);
            try
            {
                await ledger.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            }
            catch (InvalidOperationException) when (attempt < 3 && ledger.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await ledger.DisposeAsync();
                continue;
            }
            catch
            {
                await ledger.DisposeAsync();
                throw;
            }
            ledger.Client = LedgerClient.Create(ledger.BaseUrl, ledger.Token("test-clinician", Roles.Clinician));
            return ledger;
        }
    }

    private static LedgerProcess Launch(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var ownsData = !settings.ContainsKey("LEDGER_DATA");
        var dataDirectory = ownsData ? Directory.CreateTempSubdirectory("ledger-process-").FullName : settings["LEDGER_DATA"];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        start.ArgumentList.Add(Path.Combine(Repository.ApiFolder, "TreatmentLedger.Api.dll"));
        Repository.WithEnvironment(start, new Dictionary<string, string>(settings)
        {
            ["LEDGER_DATA"] = dataDirectory,
            ["LEDGER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LEDGER_HOST"] = "127.0.0.1",
            // No demo unless the test asks for it.
            ["LEDGER_DEMO"] = settings.GetValueOrDefault("LEDGER_DEMO", "0"),
        });

        var ledger = new LedgerProcess(Process.Start(start)!, $"http://127.0.0.1:{port}", dataDirectory, ownsData);
        ledger._process.OutputDataReceived += (_, e) => ledger.Keep(e.Data);
        ledger._process.ErrorDataReceived += (_, e) => ledger.Keep(e.Data);
        ledger._process.BeginOutputReadLine();
        ledger._process.BeginErrorReadLine();
        return ledger;
    }

    /// <summary>A token of the tests' hospital with these roles, signed with the key in the process's data folder.</summary>
    public string Token(string sub, params string[] roles) => TokenAt(LedgerFixture.Hospital, sub, roles);

    /// <summary>A token of <paramref name="hospital"/> with these roles, signed with the key in the process's data folder.</summary>
    public string TokenAt(string hospital, string sub, params string[] roles) =>
        Tokens.Mint(SigningKey.LoadOrCreate(_dataDirectory), sub, roles, hospital, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>The exit code once the process has ended: 128 + the signal's number when a signal ended it (137 for SIGKILL).</summary>
    public int ExitCode => _process.ExitCode;

    public async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await Client.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public Task<Answer> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<Answer> PostAsync(string path, JsonNode body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") });

    /// <summary>Polls <c>GET /health/ready</c> (no token needed) until it answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var probe = LedgerClient.Create(BaseUrl, token: null);
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                // Until its output has been read to the end, so that the message holds why it exited.
                _process.WaitForExit();
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var ready = await probe.GetAsync("/health/ready");
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

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): the process ends at once, mid-request.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops it: the app stops its embedded cluster on the way out.</summary>
    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
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
        if (_ownsDataDirectory) Directory.Delete(_dataDirectory, recursive: true);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
