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
        opts.Schema.For<LineFactRow>()
            .MultiTenanted()
            .Duplicate(x => x.CaseId)
            .Duplicate(x => x.LineNumber)
            .Duplicate(x => x.RegimenKey)
            .Duplicate(x => x.PfsDays)
            .Duplicate(x => x.PfsEvent)
            .Duplicate(x => x.TtdDays)
            .Duplicate(x => x.TtdEvent);
    }
}
