using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Feed;

/// <summary>
/// <c>GET /feed?caseId=</c>: server-sent events, one <c>entry-recorded</c> event per entry recorded in the caller's
/// hospital (corrections and retractions included), <c>id</c> = its global sequence. With <c>Last-Event-ID</c> the
/// entries after that sequence come first, from the store, then the live ones, with no gap and no duplicate. A comment
/// line every 15 s keeps proxies from closing the stream.
/// </summary>
public static class GetFeed
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    [Authorize(Policy = Policies.ReadCases)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    [WolverineGet("/feed")]
    public static async Task Get(string? caseId, ClaimsPrincipal user, HttpContext http, EventTail tail, IOptions<JsonOptions> json,
        IHostApplicationLifetime lifetime, IDocumentStore store)
    {
        // A feed ends when its client goes, or when the ledger stops (which would otherwise wait for it).
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = ends.Token;
        var errors = new ValidationErrors();
        Guid? onlyCase = null;
        if (!string.IsNullOrEmpty(caseId))
        {
            if (Guid.TryParse(caseId, out var id)) onlyCase = id;
            else errors.Add("caseId", $"'{caseId}' is not a case id");
        }
        long? lastEventId = null;
        if (http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } last)
        {
            if (long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) lastEventId = sequence;
            else errors.Add("Last-Event-ID", "must be the id of an event of this feed (a sequence)");
        }
        if (errors.Any)
        {
            await Results.Problem(Problems.Invalid(errors)).ExecuteAsync(http);
            return;
        }

        var hospital = user.Hospital();
        // A case the hospital does not hold (unknown, or another hospital's) is a 404, as on every case route: not a
        // stream that stays silent as a quiet case would.
        if (onlyCase is { } only)
        {
            await using var session = store.QuerySession(hospital);
            if (await session.Events.FetchStreamStateAsync(only, ct) is null)
            {
                await Results.Problem(Problems.CaseNotFound(only)).ExecuteAsync(http);
                return;
            }
        }
        bool Wanted(FeedEntry entry) => entry.Hospital == hospital && (onlyCase is null || entry.CaseId == onlyCase);
        var (live, from, unsubscribe) = await tail.SubscribeAsync(ct);
        try
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            // What was missed, from the store, up to where the live entries begin. A new client starts with what is
            // recorded after it connected: the tail may not have delivered yet what the store already holds. The start
            // is fixed before the first line goes out, so an entry recorded once the client sees the feed open is sent.
            var sent = lastEventId ?? await tail.LastSequenceAsync(ct);
            var writer = new FeedWriter(http.Response, json.Value.SerializerOptions);
            await writer.CommentAsync("feed", ct);
            while (sent < from)
            {
                var page = await tail.ReadAfterAsync(sent, hospital, ct);
                if (page.Count == 0) break;
                foreach (var entry in page.TakeWhile(e => e.Sequence <= from))
                {
                    if (Wanted(entry)) writer.Entry(entry);
                    sent = entry.Sequence;
                }
                await writer.FlushAsync(ct);
                if (page[^1].Sequence >= from) break;
            }

            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(KeepAlive);
                try
                {
                    if (!await live.WaitToReadAsync(wait.Token)) return;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await writer.CommentAsync("keep-alive", ct);
                    continue;
                }
                // What the tail has handed over since the last wake-up goes out in one write.
                var written = sent;
                while (live.TryRead(out var entry))
                    if (entry.Sequence > sent && Wanted(entry))
                    {
                        writer.Entry(entry);
                        sent = entry.Sequence;
                    }
                if (sent > written) await writer.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the ledger stops.
        }
        finally
        {
            unsubscribe();
        }
    }

    private sealed class FeedWriter(HttpResponse response, JsonSerializerOptions options)
    {
        // An entry's event is serialized once, however many feeds send it: the tail hands the same instance to every
        // subscriber. Keyed by reference, and dropped with the entry.
        private static readonly ConditionalWeakTable<FeedEntry, byte[]> Events = new();

        /// <summary>Adds the entry's event to the response; it goes out with the next <see cref="FlushAsync"/>.</summary>
        public void Entry(FeedEntry entry) => response.BodyWriter.Write(Events.GetValue(entry, Event));

        public async Task FlushAsync(CancellationToken ct) => await response.BodyWriter.FlushAsync(ct);

        private byte[] Event(FeedEntry entry) => Encoding.UTF8.GetBytes(
            $"id: {entry.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: entry-recorded\ndata: {JsonSerializer.Serialize(entry, options)}\n\n");

        public async Task CommentAsync(string text, CancellationToken ct)
        {
            await response.WriteAsync($": {text}\n\n", ct);
            await response.Body.FlushAsync(ct);
        }
    }
}
