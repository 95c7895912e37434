using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// The API as a process of its own (the Release or Debug build next to the tests), on a free port, over the PostgreSQL
/// that <c>LEDGER_CONNECTION_STRING</c> names, with a data folder of its own that holds its token signing key. Every
/// request goes through <see cref="SendAsync"/>, with a clinician token of the tests' hospital.
/// </summary>
public sealed class LedgerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private readonly string _dataDirectory;

    private LedgerProcess(Process process, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var token = Tokens.Mint(SigningKey.LoadOrCreate(dataDirectory), "test-clinician", [Roles.Clinician], LedgerFixture.Hospital,
            TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    public sealed record Answer(HttpStatusCode Status, string? ContentType, string Body)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    public static async Task<LedgerProcess> StartAsync(string connectionString)
    {
        var port = FreePort();
        var dataDirectory = Directory.CreateTempSubdirectory("ledger-process-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.ApiFolder,
        };
        start.ArgumentList.Add(Path.Combine(Repository.ApiFolder, "TreatmentLedger.Api.dll"));
        Repository.WithEnvironment(start, new Dictionary<string, string>
        {
            ["LEDGER_CONNECTION_STRING"] = connectionString,
            ["LEDGER_DATA"] = dataDirectory,
            ["LEDGER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LEDGER_DEMO"] = "0",
        });
        var process = Process.Start(start)!;
        var ledger = new LedgerProcess(process, new Uri($"http://127.0.0.1:{port}"), dataDirectory);
        process.OutputDataReceived += (_, e) => ledger.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => ledger.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ledger.WaitUntilHealthyAsync();
        return ledger;
    }

    /// <summary>The one way requests reach the API: whatever every request needs (a token, say) is added here.</summary>
    public async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public Task<Answer> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<Answer> PostAsync(string path, JsonNode body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") });

    private async Task WaitUntilHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the API exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await GetAsync("/health")).Status == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the API did not answer /health within 60 s:\n{Output}");
            await Task.Delay(200);
        }
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
