using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using Npgsql;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;
using Weasel.Core;
using Wolverine.Marten;

namespace TreatmentLedger.Api.Store;

/// <summary>The Marten event store: entry types, metadata, the case state and amendment documents and their inline projections.</summary>
public static class Configuration
{
    public const string Schema = "ledger";

    public static IServiceCollection AddLedgerStore(this IServiceCollection services, string connectionString)
    {
        services.AddMarten(opts => ConfigureStore(opts, connectionString))
            .ApplyAllDatabaseChangesOnStartup()
            .UseLightweightSessions()
            // Wolverine over this store: its message and node tables in the same database, for the durability agents.
            .IntegrateWithWolverine();

        // Record-time (knownAt) reads use the event timestamps, so they come from the same clock as the rest of the app.
        services.ConfigureMarten((sp, opts) => opts.Events.TimeProvider = sp.GetRequiredService<TimeProvider>());
        return services;
    }

    /// <summary>
    /// Npgsql settings for the ledger's statement pattern: an append runs about ten short statements, so they are
    /// prepared automatically (unless the connection string sets Max Auto Prepare), and a pooled connection skips the
    /// DISCARD ALL round trip on return (Marten sets no session state that could leak).
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    /// <summary>Everything the store needs but the clock; also used on its own by the benchmark harness.</summary>
    public static void ConfigureStore(StoreOptions opts, string connectionString)
    {
        opts.Connection(Tuned(connectionString));
        opts.DatabaseSchemaName = Schema;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, json =>
        {
            // jsonb reorders keys, so the "type" discriminator of an entry may come after its payload.
            json.AllowOutOfOrderMetadataProperties = true;
            json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // A correction's replacement is stored with its "type", as in a case file.
            json.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EntryTypes.DescribePolymorphism } };
        });

        // Quick appends: one call of Marten's mt_quick_append_events function per stream (an import's 501 events are
        // sent as arrays) instead of a sequence fetch and one INSERT per event. Versions are assigned before the inline
        // projection runs and timestamps come from the app's TimeProvider (knownAt reads depend on them); the global
        // sequence is assigned by PostgreSQL during the append, so the case state keeps none (see RecordedEntry).
        opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;

        // Hospitals as tenants, in one database (Marten's conjoined tenancy): every event, stream and case document carries
        // the hospital that wrote it, and a session opened for a hospital reads and writes its rows only.
        opts.Events.TenancyStyle = TenancyStyle.Conjoined;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.AddEventTypes(EntryTypes.All.Select(t => t.Type));

        // A clinical entry's event id is derived from its case and entryId (StoredEvents.IdOf): this index finds the
        // entries a request names, whatever the case's length, and refuses a second event for one entryId.
        opts.Events.EnableUniqueIndexOnEventId = true;

        // A rebuild (the projection daemon) reads 5,000 events per page instead of 500: a case split across two pages is
        // loaded and written twice, and each page is one round of document loads and writes (docs/benchmarks.md).
        opts.Projections.Add<CaseStateProjection>(ProjectionLifecycle.Inline, daemon => daemon.BatchSize = 5_000);
        opts.Projections.Add(new AmendmentProjection(), ProjectionLifecycle.Inline);
        // Per hospital; with columns for the dashboard list's filters and order (GET /cases).
        opts.Schema.For<Amendment>().MultiTenanted();
        opts.Schema.For<CaseState>()
            .MultiTenanted()
            .Duplicate(x => x.Summary.PatientRef)
            .Duplicate(x => x.Summary.Status)
            .Duplicate(x => x.UpdatedAt);

        // The access log: one row per read of a case, of every hospital (a refused attempt may belong to none); the
        // route filters on the hospital, and reads it newest first.
        opts.Schema.For<AccessRecord>()
            .Duplicate(x => x.At)
            .Duplicate(x => x.Hospital)
            .Duplicate(x => x.CaseId);
    }
}
