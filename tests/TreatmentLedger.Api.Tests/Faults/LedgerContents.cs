using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>What a client reads back of a case after a fault: the audit log's entryIds, and the versions the views show.</summary>
public sealed record CaseContents(Guid CaseId, List<Guid> EntryIds, long LogVersion, long SummaryVersion)
{
    public static async Task<CaseContents> ReadAsync(HttpClient client, Guid caseId)
    {
        var log = await client.GetFromJsonAsync<JsonObject>($"/cases/{caseId}/entries");
        var summary = await client.GetFromJsonAsync<JsonObject>($"/cases/{caseId}");
        return new CaseContents(caseId,
            log!["entries"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() != "case-opened").Select(e => e!["entryId"]!.GetValue<Guid>()).ToList(),
            log["version"]!.GetValue<long>(), summary!["version"]!.GetValue<long>());
    }

    /// <summary>
    /// Every entry a writer sent is in the audit log exactly once and nothing else is; the case summary (a read model kept
    /// with every append) is at the audit log's version, which counts the case-opened entry and each entry once.
    /// </summary>
    public void AssertHoldsExactlyOnce(IEnumerable<Guid> sent)
    {
        var expected = sent.Distinct().Order().ToList();
        Assert.Equal(expected, EntryIds.Order().ToList());
        Assert.Equal(EntryIds.Count + 1, LogVersion);
        Assert.Equal(LogVersion, SummaryVersion);
    }
}
