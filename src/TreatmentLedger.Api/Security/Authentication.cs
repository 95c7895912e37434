using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using TreatmentLedger.Api.Hosting;

namespace TreatmentLedger.Api.Security;

/// <summary>
/// Bearer tokens (JWT) on every route but health, verified offline with the ledger's own key (the embedded default), a
/// configured public key, or an OpenID Connect authority's published keys; and the role policies of SECURITY.md.
/// </summary>
public static class Authentication
{
    public static IServiceCollection AddLedgerAuthentication(this IServiceCollection services, LedgerSettings settings)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.IncludeErrorDetails = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Tokens.Issuer,
                ValidAudience = Tokens.Audience,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                NameClaimType = Tokens.Subject,
                RoleClaimType = Tokens.Role,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            if (settings.AuthAuthority is { } authority)
            {
                jwt.Authority = authority;
                jwt.RequireHttpsMetadata = authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                jwt.TokenValidationParameters.IssuerSigningKey = settings.AuthPublicKey is { } file
                    ? SigningKey.FromPem(File.ReadAllText(file), file)
                    : SigningKey.LoadOrCreate(settings.DataDirectory);
            }
            var known = new KnownTokens(TimeProvider.System);
            jwt.Events = new JwtBearerEvents { OnMessageReceived = known.AdmitKnown, OnTokenValidated = known.KeepOrRefuse };
        });

        services.AddAuthorizationBuilder()
            // Every endpoint needs a token unless it says otherwise ([AllowAnonymous] on health).
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var (policy, roles) in Policies.RolesOf)
            services.AddAuthorizationBuilder().AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles));
        return services;
    }
}
