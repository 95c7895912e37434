using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace TreatmentLedger.Testing;

/// <summary>
/// A client of <c>GET /feed</c>: reads the server-sent events as they come (events and comments). Shared by the API
/// tests and the benchmark harness (linked into both projects).
/// </summary>
public sealed class FeedReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private FeedReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    /// <summary>One event or comment; <see cref="Data"/> parses the data line when asked (the harness reads only the id).</summary>
    public sealed record FeedEvent(string? Id, string? Event, string? DataText, string? Comment)
    {
        public JsonObject? Data => DataText is null ? null : JsonNode.Parse(DataText)!.AsObject();
    }

    public static async Task<FeedReader> OpenAsync(HttpClient client, string url, string token, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // The body of a feed never ends: it is read for the message only when the feed was refused.
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {url} answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            throw new InvalidOperationException($"GET {url} answered {response.Content.Headers.ContentType}, not text/event-stream");
        return new FeedReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>
    /// The next event or comment, or null when none comes within <paramref name="timeout"/> or <paramref name="ct"/> is
    /// cancelled (the connection is then given up: a cancelled read closes it).
    /// </summary>
    public async Task<FeedEvent?> NextAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        string? id = null, type = null, data = null, comment = null;
        try
        {
            while (await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (id is null && type is null && data is null && comment is null) continue;
                    return new FeedEvent(id, type, data, comment);
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
