using System.Text.Json.Nodes;
using TreatmentLedger.Api.Fhir;
using TreatmentLedger.Api.Tests.Support;
using static TreatmentLedger.Api.Tests.Support.Bodies;

namespace TreatmentLedger.Api.Tests.Fhir;

/// <summary>
/// <c>GET /cases/{caseId}/fhir</c> shows the case as every other read does: corrections applied, retractions left out,
/// asOf and knownAt honoured, partial dates kept partial, and what no FHIR element carries listed, not dropped.
/// </summary>
public sealed class FhirViewTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static readonly Guid Biopsied = Guid.NewGuid(), Started = Guid.NewGuid(), Progressed = Guid.NewGuid(), FollowedUp = Guid.NewGuid();

    /// <summary>The resources made from each entry, by entryId (the identifier urn:treatment-ledger:entry).</summary>
    private async Task<(ILookup<Guid, JsonObject> ByEntry, JsonObject Bundle)> ExportAsync(Guid caseId, string query = "")
    {
        var answer = await Api.Get($"/cases/{caseId}/fhir{query}");
        Assert.True(answer.Status == 200, answer.Text);
        Assert.StartsWith(FhirTerms.MediaType, answer.Header("Content-Type"));
        var resources = answer.Json["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject()).ToList();
        var byEntry = resources
            .SelectMany(r => (r["identifier"]?.AsArray() ?? []).Where(i => i!["system"]?.GetValue<string>() == FhirTerms.EntrySystem)
                .Select(i => (EntryId: Guid.Parse(i!["value"]!.GetValue<string>()), Resource: r)))
            .ToLookup(x => x.EntryId, x => x.Resource);
        return (byEntry, answer.Json);
    }

    private async Task<Guid> RecordCaseAsync()
    {
        var caseId = await Api.OpenCase("TEST-FHIR-01");
        var batch = await Api.Post($"/cases/{caseId}/entries/batch", Batch(
            Biopsy("2015-03", Biopsied),
            Start("2015-04-01", Started),
            Progression("2015-09-10", Progressed),
            FollowUp("2016-01-15", FollowedUp).With("note", "seen in clinic")));
        Assert.True(batch.Status == 201, batch.Text);
        return caseId;
    }

    [Fact]
    public async Task Corrections_are_applied_and_retracted_entries_left_out_as_known_now_and_as_known_before()
    {
        var caseId = await RecordCaseAsync();
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Retract(Progressed))).Status);
        Assert.Equal(201, (await Api.Post($"/cases/{caseId}/entries", Correct(Started, Start("2015-04-01", Started, regimen: "alectinib")))).Status);

        var (now, _) = await ExportAsync(caseId);
        Assert.Empty(now[Progressed]);
        var requests = now[Started].Where(r => r["resourceType"]!.GetValue<string>() == "MedicationRequest").ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Contains("alectinib", r.ToJsonString()));
        Assert.All(requests, r => Assert.DoesNotContain("crizotinib", r.ToJsonString()));

        // As known before the retraction and the correction: the progression, and the first regimen.
        var (then, _) = await ExportAsync(caseId, $"?knownAt={Uri.EscapeDataString(before.ToString("O"))}");
        Assert.Single(then[Progressed]);
        Assert.Contains("crizotinib", then[Started].First(r => r["resourceType"]!.GetValue<string>() == "MedicationRequest").ToJsonString());
    }

    [Fact]
    public async Task AsOf_keeps_what_had_happened_by_that_date_and_partial_dates_stay_partial()
    {
        var caseId = await RecordCaseAsync();

        var (asOf, _) = await ExportAsync(caseId, "?asOf=2015-06-30");
        Assert.NotEmpty(asOf[Started]);
        Assert.Empty(asOf[Progressed]);
        Assert.Empty(asOf[FollowedUp]);

        var (now, _) = await ExportAsync(caseId);
        // The biopsy's Procedure, and the Condition made from it (the diagnosis, its onset and site).
        Assert.Equal(["Condition", "Procedure"], now[Biopsied].Select(r => r["resourceType"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var biopsy = now[Biopsied].Single(r => r["resourceType"]!.GetValue<string>() == "Procedure");
        Assert.Equal("2015-03", biopsy["performedDateTime"]!.GetValue<string>());
        // outcome.text is a resection's margin (INTEROP.md): a biopsy has none; its diagnosis is the ledger's extension.
        Assert.Null(biopsy["outcome"]);
        Assert.Equal("spindle cell lesion", biopsy["extension"]!.AsArray()
            .Single(e => e!["url"]!.GetValue<string>() == "urn:treatment-ledger:diagnosis")!["valueString"]!.GetValue<string>());
        Assert.Equal("2016-01-15", Assert.Single(now[FollowedUp])["period"]!["start"]!.GetValue<string>());
    }

    [Fact]
    public async Task What_no_resource_carries_is_listed_in_an_operation_outcome_naming_the_entry_and_the_field()
    {
        var caseId = await RecordCaseAsync();

        var (_, bundle) = await ExportAsync(caseId);
        var outcome = bundle["entry"]!.AsArray().Select(e => e!["resource"]!.AsObject())
            .Single(r => r["resourceType"]!.GetValue<string>() == "OperationOutcome");
        var warnings = outcome["issue"]!.AsArray().Select(i => i!.ToJsonString()).ToList();
        Assert.All(outcome["issue"]!.AsArray(), i => Assert.Equal("warning", i!["severity"]!.GetValue<string>()));
        Assert.Contains(warnings, w => w.Contains(FollowedUp.ToString(), StringComparison.Ordinal) && w.Contains("note", StringComparison.Ordinal));
    }
}
