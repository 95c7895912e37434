using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TreatmentLedger.Api.Security;

/// <summary>The bearer tokens the ledger accepts: their claims, issuer and audience, and how its own are made.</summary>
public static partial class Tokens
{
    public const string Issuer = "treatment-ledger";
    public const string Audience = "treatment-ledger-api";
    public const string Subject = "sub";
    public const string Role = "role";
    public const string Hospital = "hospital";

    /// <summary>Whether a subject or hospital is usable: 1 to 128 letters, digits or <c>. _ @ : -</c>.</summary>
    public static bool IsName(string? value) => value is not null && NamePattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9._@:-]{1,128}$")]
    private static partial Regex NamePattern();

    /// <summary>A signed token (RS256) for <paramref name="sub"/> with these roles at this hospital, valid for <paramref name="lifetime"/>.</summary>
    public static string Mint(SecurityKey key, string sub, IReadOnlyCollection<string> roles, string hospital, TimeSpan lifetime, DateTimeOffset now)
    {
        var claims = new List<Claim> { new(Subject, sub), new(Hospital, hospital) };
        claims.AddRange(roles.Select(r => new Claim(Role, r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }
}
