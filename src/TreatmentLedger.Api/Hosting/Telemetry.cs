using System.Diagnostics.Metrics;
using JasperFx.Core;
using JasperFx.Events;
using JasperFx.OpenTelemetry;
using Marten;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TreatmentLedger.Entries;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// Logs as JSON lines with their scopes (the request's <c>CorrelationId</c>, trace and span ids); Marten's failures logged
/// without the commands' parameter values. With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set (the standard OTEL_* variables
/// apply), traces, metrics and logs of ASP.NET Core, Npgsql, Marten and Wolverine are exported over OTLP; without it no
/// OpenTelemetry provider exists.
/// </summary>
public static class Telemetry
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceName = "treatment-ledger";

    // Npgsql and Marten publish under their names; Wolverine's meter is named "Wolverine:<service name>".
    public static readonly string[] Sources = ["Npgsql", "Marten", "Wolverine"];
    public static readonly string[] Meters = ["Npgsql", "Marten", "Wolverine", "Wolverine:*", MeterName];

    /// <summary>
    /// The ledger's own meter. Marten's event counter counts only the appends made through Marten's API, and the ledger
    /// writes its events itself (<see cref="Store.CaseOpenings"/>, <see cref="Store.CaseAppends"/>).
    /// </summary>
    public const string MeterName = "TreatmentLedger";

    private static readonly Meter LedgerMeter = new(MeterName);

    private static readonly Counter<long> EventsAppended =
        LedgerMeter.CreateCounter<long>("ledger.event.append", "{event}", "Events appended to cases, counted once committed");

    /// <summary>Counts events of a hospital once their transaction committed, by event type.</summary>
    public static void CountAppended(string hospital, IEnumerable<IEvent> events)
    {
        if (!EventsAppended.Enabled) return;
        foreach (var e in events)
            EventsAppended.Add(1, new KeyValuePair<string, object?>("event_type", EntryTypes.NameOf(e.EventType)), new KeyValuePair<string, object?>("hospital", hospital));
    }

    public static WebApplicationBuilder AddLedgerTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.AddTransient<IStartupFilter, CorrelationScope>();

        if (builder.Configuration[EndpointVariable].IsEmpty()) return builder;

        builder.Services.ConfigureMarten(opts =>
        {
            // Marten traces nothing by default: a span per connection a session uses.
            opts.OpenTelemetry.TrackConnections = TrackLevel.Normal;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddSource(Sources))
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddMeter(Meters))
            .WithLogging(_ => { }, logging => logging.IncludeScopes = true)
            .UseOtlpExporter();
        return builder;
    }
}
