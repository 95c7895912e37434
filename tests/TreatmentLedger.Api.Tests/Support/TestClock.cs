namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The system clock, shifted by <see cref="Offset"/>: tests move "now" without waiting.</summary>
public sealed class TestClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public DateOnly Today => DateOnly.FromDateTime(GetUtcNow().UtcDateTime);
}
