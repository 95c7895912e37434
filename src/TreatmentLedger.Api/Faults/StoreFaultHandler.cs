using Microsoft.AspNetCore.Diagnostics;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Faults;

/// <summary>
/// Turns a failure of the store into the answer a client can act on: 503 with Retry-After while PostgreSQL is out of
/// reach. Anything else stays with the default handler (a bare 500 problem, no detail). Text the store cannot hold (a
/// NUL character) never reaches it: the request checks refuse it as a 400 naming the field (Http/RequestJson).
/// </summary>
public sealed class StoreFaultHandler(IProblemDetailsService problems, StoreConnections connections, ILogger<StoreFaultHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!StoreFaults.IsUnreachable(exception)) return false;
        log.LogWarning("The store is out of reach: {Error}", exception.GetType().Name);
        // The pooled connections were opened to a server that may be gone: none of them is reused.
        connections.Discard();
        var problem = StoreFaults.StoreUnavailable();
        http.Response.Headers.RetryAfter = StoreFaults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
