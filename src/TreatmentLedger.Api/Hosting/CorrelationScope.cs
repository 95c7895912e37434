using System.Diagnostics;
using TreatmentLedger.Api.Http;

namespace TreatmentLedger.Api.Hosting;

/// <summary>
/// First in the pipeline: every log written while a request runs carries its <c>CorrelationId</c>, the one stored on the
/// events it appends (X-Correlation-Id, else the trace identifier), and so does its trace (<c>ledger.correlation_id</c>).
/// </summary>
public sealed class CorrelationScope(ILogger<CorrelationScope> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, then) =>
        {
            var correlationId = RecordingHeaders.CorrelationIdOf(http);
            Activity.Current?.SetTag("ledger.correlation_id", correlationId);
            using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId }))
                await then(http);
        });
        next(app);
    };
}
