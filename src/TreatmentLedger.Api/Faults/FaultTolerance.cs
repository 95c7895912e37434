using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Faults;

public static class FaultTolerance
{
    /// <summary>
    /// Store failures answered as 503 (out of reach) or 400 (unstorable text) problems, and with the embedded default a
    /// supervisor that restarts the cluster when it dies.
    /// </summary>
    public static IServiceCollection AddFaultTolerance(this IServiceCollection services, EmbeddedPostgres? embedded)
    {
        services.AddExceptionHandler<StoreFaultHandler>();
        if (embedded is not null)
        {
            services.AddSingleton(embedded);
            services.AddHostedService<EmbeddedPostgresSupervisor>();
        }
        return services;
    }
}
