using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Tests.Cohorts;

/// <summary>
/// The remission times (weeks) of the 1960s trial of 6-mercaptopurine against placebo in acute leukaemia, 21 patients
/// per arm, shipped as a data set with R's MASS package: the classic published example of Kaplan–Meier and log-rank.
/// Days here stand for weeks.
/// </summary>
public static class LeukaemiaTrial
{
    public static readonly IReadOnlyList<TimeToEvent> SixMp =
    [
        .. new[] { 6, 6, 6, 7, 10, 13, 16, 22, 23 }.Select(t => new TimeToEvent(t, true)),
        .. new[] { 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35 }.Select(t => new TimeToEvent(t, false)),
    ];

    public static readonly IReadOnlyList<TimeToEvent> Placebo =
        [.. new[] { 1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23 }.Select(t => new TimeToEvent(t, true))];
}
