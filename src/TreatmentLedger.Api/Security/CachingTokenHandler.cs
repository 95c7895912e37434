using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TreatmentLedger.Api.Security;

/// <summary>
/// Verifies a token once, not on every request: a client sends the same token with each of its requests until it
/// expires, and the signature check (RSA) and parsing were most of what authentication cost per request
/// (docs/benchmarks.md, "security cost"). A valid token's result is kept, by the token's exact text, until the token
/// expires; an invalid one is never kept. At most <see cref="Capacity"/> tokens are kept: past that, the cache starts over.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider clock) : JsonWebTokenHandler
{
    public const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, TokenValidationResult> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_valid.TryGetValue(token, out var known))
        {
            if (known.SecurityToken.ValidTo > clock.GetUtcNow().UtcDateTime) return known;
            _valid.TryRemove(token, out _);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            if (_valid.Count >= Capacity) _valid.Clear();
            _valid[token] = result;
        }
        return result;
    }
}
