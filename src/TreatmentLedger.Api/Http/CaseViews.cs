using TreatmentLedger.Api.Store;
using TreatmentLedger.History;
using TreatmentLedger.Projections;

namespace TreatmentLedger.Api.Http;

/// <summary>The HTTP side of the read routes: the replay parameters Wolverine binds from the query string in, a view as JSON (or a problem) out.</summary>
public static class CaseViews
{
    /// <summary>
    /// The answer of a read route: 400 for bad replay parameters, 404 for a case unknown at <paramref name="hospital"/>
    /// (another hospital's case included), else the view computed from
    /// the case as known at knownAt and seen from asOf, as JSON.
    /// </summary>
    public static Task<IResult> ViewAsync(this CaseReader reader, string hospital, Guid caseId, string? asOf, string? knownAt,
        Func<CaseHistory, ViewPoint, object> view, CancellationToken ct) =>
        reader.RespondAsync(hospital, caseId, asOf, knownAt, (history, point) => Results.Ok(view(history, point)), ct);

    /// <summary>As <see cref="ViewAsync"/>, but <paramref name="respond"/> builds the answer itself (e.g. an image).</summary>
    public static async Task<IResult> RespondAsync(this CaseReader reader, string hospital, Guid caseId, string? asOf, string? knownAt,
        Func<CaseHistory, ViewPoint, IResult> respond, CancellationToken ct)
    {
        var (parameters, errors) = ReadQuery.Parse(asOf, knownAt);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));
        var history = await reader.LoadAsync(hospital, caseId, parameters, ct);
        if (history is null) return Results.Problem(Problems.CaseNotFound(caseId));
        return respond(history, new ViewPoint(parameters.AsOf, reader.Today));
    }

    /// <summary><c>GET /cases/{caseId}</c>: the summary facts seen from the view point (an open current line runs to asOf or today).</summary>
    public static async Task<IResult> SummaryAsync(this CaseReader reader, string hospital, Guid caseId, string? asOf, string? knownAt, CancellationToken ct)
    {
        var (parameters, errors) = ReadQuery.Parse(asOf, knownAt);
        if (errors.Any) return Results.Problem(Problems.Invalid(errors));
        var facts = await reader.SummaryFactsAsync(hospital, caseId, parameters, ct);
        return facts is null
            ? Results.Problem(Problems.CaseNotFound(caseId))
            : Results.Ok(facts.View(caseId, new ViewPoint(parameters.AsOf, reader.Today)));
    }
}
