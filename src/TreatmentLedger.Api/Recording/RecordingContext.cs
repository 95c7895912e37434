namespace TreatmentLedger.Api.Recording;

/// <summary>Who records and under which correlation id: stored as event metadata, never as payload.</summary>
public sealed record RecordingContext(string RecordedBy, string CorrelationId);
