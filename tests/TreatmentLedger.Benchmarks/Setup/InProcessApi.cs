using System.Security.Claims;
using System.Text.Encodings.Web;
using Alba;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Api.Security;

namespace TreatmentLedger.Benchmarks.Setup;

/// <summary>
/// The API hosted in this process (Alba's in-memory server), as configured, or with its two security costs taken out:
/// authentication replaced by a scheme that admits every request as the benchmark's clinician without reading its
/// token, and no access log. The "security cost" scenario compares the two.
/// </summary>
public static class InProcessApi
{
    public static async Task<IAlbaHost> StartAsync(string connectionString, string dataDirectory, bool withSecurity)
    {
        Environment.SetEnvironmentVariable("LEDGER_CONNECTION_STRING", connectionString);
        Environment.SetEnvironmentVariable("LEDGER_DATA", dataDirectory);
        Environment.SetEnvironmentVariable("LEDGER_DEMO", "0");
        // The load is one caller: far over the production rate limit per caller, in both runs alike.
        Environment.SetEnvironmentVariable("LEDGER_RATE_LIMIT", "1000000");
        Environment.SetEnvironmentVariable("LEDGER_RATE_BURST", "1000000");
        // The in-memory server looks for the API's source folder unless told where its content root is.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TREATMENTLEDGER_API", AppContext.BaseDirectory);
        return await AlbaHost.For<Program>(web => web.ConfigureServices(services =>
        {
            if (withSecurity) return;
            services.RemoveAll<AccessLogWriter>();
            services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdmitAll>(AdmitAll.Name, _ => { });
            services.Configure<AuthenticationOptions>(o =>
            {
                o.DefaultScheme = AdmitAll.Name;
                o.DefaultAuthenticateScheme = AdmitAll.Name;
                o.DefaultChallengeScheme = AdmitAll.Name;
            });
        }));
    }

    /// <summary>Every request is the benchmark's clinician, whatever it sends.</summary>
    private sealed class AdmitAll(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "admit-all";

        private static readonly ClaimsPrincipal Clinician = new(new ClaimsIdentity(
            [new Claim(Tokens.Subject, "bench"), new Claim(Tokens.Role, Roles.Clinician), new Claim(Tokens.Hospital, BenchContext.Hospital)],
            Name, Tokens.Subject, Tokens.Role));

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Clinician, Name)));
    }
}
