namespace TreatmentLedger.Cohorts;

/// <summary>
/// The curve at one distinct time (an event's or a censoring's): the survival just after it with its 95 % band (null
/// where the survival is 0, as R gives NA), the lines at risk at it and the events and censorings at it.
/// </summary>
public sealed record SurvivalPoint(int Days, double Survival, double? Lower, double? Upper, int AtRisk, int Events, int Censored);

/// <summary>The median time to the event and its 95 % limits, in days; null where the curve or its band never reaches 0.5.</summary>
public sealed record MedianSurvival(int? Days, int? LowerDays, int? UpperDays);

/// <summary>The lines still at risk at <see cref="Month"/> months.</summary>
public sealed record AtRiskCount(int Month, int N);

public sealed record KaplanMeierFit(
    int N,
    int Events,
    int Censored,
    MedianSurvival Median,
    IReadOnlyList<AtRiskCount> AtRisk,
    IReadOnlyList<SurvivalPoint> Curve);
