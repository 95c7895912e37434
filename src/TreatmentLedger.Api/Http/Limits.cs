using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// Limits and bad input (SECURITY.md): body sizes, JSON content types, query parameters, a rate limit per caller, and
/// the headers of every answer. In Program.cs: <c>UseLedgerHeaders</c> first, so that every answer carries the headers
/// (401s and 500s included), and <c>UseLedgerLimits</c> after <c>UseAuthentication</c>/<c>UseAuthorization</c>, so that
/// the rate limit counts per token subject and an unauthenticated caller learns nothing from the checks.
/// </summary>
public static class Limits
{
    /// <summary>The largest body of a route that does not say otherwise (one entry, a batch).</summary>
    public const long BodyBytes = 1L << 20;

    /// <summary>The largest case file <c>POST /cases/import</c> takes.</summary>
    public const long CaseFileBodyBytes = 32L << 20;

    public static IServiceCollection AddLedgerLimits(this IServiceCollection services, LedgerSettings settings)
    {
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Kestrel's own refusals (a malformed request line or header, ...) answered as problems too.
            kestrel.ConfigureEndpointDefaults(listen => listen.UseProblemAnswers());
            // Routes that take more say so ([RequestSizeLimit]); RequestChecks raises the limit for them.
            kestrel.Limits.MaxRequestBodySize = BodyBytes;
        });
        var rate = settings.RateLimit;
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/health")
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetTokenBucketLimiter(CallerOf(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = rate.Burst,
                        TokensPerPeriod = rate.PerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) =>
            {
                var after = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(Results.Problem(Problems.TooManyRequests(TimeSpan.FromSeconds(seconds))).ExecuteAsync(rejected.HttpContext));
            };
        });
        return services;
    }

    /// <summary>The headers of every answer (see <see cref="AnswerHeaders"/>); call it before anything that answers.</summary>
    public static WebApplication UseLedgerHeaders(this WebApplication app)
    {
        app.UseMiddleware<AnswerHeaders>();
        return app;
    }

    /// <summary>The rate limit, then the checks of <see cref="RequestChecks"/>; call it after authentication and authorization.</summary>
    public static WebApplication UseLedgerLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseMiddleware<RequestChecks>();
        return app;
    }

    /// <summary>Who the rate limit counts: the token's subject once authentication has run, else the remote address.</summary>
    private static string CallerOf(HttpContext http) =>
        http.User.FindFirst(Tokens.Subject)?.Value is { Length: > 0 } sub ? $"sub:{sub}" : $"ip:{http.Connection.RemoteIpAddress}";
}
