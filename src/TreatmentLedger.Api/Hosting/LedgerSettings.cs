using System.Globalization;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// The ledger's settings, from environment variables (or the same keys in configuration):
/// LEDGER_CONNECTION_STRING (an existing PostgreSQL; without it an embedded cluster runs in LEDGER_DATA),
/// LEDGER_DATA (default ./.ledger), LEDGER_HOST (default 127.0.0.1), LEDGER_PORT (default 5080),
/// LEDGER_DEMO (1 loads the founding case and the synthetic demo cohort once; default 0);
/// LEDGER_AUTH_AUTHORITY (an OpenID Connect authority that issues the bearer tokens) or LEDGER_AUTH_PUBLIC_KEY (a PEM
/// public key file that verifies them); without either, the ledger's own key in LEDGER_DATA (<see cref="Security.SigningKey"/>);
/// LEDGER_RATE_LIMIT and LEDGER_RATE_BURST (requests per second and burst per caller; default 100 and 200).
/// </summary>
public sealed record LedgerSettings(string? ConnectionString, string DataDirectory, string Host, int Port, bool LoadDemo,
    string? AuthAuthority = null, string? AuthPublicKey = null)
{
    public RateLimit RateLimit { get; init; } = RateLimit.Default;

    public static LedgerSettings Read(IConfiguration configuration)
    {
        string? Get(string key) => configuration[key] is { Length: > 0 } value ? value : null;
        var port = Get("LEDGER_PORT") ?? "5080";
        return new LedgerSettings(
            Get("LEDGER_CONNECTION_STRING") ?? configuration.GetConnectionString("Ledger"),
            Path.GetFullPath(Get("LEDGER_DATA") ?? ".ledger"),
            Get("LEDGER_HOST") ?? "127.0.0.1",
            int.TryParse(port, out var p) && p is > 0 and < 65536 ? p : throw new InvalidOperationException($"LEDGER_PORT '{port}' is not a port number"),
            Get("LEDGER_DEMO") == "1",
            Get("LEDGER_AUTH_AUTHORITY"),
            Get("LEDGER_AUTH_PUBLIC_KEY") is { } publicKey ? Path.GetFullPath(publicKey) : null)
        {
            RateLimit = new RateLimit(
                Positive("LEDGER_RATE_LIMIT", Get("LEDGER_RATE_LIMIT"), RateLimit.Default.PerSecond),
                Positive("LEDGER_RATE_BURST", Get("LEDGER_RATE_BURST"), RateLimit.Default.Burst)),
        };
    }

    public string BaseUrl => $"http://{Host}:{Port}";

    private static int Positive(string key, string? text, int fallback) =>
        text is null ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new InvalidOperationException($"{key} '{text}' is not a positive whole number");
}

/// <summary>
/// Requests each caller (JWT <c>sub</c>, else remote address) may make: <paramref name="PerSecond"/> on average, up to
/// <paramref name="Burst"/> at once (a token bucket). Health routes are not counted.
/// </summary>
public sealed record RateLimit(int PerSecond, int Burst)
{
    public static RateLimit Default { get; } = new(100, 200);
}
