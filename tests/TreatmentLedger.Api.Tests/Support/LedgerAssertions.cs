using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>What a client can see of a case: its version and how many entries its audit log lists.</summary>
public sealed record CaseSnapshot(long Version, int EntryCount);

public static class LedgerAssertions
{
    public static Task<LedgerApi.Response> PostEntry(this LedgerApi api, Guid caseId, JsonNode body, params (string Name, string Value)[] headers) =>
        api.Post($"/cases/{caseId}/entries", body, headers);

    public static Task<LedgerApi.Response> PostBatch(this LedgerApi api, Guid caseId, JsonNode body, params (string Name, string Value)[] headers) =>
        api.Post($"/cases/{caseId}/entries/batch", body, headers);

    /// <summary>The audit log's entries, in the order the API lists them.</summary>
    public static async Task<List<JsonObject>> Log(this LedgerApi api, Guid caseId)
    {
        var log = await api.Get($"/cases/{caseId}/entries");
        Assert.Equal(200, log.Status);
        return log.Json["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
    }

    public static async Task<CaseSnapshot> Snapshot(this LedgerApi api, Guid caseId)
    {
        var log = await api.Get($"/cases/{caseId}/entries");
        Assert.Equal(200, log.Status);
        return new CaseSnapshot(log.Json["version"]!.GetValue<long>(), log.Json["entries"]!.AsArray().Count);
    }

    /// <summary>A refused request stored nothing: same version (as <c>Api.Version</c> reads it), same number of entries.</summary>
    public static async Task AssertUnchanged(this LedgerApi api, Guid caseId, CaseSnapshot before)
    {
        Assert.Equal(before.Version, await api.Version(caseId));
        Assert.Equal(before, await api.Snapshot(caseId));
    }

    /// <summary>A 400 ProblemDetails with a message under <paramref name="field"/>.</summary>
    public static void AssertInvalid(this LedgerApi.Response response, string field)
    {
        Assert.True(400 == response.Status, $"expected 400, got {response.Status}: {response.Body?.ToJsonString()}");
        AssertProblem(response);
        var errors = response.Json["errors"]?.AsObject();
        Assert.NotNull(errors);
        Assert.True(errors.ContainsKey(field), $"expected an error on '{field}', got: {string.Join(", ", errors.Select(e => e.Key))}");
        Assert.NotEmpty(errors[field]!.AsArray());
    }

    /// <summary>A ProblemDetails answer with the given status.</summary>
    public static void AssertProblem(this LedgerApi.Response response, int status)
    {
        Assert.True(status == response.Status, $"expected {status}, got {response.Status}: {response.Body?.ToJsonString()}");
        AssertProblem(response);
    }

    private static void AssertProblem(LedgerApi.Response response)
    {
        Assert.StartsWith("application/problem+json", response.Raw.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(response.Status, response.Json["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(response.Json["title"]?.GetValue<string>()));
        Assert.StartsWith("https://", response.Json["type"]?.GetValue<string>() ?? "", StringComparison.Ordinal);
    }

    /// <summary>An entry as a case file holds it: the audit row without the metadata the server adds.</summary>
    public static JsonObject WithoutMetadata(JsonObject row)
    {
        var entry = row.DeepClone().AsObject();
        foreach (var field in ServerMetadata) entry.Remove(field);
        return entry;
    }

    public static readonly string[] ServerMetadata =
        ["sequence", "version", "recordedAt", "recordedBy", "correlationId", "status", "correctedBy", "retractedBy"];
}
