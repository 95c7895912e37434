using Alba;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Store;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>Logs carry the correlation id and nothing of a patient's data; OTLP exports happen only when an endpoint is set.</summary>
public sealed class TelemetryTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private const string PatientRef = "TEST-LOGCHECK-4821";
    private const string Note = "note-logcheck-4821";
    private const string CorrelationId = "correlation-logcheck-4821";

    /// <summary>Opens a case, records an entry with a note, has one refused, and reads the case: all with patient data.</summary>
    private static async Task<Guid> RecordWithPatientData(LedgerApi api)
    {
        var opened = await api.Post("/cases", $$"""{ "patientRef": "{{PatientRef}}", "sex": "female", "birthYear": 1980, "occurredOn": "2015-03", "note": "{{Note}}" }""",
            ("X-Correlation-Id", CorrelationId));
        Assert.Equal(201, opened.Status);
        var caseId = opened.Json["caseId"]!.GetValue<Guid>();
        Assert.Equal(201, (await api.PostEntry(caseId, Bodies.Biopsy("2015-03-12").With("note", Note), ("X-Correlation-Id", CorrelationId))).Status);
        Assert.Equal(400, (await api.PostEntry(caseId, Bodies.Biopsy("2999-01").With("note", Note), ("X-Correlation-Id", CorrelationId))).Status);
        foreach (var view in new[] { "", "/entries", "/export", "/timeline" }) Assert.Equal(200, (await api.Get($"/cases/{caseId}{view}")).Status);
        Assert.Equal(200, (await api.Get($"/cases?status=on-treatment")).Status);
        return caseId;
    }

    [Fact]
    public async Task Logs_at_information_level_carry_the_correlation_id_of_the_events_and_no_patientRef_or_note()
    {
        var captured = new CapturedLogs();
        await using (var host = await AlbaHost.For<Program>(web => web
                         .ConfigureServices(services => services.AddSingleton<ILoggerProvider>(captured))
                         // Every category at Information, Marten's and Wolverine's included, whatever appsettings.json says.
                         .ConfigureLogging(logging => logging.AddFilter<CapturedLogs>(null, LogLevel.Information))))
        {
            var api = new LedgerApi(host, Fixture.ClinicianToken);
            var caseId = await RecordWithPatientData(api);

            Assert.All((await api.Log(caseId)).Select(e => e["correlationId"]!.GetValue<string>()), id => Assert.Equal(CorrelationId, id));
            Assert.IsType<LedgerMartenLogger>(host.Services.GetRequiredService<IDocumentStore>().Options.Logger());
        }

        var logs = captured.Logs.ToList();
        Assert.Contains(logs, log => log.Category.StartsWith("Wolverine", StringComparison.Ordinal));
        Assert.Contains(logs, log => log.Category.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal)
                                     && log.Scopes.GetValueOrDefault("CorrelationId") == CorrelationId);
        Assert.DoesNotContain(logs, log => log.AllText.Contains(PatientRef, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, log => log.AllText.Contains(Note, StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_Marten_command_is_logged_with_its_sql_and_without_its_parameter_values()
    {
        var captured = new CapturedLogs();
        var logger = new LedgerMartenLogger(captured.CreateLogger("Marten"), () => throw new InvalidOperationException("a failure that is not the server's discards nothing"));
        using var command = new NpgsqlCommand("select ledger.append(@event)");
        command.Parameters.AddWithValue("event", $$"""{ "patientRef": "{{PatientRef}}", "note": "{{Note}}" }""");

        logger.LogFailure(command, new InvalidOperationException("connection refused"));

        var log = Assert.Single(captured.Logs);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.Contains("select ledger.append(@event)", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PatientRef, log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_metrics_and_logs_are_exported_without_patient_data()
    {
        using var collector = new OtlpReceiver();
        await using (var host = await AlbaHost.For<Program>(web => web
                         .UseSetting(Telemetry.EndpointVariable, collector.Endpoint)
                         .UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                         // The ledger logs nothing of its own for a request that succeeds: routing's logs stand in.
                         .UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Routing", "Information")))
        {
            Assert.NotNull(host.Services.GetService<TracerProvider>());
            await RecordWithPatientData(new LedgerApi(host, Fixture.ClinicianToken));
            // Export now what the batches would send within seconds (traces, logs) or a minute (metrics).
            Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush());
            Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
            Assert.True(host.Services.GetRequiredService<LoggerProvider>().ForceFlush());
        }

        var traces = collector.Text("/v1/traces");
        Assert.Contains("Microsoft.AspNetCore", traces, StringComparison.Ordinal);
        Assert.Contains("Npgsql", traces, StringComparison.Ordinal);
        Assert.Contains("Marten", traces, StringComparison.Ordinal);
        Assert.Contains(CorrelationId, traces, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", collector.Text("/v1/metrics"), StringComparison.Ordinal);
        Assert.Contains("ledger.event.append", collector.Text("/v1/metrics"), StringComparison.Ordinal);
        Assert.Contains(CorrelationId, collector.Text("/v1/logs"), StringComparison.Ordinal);
        Assert.All(collector.Received, r => Assert.DoesNotContain(PatientRef, System.Text.Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal));
        Assert.All(collector.Received, r => Assert.DoesNotContain(Note, System.Text.Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal));
    }

    [Fact]
    public void Without_an_OTLP_endpoint_no_telemetry_provider_exists_so_nothing_is_exported()
    {
        Assert.Null(Host.Services.GetService<TracerProvider>());
        Assert.Null(Host.Services.GetService<MeterProvider>());
    }
}
