using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using JasperFx.CodeGeneration.Frames;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TreatmentLedger.Entries;
using Wolverine.Http;

namespace TreatmentLedger.Api.Http;

/// <summary>
/// What is refused before an endpoint runs, so that nothing refused reaches the store: header values with control
/// characters (400 naming the header); on the ledger's (Wolverine) endpoints, query parameters the route does not take,
/// given twice, or holding control characters (400 naming the parameter), and on its other routed endpoints (the API
/// document and its page), which take none, any query parameter; on any routed endpoint, a body that is not JSON
/// (415) or larger than the route takes (413: <see cref="Limits.BodyBytes"/> unless the endpoint carries
/// <c>[RequestSizeLimit]</c>).
/// </summary>
public sealed class RequestChecks(RequestDelegate next)
{
    private static readonly ConcurrentDictionary<HttpChain, Dictionary<string, bool>> QueryParameters = new();

    private static readonly Dictionary<string, bool> NoParameters = [];

    public async Task InvokeAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        var chain = endpoint?.Metadata.GetMetadata<HttpChain>();
        // Not on the endpoints routing makes for a request it cannot route (404) or a wrong method (405): those answer as such.
        var routed = endpoint?.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase) == true;
        var limit = endpoint?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Limits.BodyBytes;
        var problem = Headers(http.Request) ?? (endpoint is RouteEndpoint ? Query(http.Request, chain) : null) ?? (routed ? Body(http, limit) : null);
        if (problem is not null)
        {
            await Results.Problem(problem).ExecuteAsync(http);
            return;
        }
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            // The body turned out longer than its route takes (LimitedBody, or Kestrel's own limit), or broke off.
            await Results.Problem(e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.TooLarge(limit)
                : Problems.Invalid("$", "the body could not be read")).ExecuteAsync(http);
        }
    }

    private static ProblemDetails? Headers(HttpRequest request)
    {
        var errors = new ValidationErrors();
        foreach (var (name, values) in request.Headers)
            if (values.Any(v => v is not null && HasControlCharacters(v)))
                errors.Add(name, "must not contain control characters");
        return errors.Any ? Problems.Invalid(errors) : null;
    }

    /// <param name="chain">The Wolverine endpoint, or null for another routed endpoint, which takes no query parameter.</param>
    private static ProblemDetails? Query(HttpRequest request, HttpChain? chain)
    {
        if (request.Query.Count == 0) return null;
        var known = chain is null ? NoParameters : QueryParameters.GetOrAdd(chain, KnownQueryParameters);
        var errors = new ValidationErrors();
        foreach (var (name, values) in request.Query)
        {
            if (!known.TryGetValue(name, out var repeatable))
                errors.Add(name, known.Count == 0
                    ? "is not a parameter of this route, which takes none"
                    : $"is not a parameter of this route; it takes {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}");
            else if (values.Count > 1 && !repeatable) errors.Add(name, "is given more than once");
            else if (values.Any(v => v is not null && (HasControlCharacters(v) || RequestJson.Unstorable(v) is not null)))
                errors.Add(name, "must not contain control characters or invalid text");
        }
        return errors.Any ? Problems.Invalid(errors) : null;
    }

    private static ProblemDetails? Body(HttpContext http, long limit)
    {
        var request = http.Request;
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method)) return null;
        if (!HasBody(http)) return null;
        if (!IsJson(request.ContentType)) return Problems.UnsupportedMediaType(request.ContentType);
        if (request.ContentLength > limit) return Problems.TooLarge(limit);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit) kestrelLimit.MaxRequestBodySize = limit;
        // Also where the server has no limit of its own (a test host) or the length is not announced (chunked).
        request.Body = new LimitedBody(request.Body, limit);
        return null;
    }

    /// <summary>A body is announced by its length or a transfer encoding; a host that tells neither may still carry one.</summary>
    private static bool HasBody(HttpContext http) =>
        http.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection
            ? detection.CanHaveBody
            : http.Request.ContentLength is not 0;

    /// <summary><c>application/json</c> or <c>application/*+json</c>, in UTF-8 (the only charset the body is read in).</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return false;
        if (!media.Type.Equals("application", StringComparison.OrdinalIgnoreCase)) return false;
        if (!media.SubType.Equals("json", StringComparison.OrdinalIgnoreCase) && !media.SubType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return false;
        return !media.Charset.HasValue || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || media.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The control characters refused in headers and query values: all but the tab.</summary>
    private static readonly SearchValues<char> ControlCharacters =
        SearchValues.Create([.. Enumerable.Range(0, 32).Where(c => c != '\t').Select(c => (char)c), '\x7f']);

    // Vectorised: every request's headers pass here, its token (about 800 characters) among them.
    private static bool HasControlCharacters(string text) => text.AsSpan().ContainsAny(ControlCharacters);

    /// <summary>
    /// The query parameters a Wolverine endpoint binds: the simple parameters of its method and of its Load/Before/Validate
    /// methods that are not route values, each with whether it may be repeated (an array: <c>regimen=a&amp;regimen=b</c>).
    /// </summary>
    private static Dictionary<string, bool> KnownQueryParameters(HttpChain chain)
    {
        var route = chain.RoutePattern?.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        return new[] { chain.Method }.Concat(chain.Middleware.OfType<MethodCall>())
            .SelectMany(call => call.Method.GetParameters())
            .Where(p => p.Name is not null && !route.Contains(p.Name) && IsSimple(p.ParameterType))
            .DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(p => p.Name!, p => p.ParameterType.IsArray, StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return IsSimple(type.GetElementType()!);
        return type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(Guid) ||
               type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly);
    }
}
