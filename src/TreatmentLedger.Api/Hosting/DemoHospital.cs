using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// The hospital the demo data belongs to, and a way in for a person trying the ledger: with its own signing key (the
/// embedded default) the ledger prints a clinician token of that hospital at start-up.
/// </summary>
public static class DemoHospital
{
    public const string Name = "demo";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    /// <summary>A token of the demo hospital signed with the ledger's own key; null when tokens come from an identity provider.</summary>
    public static string? Token(LedgerSettings settings, string sub, string role) =>
        settings.AuthAuthority is null && settings.AuthPublicKey is null
            ? Tokens.Mint(SigningKey.LoadOrCreate(settings.DataDirectory), sub, [role], Name, TokenLifetime, DateTimeOffset.UtcNow)
            : null;

    /// <summary>The start-up lines on how to get in.</summary>
    public static string Welcome(LedgerSettings settings) => Token(settings, "demo-clinician", Roles.Clinician) is { } token
        ? $"""
            token:  a clinician of hospital '{Name}', valid {TokenLifetime.TotalHours:0} h (more with ops/token):
              export TOKEN={token}
              curl -H "Authorization: Bearer $TOKEN" {settings.BaseUrl}/cases
          """
        : "  tokens: from the identity provider this ledger is configured with (LEDGER_AUTH_AUTHORITY or LEDGER_AUTH_PUBLIC_KEY)";
}
