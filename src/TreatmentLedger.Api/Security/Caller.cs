using System.Security.Claims;

namespace TreatmentLedger.Api.Security;

/// <summary>Who calls, from the bearer token: the subject, the roles and the hospital (the tenant whose cases they see).</summary>
public sealed record Caller(string Sub, IReadOnlyList<string> Roles, string Hospital)
{
    /// <summary>The caller of an authenticated request (the access policies require the three claims).</summary>
    public static Caller Of(ClaimsPrincipal user) => new(
        user.FindFirstValue(Tokens.Subject) ?? throw new InvalidOperationException("an authenticated request without a subject"),
        user.FindAll(Tokens.Role).Select(c => c.Value).ToList(),
        user.FindFirstValue(Tokens.Hospital) ?? throw new InvalidOperationException("an authenticated request without a hospital"));
}

/// <summary>The claims of an authenticated request that the routes read.</summary>
public static class ClaimsOfCaller
{
    /// <summary>The caller's hospital: the tenant whose cases and read models the request sees and writes.</summary>
    public static string Hospital(this ClaimsPrincipal user) => Caller.Of(user).Hospital;
}
