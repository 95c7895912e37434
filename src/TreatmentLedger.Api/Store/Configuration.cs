using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.MultiTenancy;
using Marten;
using Marten.Exceptions;
using Npgsql;
using Polly;
using Polly.Retry;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Api.Dashboards;
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
            // Wolverine over this store: its message and node tables in the same database, for the durability agents; and
            // Wolverine, not Marten, runs the async projections: each one on exactly one node of the cluster, moved to
            // another node when its node dies (no AddAsyncDaemon: the two together refuse to start).
            .IntegrateWithWolverine(wolverine => wolverine.UseWolverineManagedEventSubscriptionDistribution = true);

        // Record-time (knownAt) reads use the event timestamps, so they come from the same clock as the rest of the app.
        services.ConfigureMarten((sp, opts) => opts.Events.TimeProvider = sp.GetRequiredService<TimeProvider>());
        // Failures logged without parameter values; a command failed on the server discards the pool (StoreConnections).
        services.AddSingleton(_ => new WriterConnections(connectionString));
        services.AddSingleton<StoreConnections>();
        services.ConfigureMarten((sp, opts) => opts.Logger(
            new LedgerMartenLogger(sp.GetRequiredService<ILogger<IDocumentStore>>(), sp.GetRequiredService<StoreConnections>)));
        return services;
    }

    /// <summary>Seconds to wait for a connection (Npgsql's Timeout, unless the connection string sets another).</summary>
    public const int ConnectTimeoutSeconds = 2;

    /// <summary>
    /// Seconds a write's statement may take (Marten's session timeout and the writer's own probes): a server that hangs
    /// (a frozen machine, a partition) then fails the write with a 503 in time, instead of holding the request, and the
    /// writer queue behind it, for Npgsql's 30 s. Whether or not it committed, the write sent again with its entryIds is
    /// recorded once. A write of many entries gets a second more per thousand for its insert (see
    /// <see cref="WriteTimeoutFor"/>): a 10,000-entry import is one statement.
    /// </summary>
    public const int WriteTimeoutSeconds = 2;

    /// <summary>The statement timeout of a write session storing this many entries.</summary>
    public static int WriteTimeoutFor(int entries) => WriteTimeoutSeconds + entries / 1_000;

    /// <summary>
    /// A read through Marten (with its retries) that has not answered by then fails, and the request answers 503. With
    /// the cancellation Npgsql then sends to a hung server (a second or two), that is within SECURITY.md's 5 s: a read of
    /// the ledger takes milliseconds (p99 under 60 ms in docs/benchmarks.md).
    /// </summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Seconds a read route's own SQL may take (a case's summary, the stream a view folds, the survival times, the
    /// board's position, the feed's pages), as <see cref="ReadDeadline"/> for Marten's reads: a hung server answers 503
    /// within 5 s, not after Npgsql's 30 s (tests/…/Faults/ServerHangsTests).
    /// </summary>
    public const int ReadTimeoutSeconds = 2;

    /// <summary>
    /// Npgsql settings for the ledger: an append or a read runs the same few short statements again and again, so they
    /// are prepared automatically (unless the connection string sets Max Auto Prepare; a failed command then discards
    /// the pool, <see cref="StoreConnections"/>); a pooled connection skips the DISCARD ALL round trip on return (Marten
    /// sets no session state that could leak); a server out of reach fails a connection attempt in two seconds, not 15;
    /// and a timed-out statement whose server does not acknowledge its cancellation within a second breaks its
    /// connection then, not after two (a write then fails within <see cref="WriteTimeoutSeconds"/> + 1 s).
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        var defaults = new NpgsqlConnectionStringBuilder();
        if (builder.Timeout == defaults.Timeout) builder.Timeout = ConnectTimeoutSeconds;
        if (builder.CancellationTimeout == defaults.CancellationTimeout) builder.CancellationTimeout = 1_000;
        return builder.ConnectionString;
    }

    /// <summary>Everything the store needs but the clock; also used on its own by the benchmark harness.</summary>
    public static void ConfigureStore(StoreOptions opts, string connectionString)
    {
        opts.Connection(Tuned(connectionString));
        // Reads retry a failed round trip twice, as Marten does by default, but all within ReadDeadline, so that a
        // request meets an unreachable store with a 503 in time (Marten's writes retry only what is known not to
        // have committed, and fail at once when the server is out of reach).
        opts.ConfigurePolly(polly => polly
            .AddTimeout(ReadDeadline)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<MartenCommandException>(),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
            }));
        opts.DatabaseSchemaName = Schema;
        var serializer = new BufferedRowSerializer { EnumStorage = EnumStorage.AsString, Casing = Casing.CamelCase };
        serializer.Configure(json =>
        {
            // jsonb reorders keys, so the "type" discriminator of an entry may come after its payload.
            json.AllowOutOfOrderMetadataProperties = true;
            json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // A correction's replacement is stored with its "type", as in a case file.
            json.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EntryTypes.DescribePolymorphism } };
        });
        opts.Serializer(serializer);

        // The ledger writes its events itself (CaseOpenings, CaseAppends), with the rows Marten writes in this mode:
        // timestamps from the app's TimeProvider (knownAt reads depend on them), versions assigned before the documents
        // are derived, the global sequence by PostgreSQL in the insert, so the case state keeps none (see RecordedEntry).
        // The mode still governs any append made through Marten's API (the tests' reference appends).
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

        // The write model, kept with every append. The ledger's writer stores these documents itself, by the
        // projections' own functions (CaseStateProjection.Fold, AmendmentProjection.Of); as inline projections they
        // define the documents' storage (the state's version as its numeric revision) and keep any append made through
        // Marten's API (the tests' reference appends) in step. Rebuilt from the events by WriteModelRebuild, not by the daemon.
        opts.Projections.Add<CaseStateProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add(new AmendmentProjection(), ProjectionLifecycle.Inline);
        // Per hospital.
        opts.Schema.For<Amendment>().MultiTenanted();
        // A state is rewritten at every append, and those of cases with many lines pass PostgreSQL's 2 KB threshold, past
        // which each version was compressed (pglz, 1.6 % of the machine's CPU under 16 HTTP appends in flight): a state's
        // row stays whole and uncompressed in its page up to the largest target PostgreSQL allows.
        opts.Schema.For<CaseState>().MultiTenanted().StorageParameter("toast_tuple_target", 8160);

        // The dashboards' async read models. The daemon finds new events by polling for the high-water mark: every 100 ms
        // while events come (250 ms by default), every 250 ms when quiet (1 s). It is not woken per append (LISTEN/NOTIFY):
        // under 16 appends in flight that ran Marten's gap-detecting high-water query about 50 times a second, a fifth of
        // PostgreSQL's work per append, and made every commit queue for the notification lock. Polling costs lag: p95
        // 0.37-0.40 s under 500 appends/s, against 0.29 s with notifications (docs/benchmarks.md). Polling every 500 ms
        // instead (pages holding more entries of each case) changed neither the rate nor the CPU of 16 HTTP appends in
        // flight (two runs each, alternating), and raised the lag's p95 to 0.56 s. The daemon writes each
        // projection's status (running, paused, stopped) beside its progress, where every node reads it for GET /projections.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        opts.Events.EnableExtendedProgressionTracking = true;
        opts.AddDashboards();

        // The access log: a plain table beside the documents, a row per batch of records of one hospital (a refused
        // attempt may belong to none).
        opts.Storage.ExtendedSchemaObjects.Add(AccessLogTable.Definition(Schema));
    }
}
