using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>A client of <c>GET /feed</c>: reads the server-sent events as they come (events and comments).</summary>
public sealed class FeedReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private FeedReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public sealed record FeedEvent(string? Id, string? Event, JsonObject? Data, string? Comment);

    public static async Task<FeedReader> OpenAsync(HttpClient client, string url, string token, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // The body of a feed never ends: it is read for the message only when the feed was refused.
        if (!response.IsSuccessStatusCode) Assert.Fail($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new FeedReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event or comment, or null when none comes within <paramref name="timeout"/>.</summary>
    public async Task<FeedEvent?> NextAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        string? id = null, type = null, data = null, comment = null;
        try
        {
            while (await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (id is null && type is null && data is null && comment is null) continue;
                    return new FeedEvent(id, type, data is null ? null : JsonNode.Parse(data)!.AsObject(), comment);
                }
                if (line.StartsWith(':')) comment = line[1..].Trim();
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }

    /// <summary>The next entry-recorded events (comments skipped) until <paramref name="count"/> came or the time ran out.</summary>
    public async Task<List<FeedEvent>> EntriesAsync(int count, TimeSpan timeout)
    {
        var entries = new List<FeedEvent>();
        var until = DateTime.UtcNow + timeout;
        while (entries.Count < count && DateTime.UtcNow < until)
        {
            if (await NextAsync(until - DateTime.UtcNow) is not { } next) break;
            if (next.Event is not null) entries.Add(next);
        }
        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
