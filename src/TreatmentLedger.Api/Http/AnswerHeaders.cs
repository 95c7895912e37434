using Microsoft.Net.Http.Headers;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// The headers of every answer: <c>nosniff</c>; <c>no-store</c> unless the route chose its own caching (case data must
/// not sit in shared or browser caches); a Content-Security-Policy that lets a page (HTML, SVG) load nothing from outside
/// the ledger, and a JSON answer nothing at all. A route that sets its own policy keeps it.
/// </summary>
public sealed class AnswerHeaders(RequestDelegate next)
{
    public const string PagePolicy = "default-src 'self'; script-src 'self'; " + PageSources;

    private const string PageSources =
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The page policy plus the one inline script that carries <paramref name="nonce"/> (the API documentation page).</summary>
    public static string PagePolicyWithScriptNonce(string nonce) => $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; {PageSources}";

    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            if (!headers.ContainsKey(HeaderNames.CacheControl)) headers.CacheControl = "no-store";
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
                headers.ContentSecurityPolicy = IsPage(http.Response.ContentType) ? PagePolicy : DataPolicy;
            return Task.CompletedTask;
        });
        return next(http);
    }

    private static bool IsPage(string? contentType) =>
        contentType is not null && (contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) ||
                                    contentType.StartsWith("image/svg+xml", StringComparison.OrdinalIgnoreCase));
}
