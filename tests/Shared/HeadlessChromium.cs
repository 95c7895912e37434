using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TreatmentLedger.Testing;

/// <summary>
/// Debian's headless Chromium, driven over the DevTools protocol (a WebSocket, no extra package): one page (tab) to
/// navigate, evaluate script in and screenshot. For the dashboard page's browser tests and the benchmark harness's page
/// scenario (linked into both projects).
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly StringBuilder _output = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    public static bool IsInstalled => File.Exists(Executable);

    public static async Task<HeadlessChromium> StartAsync(int width = 1500, int height = 2000)
    {
        if (!IsInstalled) throw new InvalidOperationException($"{Executable} is not installed: run ops/test, which installs Debian's chromium for the browser tests.");
        var profile = Directory.CreateTempSubdirectory("dashboard-chromium-");
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--remote-debugging-port=0",
                     $"--user-data-dir={profile.FullName}", $"--window-size={width},{height}", "about:blank",
                 })
            start.ArgumentList.Add(argument);
        var chromium = new HeadlessChromium(Process.Start(start)!, profile);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        chromium._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (chromium._output) chromium._output.AppendLine(e.Data);
            if (DevToolsLine().Match(e.Data) is { Success: true } match) listening.TrySetResult(match.Groups[1].Value);
        };
        chromium._process.OutputDataReceived += (_, e) => { lock (chromium._output) chromium._output.AppendLine(e.Data); };
        chromium._process.BeginErrorReadLine();
        chromium._process.BeginOutputReadLine();

        var browser = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var port = new Uri(browser).Port;
        // The page target opened for about:blank, through the HTTP listing of the same DevTools server.
        using var http = new HttpClient();
        string? pageSocket = null;
        for (var attempt = 0; pageSocket is null && attempt < 50; attempt++)
        {
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            pageSocket = targets.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageSocket is null) await Task.Delay(100);
        }
        if (pageSocket is null) throw new InvalidOperationException($"chromium opened no page:\n{chromium.Output}");
        await chromium._socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
        chromium._receiving = chromium.ReceiveAsync();
        await chromium.SendAsync("Page.enable");
        await chromium.SendAsync("Runtime.enable");
        return chromium;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var reply = await answer.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return reply["result"]!.AsObject();
    }

    /// <summary>Runs <paramref name="expression"/> in the page (awaiting it when it is a promise) and answers its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true,
        });
        if (result["exceptionDetails"] is { } exception)
            throw new InvalidOperationException($"in the page: {exception["exception"]?["description"] ?? exception["text"]}");
        return result["result"]!["value"]?.DeepClone();
    }

    /// <summary>Polls <paramref name="condition"/> (a script expression) until it is true; answers how long that took.</summary>
    public async Task<TimeSpan> WaitForAsync(string condition, TimeSpan timeout, string? what = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await EvaluateAsync($"Boolean({condition})") is JsonValue value && value.GetValue<bool>()) return clock.Elapsed;
            await Task.Delay(25);
        }
        var body = await EvaluateAsync("document.body ? document.body.innerText.slice(0, 3000) : ''");
        throw new TimeoutException($"{what ?? condition} did not happen within {timeout}. The page says:\n{body}");
    }

    public async Task NavigateAsync(string url)
    {
        // The document navigated from is marked, so that a navigation to the URL already shown waits for the new document.
        await EvaluateAsync("window.__navigatedFrom = true");
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitForAsync($"!window.__navigatedFrom && document.readyState === 'complete' && location.href === {JsonValue.Create(url)!.ToJsonString()}",
            TimeSpan.FromSeconds(30), $"loading {url}");
    }

    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        return Convert.FromBase64String(result["data"]!.GetValue<string>());
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage) continue;
                var json = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (json["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var waiting)) waiting.TrySetResult(json);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Closing.
        }
        foreach (var waiting in _pending.Values) waiting.TrySetException(new InvalidOperationException($"chromium went away:\n{Output}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _stop.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A crash reporter may still hold a file; the temp folder is cleaned eventually.
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsLine();
}
