namespace TreatmentLedger.Api.Hosting;

public static class Clock
{
    /// <summary>Today's date (UTC) on the app's clock: entries may not be dated after it.</summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
