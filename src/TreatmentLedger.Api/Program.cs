using JasperFx;
using JasperFx.CodeGeneration;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Api.ApiDocs;
using TreatmentLedger.Api.Cohorts;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Faults;
using TreatmentLedger.Api.Feed;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Recording;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;
using Wolverine;
using Wolverine.Http;

var builder = WebApplication.CreateBuilder(args);
var settings = LedgerSettings.Read(builder.Configuration);
if (args is ["token", .. var tokenArgs]) return TokenCommand.Run(tokenArgs, settings, Console.Out, Console.Error);

// Without a connection string the ledger runs its own PostgreSQL cluster in LEDGER_DATA, stopped when the app stops.
EmbeddedPostgres? embedded;
try
{
    embedded = settings.ConnectionString is null ? await EmbeddedPostgres.StartAsync(settings.DataDirectory) : null;
}
catch (EmbeddedPostgresException e)
{
    Console.Error.WriteLine($"TreatmentLedger cannot start: {e.Message}");
    return 1;
}
await using var stopsWithTheApp = embedded;
var connectionString = settings.ConnectionString ?? embedded!.ConnectionString;

builder.WebHost.UseUrls(settings.BaseUrl);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.AddLedgerAuthentication(settings);
builder.AddLedgerTelemetry();
builder.Services.AddFaultTolerance(embedded);
builder.Services.AddLedgerLimits(settings);
builder.Services.AddLedgerStore(connectionString);
builder.Services.AddSingleton<EventRows>();
builder.Services.AddSingleton<CaseStateRows>();
builder.Services.AddSingleton<WriteModelRebuild>();
builder.Services.AddSingleton<CaseFactsRebuild>();
builder.Services.AddSingleton<CaseReader>();
builder.Services.AddSingleton<ReadModels>();
builder.Services.AddSingleton<CohortReader>();
builder.Services.AddSingleton<EventTail>();
builder.Services.AddHostedService(services => services.GetRequiredService<EventTail>());
builder.Services.AddSingleton<ProjectionStatus>();
builder.Services.AddSingleton<ProjectionRebuilds>();
builder.Services.AddSingleton<CaseOpenings>();
builder.Services.AddSingleton<CaseAppends>();
builder.Services.AddSingleton<CaseWriter>();
builder.Services.AddSingleton<AccessLogWriter>();
if (settings.LoadDemo) builder.Services.AddHostedService<DemoCase>();

builder.Host.UseWolverine(opts =>
{
    // Under a test runner Wolverine would otherwise adopt the test assembly and find no endpoints.
    opts.ApplicationAssembly = typeof(Program).Assembly;
    // The endpoint code is generated ahead (Internal/Generated; run ops/codegen after changing an
    // endpoint): nothing is compiled at start-up, and a stale or missing file fails the host at once.
    opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
    // Balanced: every API process on one database is a node; Wolverine elects a leader that assigns its agents (the
    // async projections of the dashboards) to the nodes, and moves them when a node dies.
    opts.Durability.Mode = DurabilityMode.Balanced;
    // Nodes check in every 2 s, from half a second after start: a fresh node is elected leader and runs the async
    // projections within seconds, not after Wolverine's default 3 + 10 s. A node that stops checking in (killed, cut off)
    // is declared dead after 20 s rather than a minute, so that its projections run again on another node within 60 s
    // (DASHBOARDS.md).
    opts.Durability.FirstHealthCheckExecution = TimeSpan.FromMilliseconds(500);
    opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(2);
    opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(20);
    // The leader checks every 5 s (not 30 s) that each agent runs where it is assigned, and starts one that runs nowhere.
    opts.Durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(5);
});
builder.Services.AddWolverineHttp();
builder.Services.AddLedgerApiDocs();

var app = builder.Build();
if (RebuildCommand.Handles(args)) return await RebuildCommand.RunAsync(app.Services, Console.Out, Console.Error, CancellationToken.None);
app.UseLedgerHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCaseReadLogging();
app.UseAuthentication();
app.UseAuthorization();
app.UseLedgerLimits();
app.MapWolverineEndpoints();
app.MapLedgerApiDocs();
app.Lifetime.ApplicationStarted.Register(() => _ = app.Services.GetRequiredService<ProjectionRebuilds>().AtStartAsync(app.Lifetime.ApplicationStopping));
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"""
        TreatmentLedger is listening on {settings.BaseUrl}
          cases:  {settings.BaseUrl}/cases
          health: {settings.BaseUrl}/health
          page:   {settings.BaseUrl}/dashboard (paste a token)
          docs:   {settings.BaseUrl}{ApiDocs.PageRoute} (the OpenAPI document: {settings.BaseUrl}/openapi/{ApiDocs.DocumentName}.json)
          store:  {(embedded is null ? "the server named by LEDGER_CONNECTION_STRING" : $"embedded PostgreSQL in {settings.DataDirectory}")}
          demo:   {(settings.LoadDemo ? $"the founding case and {DemoCohort.CaseCount} synthetic cases ({DemoCohort.PatientRef(1)}...) load in the background, once; {settings.BaseUrl}/cohorts/regimens" : "not loaded (LEDGER_DEMO=1 loads it)")}
        {DemoHospital.Welcome(settings)}
        Stop with Ctrl-C.
        """));

// The JasperFx command line (codegen, projections list, ...) only when a command is given: it starts by listing
// every assembly it searches for commands, which a plain start has no use for.
if (args.Length == 0)
{
    await app.RunAsync();
    return 0;
}
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, visible to the Alba tests.</summary>
public partial class Program;
