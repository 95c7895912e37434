using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Polly.Timeout;

namespace TreatmentLedger.Api.Faults;

/// <summary>What a failure of the store means for the caller: the store is out of reach (503).</summary>
public static class StoreFaults
{
    /// <summary>Seconds a client is asked to wait before trying again (the embedded cluster restarts in about two).</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>The store could not be reached, or went away while answering: the same request may succeed later.</summary>
    public static bool IsUnreachable(Exception exception) => Chain(exception).Any(e => e switch
    {
        // Connection refused or lost, pool exhausted, or the server shutting down, starting up or out of connections.
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException or TimeoutRejectedException or SocketException => true,
        _ => false,
    });

    public static ProblemDetails StoreUnavailable() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "The store does not answer",
        Detail = $"The ledger's database cannot be reached just now. Try again in {RetryAfterSeconds} seconds; " +
                 "an entry sent again with the same entryId is recorded once.",
    };

    // Marten wraps Npgsql's exceptions (MartenCommandException, AggregateException of a batch's failures).
    private static IEnumerable<Exception> Chain(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var e in inner.SelectMany(Chain)) yield return e;
    }
}
