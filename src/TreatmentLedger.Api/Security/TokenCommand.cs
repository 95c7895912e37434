using TreatmentLedger.Api.Hosting;

namespace TreatmentLedger.Api.Security;

/// <summary>
/// <c>token --sub &lt;who&gt; --role &lt;role&gt; [--role &lt;role&gt;] --hospital &lt;h&gt; [--minutes N]</c> (what <c>ops/token</c>
/// runs): prints a token signed with the ledger's own key in LEDGER_DATA, alone on standard output.
/// </summary>
public static class TokenCommand
{
    public const int DefaultMinutes = 60;
    public const string Usage = "usage: ops/token --sub <who> --role <role> [--role <role>] --hospital <hospital> [--minutes N]";

    public static int Run(IReadOnlyList<string> args, LedgerSettings settings, TextWriter output, TextWriter error)
    {
        string? sub = null, hospital = null;
        var roles = new List<string>();
        var minutes = DefaultMinutes;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--sub" when value is not null: sub = value; i++; break;
                case "--hospital" when value is not null: hospital = value; i++; break;
                case "--role" when value is not null: roles.Add(value); i++; break;
                case "--minutes" when value is not null && int.TryParse(value, out var m) && m is > 0 and <= 60 * 24 * 366: minutes = m; i++; break;
                default: return Fail(error, $"'{args[i]}' {(value is null ? "needs a value" : "is not understood")}");
            }
        }
        if (sub is null || hospital is null || roles.Count == 0) return Fail(error, "--sub, --hospital and at least one --role are required");
        if (!Tokens.IsName(sub) || !Tokens.IsName(hospital))
            return Fail(error, "--sub and --hospital take 1 to 128 letters, digits or . _ @ : -");
        if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
            return Fail(error, $"'{unknown}' is not a role (one of: {string.Join(", ", Roles.All)})");
        if (settings.AuthAuthority is not null || settings.AuthPublicKey is not null)
            return Fail(error, "this ledger verifies tokens of an identity provider (LEDGER_AUTH_AUTHORITY or LEDGER_AUTH_PUBLIC_KEY): ask it for a token");

        var key = SigningKey.LoadOrCreate(settings.DataDirectory);
        output.WriteLine(Tokens.Mint(key, sub, roles, hospital, TimeSpan.FromMinutes(minutes), DateTimeOffset.UtcNow));
        return 0;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"ops/token: {message}");
        error.WriteLine(Usage);
        return 2;
    }
}
