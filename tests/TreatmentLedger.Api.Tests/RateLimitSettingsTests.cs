using Microsoft.Extensions.Configuration;
using TreatmentLedger.Api.Hosting;

namespace TreatmentLedger.Api.Tests;

public sealed class RateLimitSettingsTests
{
    private static LedgerSettings Read(params (string Key, string Value)[] values) =>
        LedgerSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build());

    [Fact]
    public void The_rate_limit_is_100_a_second_with_a_burst_of_200_unless_configured()
    {
        Assert.Equal(new RateLimit(100, 200), Read().RateLimit);
        Assert.Equal(new RateLimit(5000, 10000), Read(("LEDGER_RATE_LIMIT", "5000"), ("LEDGER_RATE_BURST", "10000")).RateLimit);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void A_rate_limit_that_is_not_a_positive_whole_number_stops_the_start(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Read(("LEDGER_RATE_LIMIT", value)));
        Assert.Contains("LEDGER_RATE_LIMIT", e.Message);
    }
}
