namespace TreatmentLedger.Cohorts;

/// <summary>One line's time to an endpoint, in days: <see cref="Event"/> when the endpoint was reached, else censored there.</summary>
public sealed record TimeToEvent(int Days, bool Event);
