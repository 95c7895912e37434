using JasperFx.Events.Projections;
using Marten;
using TreatmentLedger.Api.CaseBoard;
using TreatmentLedger.Api.Cohorts;

namespace TreatmentLedger.Api.Dashboards;

/// <summary>The dashboards' read models: one async projection, its documents per hospital, with columns for filters and order.</summary>
public static class Configuration
{
    /// <summary>The async projections, by name (GET /projections lists them in this order).</summary>
    public static readonly IReadOnlyList<string> AsyncProjections = [CaseFactsProjection.Name];

    public static void AddDashboards(this StoreOptions opts)
    {
        opts.Projections.Add(new CaseFactsProjection(), ProjectionLifecycle.Async, CaseFactsProjection.Name,
            daemon => daemon.BatchSize = 5_000);
        opts.Schema.For<CaseBoardRow>()
            .MultiTenanted()
            .Duplicate(x => x.PatientRef)
            .Duplicate(x => x.Status)
            .Duplicate(x => x.CurrentRegimenKey!)
            .Duplicate(x => x.LastRecordedAt);
        // Searched by case (a page taking lines away) and by regimen (the survival route), both with an index.
        opts.Schema.For<LineFactRow>()
            .MultiTenanted()
            .Duplicate(x => x.CaseId)
            .Duplicate(x => x.RegimenKey);
        // Read by the survival route as plain columns but never searched by: duplicated without an index, so that each
        // line a page writes updates three indexes, not eight.
        opts.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(LineFactRow)) return;
            foreach (var member in UnindexedLineColumns) mapping.DuplicateField(member);
        });
    }

    private static readonly string[] UnindexedLineColumns =
    [
        nameof(LineFactRow.LineNumber), nameof(LineFactRow.PfsDays), nameof(LineFactRow.PfsEvent),
        nameof(LineFactRow.TtdDays), nameof(LineFactRow.TtdEvent),
    ];
}
