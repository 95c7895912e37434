using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>
/// The ledger's limits (the same AddLedgerLimits/UseLedgerHeaders/UseLedgerLimits as Program.cs) behind its
/// authentication, in front of two plain endpoints, over real Kestrel and real sockets: what the test server of the other tests cannot show (the Server
/// header, Kestrel's body limit, chunked bodies) and the rate limit with a small setting.
/// </summary>
public sealed class LimitsOverKestrelTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private readonly string _data = Directory.CreateTempSubdirectory("ledger-limits-").FullName;

    private string Token(string sub) =>
        Tokens.Mint(SigningKey.LoadOrCreate(_data), sub, [Roles.Clinician], LedgerFixture.Hospital, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetails();
        var settings = new LedgerSettings(null, _data, "127.0.0.1", 1, false) { RateLimit = new RateLimit(1, 3) };
        builder.Services.AddLedgerAuthentication(settings);
        builder.Services.AddLedgerLimits(settings);
        // Short enough for a test to wait for Kestrel's 408 (its default is 30 s).
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(2));
        _app = builder.Build();
        _app.UseLedgerHeaders();
        _app.UseExceptionHandler();
        _app.UseStatusCodePages();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.UseLedgerLimits();
        _app.MapGet("/cases", () => Results.Ok(new { cases = Array.Empty<object>() }));
        _app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
        _app.MapPost("/cases", async (HttpRequest request) =>
        {
            var read = await new StreamReader(request.Body).ReadToEndAsync();
            return Results.Ok(new { read = read.Length });
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<(HttpResponseMessage Response, JsonObject? Problem)> SendAsync(HttpRequestMessage request)
    {
        var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonNode.Parse(text)!.AsObject() : null;
        return (response, problem);
    }

    private HttpRequestMessage Get(string path, string sub)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(sub));
        return request;
    }

    [Fact]
    public async Task A_caller_past_its_burst_gets_429_with_Retry_After_and_others_and_health_do_not()
    {
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await SendAsync(Get("/cases", "clinician-a"))).Response.StatusCode);

        var (refused, problem) = await SendAsync(Get("/cases", "clinician-a"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal(429, problem!["status"]!.GetValue<int>());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem["type"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Get("/cases", "clinician-b"))).Response.StatusCode);
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await SendAsync(Get("/health", "clinician-a"))).Response.StatusCode);
    }

    [Fact]
    public async Task Answers_carry_no_Server_header_and_nosniff()
    {
        var (response, _) = await SendAsync(Get("/cases", "clinician-c"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.Server);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_50_MB_body_is_a_413_problem_whether_its_length_is_announced_or_chunked(bool chunked)
    {
        const int size = 50 << 20;
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        var length = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {size}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Token("clinician-e")}\r\nContent-Type: application/json\r\n{length}\r\n\r\n"));
        // The server answers before the body is all sent and then closes: read its answer while sending.
        var answer = ReadHeadAsync(stream);
        try
        {
            var block = new byte[64 << 10];
            Array.Fill(block, (byte)' ');
            for (var sent = 0; sent < size && !answer.IsCompleted; sent += block.Length)
            {
                if (chunked) await stream.WriteAsync(Encoding.ASCII.GetBytes($"{block.Length:x}\r\n"));
                await stream.WriteAsync(block);
                if (chunked) await stream.WriteAsync("\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering.
        }

        var head = await answer;
        Assert.StartsWith("HTTP/1.1 413", head[0]);
        Assert.Contains(head, line => line.StartsWith("Content-Type: application/problem+json", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_form_post_is_a_415_problem()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/cases") { Content = new FormUrlEncodedContent([new("patientRef", "x")]) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token("clinician-d"));
        var (response, problem) = await SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(415, problem!["status"]!.GetValue<int>());
    }

    public static TheoryData<string, int> KestrelRefusals => new()
    {
        { "GET /cases HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n", 400 },
        { "GET /cases HTTP/1.1\r\nHost: x\r\nX Bad: y\r\n\r\n", 400 },
        { "GET /cases HTTP/1.2\r\nHost: x\r\n\r\n", 505 },
        { "GET /cases\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
        { $"GET /cases?q={new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414 },
        { $"GET /cases HTTP/1.1\r\nHost: x\r\nX-Padding: {new string('a', 40_000)}\r\n\r\n", 431 },
    };

    [Theory]
    [MemberData(nameof(KestrelRefusals))]
    public async Task A_request_Kestrel_refuses_before_the_application_is_answered_as_a_problem(string request, int status)
    {
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        var (head, body) = await ReadAnswerAsync(stream);

        Assert.StartsWith($"HTTP/1.1 {status} ", head[0]);
        Assert.Contains("Content-Type: application/problem+json", head);
        Assert.Contains("X-Content-Type-Options: nosniff", head);
        Assert.Contains("Connection: close", head);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()));
        Assert.Equal(0, await stream.ReadAsync(new byte[1])); // and the connection is closed
    }

    [Fact]
    public async Task Headers_that_do_not_arrive_in_time_are_a_408_problem()
    {
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        await stream.WriteAsync("GET /cases HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var (head, body) = await ReadAnswerAsync(stream);

        Assert.StartsWith("HTTP/1.1 408 ", head[0]);
        Assert.Contains("Content-Type: application/problem+json", head);
        Assert.Equal(408, JsonNode.Parse(body)!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Answers_before_a_refused_request_on_the_same_connection_are_sent_unchanged()
    {
        using var socket = await ConnectAsync();
        var stream = socket.GetStream();
        var get = $"GET /cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Token("clinician-f")}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(get + get + "GET /cases HTTP/1.1\r\nNot a header\r\n\r\n"));

        for (var i = 0; i < 2; i++)
        {
            var (head, body) = await ReadAnswerAsync(stream);
            Assert.Equal("HTTP/1.1 200 OK", head[0]);
            Assert.Equal("{\"cases\":[]}", body);
        }
        var (refused, problem) = await ReadAnswerAsync(stream);
        Assert.StartsWith("HTTP/1.1 400 ", refused[0]);
        Assert.Equal(400, JsonNode.Parse(problem)!["status"]!.GetValue<int>());
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var uri = _client.BaseAddress!;
        var socket = new TcpClient();
        await socket.ConnectAsync(uri.Host, uri.Port);
        return socket;
    }

    /// <summary>One HTTP/1.1 answer: its status line and headers, and its body (by Content-Length or chunked).</summary>
    private static async Task<(List<string> Head, string Body)> ReadAnswerAsync(Stream stream)
    {
        var head = await ReadHeadAsync(stream);
        var body = new MemoryStream();
        if (head.FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } length)
        {
            var bytes = new byte[int.Parse(length["Content-Length:".Length..].Trim())];
            await stream.ReadExactlyAsync(bytes);
            body.Write(bytes);
        }
        else
        {
            Assert.Contains("Transfer-Encoding: chunked", head);
            while (Convert.ToInt32(await ReadLineAsync(stream), 16) is var size and > 0)
            {
                var bytes = new byte[size];
                await stream.ReadExactlyAsync(bytes);
                body.Write(bytes);
                await ReadLineAsync(stream);
            }
            await ReadLineAsync(stream);
        }
        return (head, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The status line and headers of an HTTP/1.1 answer, read up to the blank line and no further.</summary>
    private static async Task<List<string>> ReadHeadAsync(Stream stream)
    {
        var head = new List<string>();
        while (await ReadLineAsync(stream) is { Length: > 0 } line) head.Add(line);
        return head;
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
                throw new EndOfStreamException($"the connection closed after '{Encoding.ASCII.GetString(line.ToArray())}'");
            if (one[0] == '\n') return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
            line.Add(one[0]);
        }
    }
}
