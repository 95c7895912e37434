using System.Text.Json.Serialization;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using TreatmentLedger.Entries;
using Weasel.Core;

namespace TreatmentLedger.Api.Store;

/// <summary>The Marten event store: entry types, metadata, the case document and its inline projection.</summary>
public static class Configuration
{
    public const string Schema = "ledger";

    public static IServiceCollection AddLedgerStore(this IServiceCollection services, string connectionString)
    {
        services.AddMarten(opts => ConfigureStore(opts, connectionString))
            .ApplyAllDatabaseChangesOnStartup()
            .UseLightweightSessions();

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
        });

        // Rich appends assign sequence, version and timestamp (from the app's TimeProvider) before the inline
        // projection runs, so the case document carries them; Marten 9's default quick mode does not.
        opts.Events.AppendMode = EventAppendMode.Rich;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true;
        opts.Events.AddEventTypes(EntryTypes.ByName.Values);

        opts.Projections.Add<CaseLedgerProjection>(ProjectionLifecycle.Inline);
        // Columns for the dashboard list's filters and order (GET /cases).
        opts.Schema.For<CaseLedger>()
            .Duplicate(x => x.Summary.PatientRef)
            .Duplicate(x => x.Summary.Status)
            .Duplicate(x => x.UpdatedAt);
    }
}
