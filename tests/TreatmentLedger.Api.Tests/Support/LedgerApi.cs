using System.Text.Json.Nodes;
using Alba;
using Microsoft.Extensions.DependencyInjection;
using TreatmentLedger.Api.Feed;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// Plain HTTP calls through Alba with a bearer token (null: none), answering the status and the parsed JSON body. A call
/// whose headers name an Authorization sends that one instead.
/// </summary>
public sealed class LedgerApi(IAlbaHost host, string? token)
{
    /// <summary>The same calls with another token (null: none).</summary>
    public LedgerApi As(string? other) => new(host, other);

    public sealed record Response(int Status, JsonNode? Body, IScenarioResult Raw)
    {
        public JsonObject Json => Body!.AsObject();
        public string Text { get; init; } = "";
        public string? Header(string name) => Raw.Context.Response.Headers[name].ToString() is { Length: > 0 } v ? v : null;
    }

    public Task<Response> Post(string url, string json, params (string Name, string Value)[] headers) =>
        Send(s =>
        {
            s.Post.RawJson(json).ToUrl(url);
            foreach (var (name, value) in headers) s.WithRequestHeader(name, value);
        }, headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)));

    public Task<Response> Post(string url, JsonNode json, params (string Name, string Value)[] headers) =>
        Post(url, json.ToJsonString(), headers);

    public Task<Response> Get(string url) => Send(s => s.Get.Url(url));

    /// <summary>
    /// A GET of a route served from an async read model, asked to be current to everything recorded so far
    /// (<c>minPosition</c> = the store's last sequence), and checked not to be stale. Each answer waits up to 5 s; on a busy
    /// machine (or while the cluster moves the projection) it is asked again, for up to 30 s in all.
    /// </summary>
    public async Task<Response> GetCurrent(string url)
    {
        var current = url + (url.Contains('?') ? "&" : "?") + "minPosition=" + await LastSequence();
        for (var attempt = 1; ; attempt++)
        {
            var response = await Get(current);
            if (response.Status != 200 || !response.Json["stale"]!.GetValue<bool>()) return response;
            Assert.True(attempt < 6, $"{url} answered stale for 30 s: {response.Text}");
        }
    }

    /// <summary>The global sequence of the last event stored, of any hospital (0 in an empty store).</summary>
    public Task<long> LastSequence() => host.Services.GetRequiredService<EventTail>().LastSequenceAsync(CancellationToken.None);

    /// <summary>Any method, the body as raw bytes with the given Content-Type (none when null), and headers as given.</summary>
    public Task<Response> Send(string method, string url, byte[]? body, string? contentType, params (string Name, string Value)[] headers) =>
        Send(s =>
        {
            s.Get.Url(url);
            s.ConfigureHttpContext(http =>
            {
                http.Request.Method = method;
                if (body is not null)
                {
                    http.Request.Body = new MemoryStream(body);
                    http.Request.ContentLength = body.Length;
                }
                if (contentType is not null) http.Request.ContentType = contentType;
                foreach (var (name, value) in headers) http.Request.Headers[name] = value;
            });
        }, headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)));

    private async Task<Response> Send(Action<Scenario> configure, bool ownAuthorization = false)
    {
        var result = await host.Scenario(s =>
        {
            if (token is not null && !ownAuthorization) s.WithBearerToken(token);
            configure(s);
            s.IgnoreStatusCode();
        });
        var text = await result.ReadAsTextAsync();
        var contentType = result.Context.Response.ContentType ?? "";
        var body = text.Length > 0 && contentType.Contains("json") ? JsonNode.Parse(text) : null;
        return new Response(result.Context.Response.StatusCode, body, result) { Text = text };
    }

    /// <summary>Opens a case and answers its id.</summary>
    public async Task<Guid> OpenCase(string patientRef = "TEST-0001", string occurredOn = "2015-03")
    {
        var response = await Post("/cases", $$"""{ "patientRef": "{{patientRef}}", "sex": "female", "birthYear": 1980, "occurredOn": "{{occurredOn}}" }""");
        Assert.Equal(201, response.Status);
        return response.Json["caseId"]!.GetValue<Guid>();
    }

    public async Task<long> Version(Guid caseId)
    {
        var log = await Get($"/cases/{caseId}/entries");
        Assert.Equal(200, log.Status);
        return log.Json["version"]!.GetValue<long>();
    }
}
