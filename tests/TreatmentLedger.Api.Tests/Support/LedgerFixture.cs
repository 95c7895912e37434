using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using TreatmentLedger.Api.AccessLog;
using TreatmentLedger.Api.Dashboards;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Store;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>
/// One API host over a real PostgreSQL for the whole collection: the server named by LEDGER_TEST_CONNECTION_STRING,
/// else a throwaway cluster started from the machine's PostgreSQL binaries.
/// </summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    private ThrowawayPostgres? _postgres;

    public IAlbaHost Host { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    public string ConnectionString { get; private set; } = "";

    /// <summary>The ledger's data folder: with a connection string given, it holds only the token signing key.</summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("ledger-test-").FullName;

    /// <summary>The hospital of the tests' default callers.</summary>
    public const string Hospital = "test-hospital";

    /// <summary>A token signed with the ledger's own key, as <c>ops/token</c> makes them.</summary>
    public string Token(string sub, string hospital, params string[] roles) =>
        Tokens.Mint(SigningKey.LoadOrCreate(DataDirectory), sub, roles, hospital, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>The default caller of the tests: a clinician of <see cref="Hospital"/>.</summary>
    public string ClinicianToken => _clinicianToken ??= Token("test-clinician", Hospital, Roles.Clinician);

    private string? _clinicianToken;

    public async Task InitializeAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable("LEDGER_TEST_CONNECTION_STRING") is { Length: > 0 } given
            ? given
            : (_postgres = await ThrowawayPostgres.StartAsync()).ConnectionString;
        Environment.SetEnvironmentVariable("LEDGER_CONNECTION_STRING", ConnectionString);
        Environment.SetEnvironmentVariable("LEDGER_DEMO", "0");
        Environment.SetEnvironmentVariable("LEDGER_DATA", DataDirectory);
        // The tests send far more than a caller may in production (100/s, burst 200); RateLimitTests check the limit.
        Environment.SetEnvironmentVariable("LEDGER_RATE_LIMIT", "1000000");
        Environment.SetEnvironmentVariable("LEDGER_RATE_BURST", "1000000");
        Host = await AlbaHost.For<Program>(web => web.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock)));
    }

    /// <summary>
    /// Every test starts from an empty store (the access log's table included) and the real clock. The async projections
    /// are paused and resumed the way the cluster does it (a Wolverine agent restriction, as a rebuild does), so that they
    /// start again from the empty store under Wolverine's assignment, as in production. (Marten's own reset restarts the
    /// daemon in process, behind Wolverine's back: when the cluster had assigned the projection already, it stayed
    /// stopped.)
    /// </summary>
    public async Task ResetAsync()
    {
        Clock.Offset = TimeSpan.Zero;
        var projections = Host.Services.GetRequiredService<ProjectionRebuilds>();
        foreach (var projection in Api.Dashboards.Configuration.AsyncProjections) await projections.PauseAsync(projection, CancellationToken.None);
        await Host.DocumentStore().Advanced.ResetAllData();
        await using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var truncate = new Npgsql.NpgsqlCommand($"truncate {AccessLogTable.QualifiedName(Store.Configuration.Schema)}", connection);
            await truncate.ExecuteNonQueryAsync();
        }
        foreach (var projection in Api.Dashboards.Configuration.AsyncProjections) await projections.ResumeAsync(projection);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerCollection : ICollectionFixture<LedgerFixture>
{
    public const string Name = "ledger";
}

/// <summary>Base of the API tests: a clean store before each test, and helpers for the HTTP calls.</summary>
[Collection(LedgerCollection.Name)]
public abstract class LedgerTest(LedgerFixture fixture) : IAsyncLifetime
{
    protected LedgerFixture Fixture { get; } = fixture;
    protected IAlbaHost Host => Fixture.Host;
    protected LedgerApi Api => new(Fixture.Host, Fixture.ClinicianToken);

    /// <summary>The Authorization header of a clinician of the tests' hospital named <paramref name="sub"/>.</summary>
    protected (string Name, string Value) ClinicianNamed(string sub) =>
        ("Authorization", "Bearer " + Fixture.Token(sub, LedgerFixture.Hospital, Roles.Clinician));

    public Task InitializeAsync() => Fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}
