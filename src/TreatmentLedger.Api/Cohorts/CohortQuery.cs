using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Cohorts;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Cohorts;

/// <summary>The query parameters of the survival routes, checked: <c>endpoint</c>, one or more <c>regimen</c>, <c>lineNumber</c>, <c>minPosition</c>.</summary>
public sealed record CohortQuery(string Endpoint, IReadOnlyList<string> Regimens, int? LineNumber, long? MinPosition)
{
    public const int MaxRegimens = 12;

    public static (CohortQuery Query, ValidationErrors Errors) Parse(string? endpoint, string[]? regimen, string? lineNumber, string? minPosition)
    {
        var errors = new ValidationErrors();
        endpoint ??= "";
        if (!SurvivalComparison.Endpoints.Contains(endpoint))
            errors.Add("endpoint", endpoint.Length == 0
                ? $"is required: one of {string.Join(", ", SurvivalComparison.Endpoints)}"
                : $"'{endpoint}' is not one of: {string.Join(", ", SurvivalComparison.Endpoints)}");
        var regimens = (regimen ?? []).Where(r => RegimenKey.Of(r).Length > 0).ToList();
        if (regimens.Count == 0) errors.Add("regimen", "give one or more regimens to compare: regimen=a&regimen=b");
        else if (regimens.Count > MaxRegimens) errors.Add("regimen", $"at most {MaxRegimens} regimens are compared at once");
        var line = ParseLineNumber(lineNumber, errors);
        var wanted = ReadQuery.Position(minPosition, errors);
        return (new CohortQuery(endpoint, regimens, line, wanted), errors);
    }

    /// <summary><c>lineNumber</c>: restricts to Nth lines (1 or more), null when absent.</summary>
    public static int? ParseLineNumber(string? text, ValidationErrors errors) =>
        string.IsNullOrEmpty(text) ? null : ReadQuery.Whole("lineNumber", text, 1, 1_000, 1, errors);

    /// <summary>The comparison the query asks for, and the position of the read model it was computed from.</summary>
    public async Task<(SurvivalComparison Comparison, ReadModelPosition Position)> ComputeAsync(string hospital, CohortReader cohorts,
        ReadModels readModels, CancellationToken ct)
    {
        var position = await readModels.AwaitAsync(CaseFactsProjection.Name, MinPosition, ct);
        var keys = Regimens.Select(RegimenKey.Of).Distinct().ToList();
        var times = await cohorts.TimesAsync(hospital, Endpoint, keys, LineNumber, ct);
        return (SurvivalComparison.Of(Endpoint, Regimens, times), position);
    }
}
