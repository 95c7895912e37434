namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// The ledger's settings, from environment variables (or the same keys in configuration):
/// LEDGER_CONNECTION_STRING (an existing PostgreSQL; without it an embedded cluster runs in LEDGER_DATA),
/// LEDGER_DATA (default ./.ledger), LEDGER_HOST (default 127.0.0.1), LEDGER_PORT (default 5080),
/// LEDGER_DEMO (1 loads the founding case once; default 0);
/// LEDGER_AUTH_AUTHORITY (an OpenID Connect authority that issues the bearer tokens) or LEDGER_AUTH_PUBLIC_KEY (a PEM
/// public key file that verifies them); without either, the ledger's own key in LEDGER_DATA (<see cref="Security.SigningKey"/>).
/// </summary>
public sealed record LedgerSettings(string? ConnectionString, string DataDirectory, string Host, int Port, bool LoadDemo,
    string? AuthAuthority = null, string? AuthPublicKey = null)
{
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
            Get("LEDGER_AUTH_PUBLIC_KEY") is { } publicKey ? Path.GetFullPath(publicKey) : null);
    }

    public string BaseUrl => $"http://{Host}:{Port}";
}
