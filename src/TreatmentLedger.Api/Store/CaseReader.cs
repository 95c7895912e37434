using Marten;
using TreatmentLedger.Api.Http;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// Loads what read routes fold. The current view is one document load; a replay (asOf or knownAt) folds the stream
/// live, up to knownAt when given, from the store's own timestamps.
/// </summary>
public sealed class CaseReader(IDocumentStore store, TimeProvider clock)
{
    private readonly string SummarySql = $"select data -> 'summary' from {store.Options.Schema.For<CaseLedger>()} where id = ?";

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// The answer of a read route: 400 for bad replay parameters, 404 for an unknown case, else the view
    /// computed from the case as known at knownAt and seen from asOf, as JSON.
    /// </summary>
    public Task<IResult> ViewAsync(Guid caseId, HttpRequest request, Func<CaseHistory, ViewPoint, object> view, CancellationToken ct) =>
        RespondAsync(caseId, request, (history, point) => Results.Ok(view(history, point)), ct);

    /// <summary>As <see cref="ViewAsync"/>, but <paramref name="respond"/> builds the answer itself (e.g. an image).</summary>
    public async Task<IResult> RespondAsync(Guid caseId, HttpRequest request, Func<CaseHistory, ViewPoint, IResult> respond, CancellationToken ct)
    {
        var (parameters, errors) = ReadParameters.From(request);
        if (errors.Any) return Problems.Invalid(errors);
        var history = await LoadAsync(caseId, parameters, ct);
        if (history is null) return Problems.CaseNotFound(caseId);
        return respond(history, new ViewPoint(parameters.AsOf, Today));
    }

    /// <summary>
    /// The case as known at knownAt: the document's recorded entries when knownAt is not given (asOf is a filter the
    /// projections apply to them), else a live fold of the stream up to knownAt.
    /// </summary>
    public async Task<CaseHistory?> LoadAsync(Guid caseId, ReadParameters parameters, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        if (parameters.KnownAt is null)
            return (await session.LoadAsync<CaseLedger>(caseId, ct))?.History();

        // A case not yet recorded at knownAt is unknown then, like a case never recorded.
        var events = await session.Events.FetchStreamAsync(caseId, timestamp: parameters.KnownAt, token: ct);
        return events.Count == 0 ? null : new CaseHistory(events.Select(e => e.ToRecordedEntry()));
    }

    /// <summary>
    /// <c>GET /cases/{caseId}</c>. A current read loads only the summary facts the case document keeps (not its entries);
    /// a replay computes them from the case as known at knownAt and seen from asOf.
    /// </summary>
    public async Task<IResult> SummaryAsync(Guid caseId, HttpRequest request, CancellationToken ct)
    {
        var (parameters, errors) = ReadParameters.From(request);
        if (errors.Any) return Problems.Invalid(errors);
        var point = new ViewPoint(parameters.AsOf, Today);
        CaseFacts? facts;
        if (parameters is { AsOf: null, KnownAt: null })
        {
            // Plain SQL: the hottest read route skips LINQ translation, and PostgreSQL sends the summary alone.
            await using var session = store.QuerySession();
            var rows = await session.QueryAsync<CaseFacts>(SummarySql, ct, caseId);
            facts = rows.Count == 0 ? null : rows[0];
        }
        else
            facts = await LoadAsync(caseId, parameters, ct) is { } history ? CaseFacts.Of(history, parameters.AsOf) : null;
        return facts is null ? Problems.CaseNotFound(caseId) : Results.Ok(facts.View(caseId, point));
    }
}
