using System.Text.Json.Serialization;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Entries;

/// <summary>
/// One entry of a case's stream. Entries are immutable events: a mistake is fixed by appending
/// an <see cref="EntryCorrected"/> or <see cref="EntryRetracted"/>, never by changing a stored entry.
/// The JSON shape is the case-file shape of API.md: <c>type</c>, <c>occurredOn</c> and payload fields at top level
/// (<see cref="EntryTypes.DescribePolymorphism"/>).
/// </summary>
public abstract record Entry
{
    /// <summary>
    /// On a clinical entry, its own id (chosen by the client, else by the server).
    /// On a correction or retraction, the id of the entry it acts on (DOMAIN.md names that field entryId too).
    /// </summary>
    public Guid EntryId { get; init; }

    /// <summary>Required on clinical entries; absent on corrections and retractions, which act in record time.</summary>
    public ClinicalDate? OccurredOn { get; init; }

    public ClinicalDate? EndedOn { get; init; }
    public string? Note { get; init; }
    public string? Source { get; init; }

    /// <summary>
    /// The names of this entry's own fields whose values are estimates, not given by the source (DOMAIN.md, Estimated
    /// values): <c>occurredOn</c>, <c>endedOn</c> or a payload path such as <c>totalDoseGy</c> or <c>agents[0].dose</c>.
    /// </summary>
    public IReadOnlyList<string>? Estimated { get; init; }

    [JsonIgnore]
    public string Type => EntryTypes.NameOf(GetType());
}

/// <summary>An entry about the patient's course (every type but the two correction types).</summary>
public abstract record ClinicalEntry : Entry
{
    [JsonIgnore]
    public ClinicalDate Date => OccurredOn ?? throw new InvalidOperationException($"{Type} {EntryId} has no occurredOn");
}

/// <summary>An entry that acts, in record time, on an earlier entry named by <see cref="Entry.EntryId"/>.</summary>
public abstract record CorrectionEntry : Entry
{
    public string Reason { get; init; } = "";
}
