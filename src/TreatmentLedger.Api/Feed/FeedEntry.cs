namespace TreatmentLedger.Api.Feed;

/// <summary>One recorded entry as the live feed sends it (DASHBOARDS.md): the <c>data</c> of an <c>entry-recorded</c> event.</summary>
public sealed record FeedEntry(
    Guid CaseId,
    string PatientRef,
    long Sequence,
    long Version,
    string Type,
    string? OccurredOn,
    DateTimeOffset RecordedAt,
    string? RecordedBy)
{
    /// <summary>The hospital the entry belongs to: who may receive it. Not sent.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Hospital { get; init; } = "";
}
