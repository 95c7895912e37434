using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace TreatmentLedger.Api.Security;

/// <summary>
/// The callers a token was verified for, kept by the token's exact text until it expires: a client sends the same token
/// with each request, and verifying it (RSA), building its ticket and checking its claims every time was most of what
/// authentication cost per request (docs/benchmarks.md, "security cost"). A request with a known token is admitted
/// before the bearer handler parses anything; an unknown one is verified, and kept only if it passes every check. At
/// most <see cref="Capacity"/> tokens are kept: past that, the cache starts over.
/// </summary>
public sealed class KnownTokens(TimeProvider clock)
{
    public const int Capacity = 10_000;
    private const string Prefix = "Bearer ";
    // Looked up by the header's span (a known token is not copied out of its header on every request); stored by its text.
    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Caller, DateTime ValidTo)>.AlternateLookup<ReadOnlySpan<char>> _known =
        new ConcurrentDictionary<string, (ClaimsPrincipal Caller, DateTime ValidTo)>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>JwtBearer's first event: a known, unexpired token admits its caller at once.</summary>
    public Task AdmitKnown(MessageReceivedContext context)
    {
        var token = TokenOf(context.Request.Headers.Authorization.ToString());
        if (!_known.TryGetValue(token, out var known)) return Task.CompletedTask;
        if (known.ValidTo <= clock.GetUtcNow().UtcDateTime)
        {
            _known.TryRemove(token, out _);
            return Task.CompletedTask;
        }
        context.Principal = known.Caller;
        context.Success();
        return Task.CompletedTask;
    }

    /// <summary>JwtBearer's last event for a verified token: one the ledger can attribute is kept; any other is refused.</summary>
    public Task KeepOrRefuse(TokenValidatedContext context)
    {
        var caller = context.Principal!;
        // A token the ledger cannot attribute (no subject, no hospital) is no token.
        if (!Tokens.IsName(caller.FindFirst(Tokens.Subject)?.Value) || !Tokens.IsName(caller.FindFirst(Tokens.Hospital)?.Value))
        {
            context.Fail("the token names no valid sub and hospital");
            return Task.CompletedTask;
        }
        var token = TokenOf(context.Request.Headers.Authorization.ToString());
        if (token.IsEmpty) return Task.CompletedTask;
        if (_known.Dictionary.Count >= Capacity) _known.Dictionary.Clear();
        _known[token] = (caller, context.SecurityToken.ValidTo);
        return Task.CompletedTask;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, as JwtBearer reads it; empty when there is none.</summary>
    private static ReadOnlySpan<char> TokenOf(string header) =>
        header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header.AsSpan(Prefix.Length).Trim() : default;
}
