using Microsoft.AspNetCore.Mvc;
using System.Collections.Frozen;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace TreatmentLedger.Api.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: the dashboard page, with its script and style as separate files (the page policy of
/// <see cref="Http.AnswerHeaders"/> allows scripts from the ledger only, no inline script). The page and its assets load
/// without a token (SECURITY.md): they hold no data. The page then asks for a token, keeps it in sessionStorage and
/// sends it in the Authorization header of every request it makes; it never puts it in a URL.
/// </summary>
public static class GetDashboard
{
    private static readonly FrozenDictionary<string, string> Assets = new[] { "dashboard.html", "dashboard.js", "dashboard.css" }
        .ToFrozenDictionary(name => name, Read);

    [AllowAnonymous]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/html")]
    [WolverineGet("/dashboard")]
    public static IResult Page() => Results.Text(Assets["dashboard.html"], "text/html; charset=utf-8");

    [AllowAnonymous]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/javascript")]
    [WolverineGet("/dashboard/dashboard.js")]
    public static IResult Script() => Results.Text(Assets["dashboard.js"], "text/javascript; charset=utf-8");

    [AllowAnonymous]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/css")]
    [WolverineGet("/dashboard/dashboard.css")]
    public static IResult Style() => Results.Text(Assets["dashboard.css"], "text/css; charset=utf-8");

    private static string Read(string name)
    {
        using var stream = typeof(GetDashboard).Assembly.GetManifestResourceStream($"dashboard/{name}")
                           ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
