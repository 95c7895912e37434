using System.Security.Claims;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Api.AccessLog;

/// <summary>
/// Records every answered request that reads one case's data (<c>GET /cases/{caseId}...</c>), refused ones included
/// (401, 403, 404): it sits before authentication, so that it sees the answer of every request that reaches a case route.
/// The API always registers the <see cref="AccessLogWriter"/>; only the benchmark's run without an access log leaves it out.
/// </summary>
public static class CaseReadLogging
{
    private const string CaseRoute = "cases/{caseId}";

    public static IApplicationBuilder UseCaseReadLogging(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<AccessLogWriter>() is not { } log) return app;
        var clock = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use(async (http, next) =>
        {
            await next(http);
            if (!HttpMethods.IsGet(http.Request.Method)) return;
            if (http.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } route } || !IsCaseRoute(route)) return;
            if (!Guid.TryParse(http.GetRouteValue("caseId") as string, out var caseId)) return;

            var user = http.User;
            var signedIn = user.Identity?.IsAuthenticated == true;
            log.Append(new AccessRecord
            {
                At = clock.GetUtcNow(),
                Sub = signedIn ? user.FindFirstValue(Tokens.Subject) : null,
                Roles = signedIn ? user.FindAll(Tokens.Role).Select(c => c.Value).ToList() : [],
                Hospital = signedIn ? user.FindFirstValue(Tokens.Hospital) : null,
                CaseId = caseId,
                Route = "GET " + route,
                Status = http.Response.StatusCode,
            });
        });
    }

    /// <summary>Whether a route pattern (with or without its leading slash) is <c>/cases/{caseId}</c> or below it.</summary>
    private static bool IsCaseRoute(string route)
    {
        var path = route.AsSpan().TrimStart('/');
        return path.StartsWith(CaseRoute, StringComparison.Ordinal) && (path.Length == CaseRoute.Length || path[CaseRoute.Length] == '/');
    }
}
