using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TreatmentLedger.Api.Hosting;
using TreatmentLedger.Api.Security;
using TreatmentLedger.Api.Tests.Support;

namespace TreatmentLedger.Api.Tests;

/// <summary>Bearer tokens and roles (SECURITY.md, "Identity"): who may call what, and what a refusal looks like.</summary>
public sealed class AuthenticationTests(LedgerFixture fixture) : LedgerTest(fixture)
{
    private static string Entry => Bodies.Imaging("2016-01").ToJsonString();

    /// <summary>A token as an identity provider might send it, with every part chosen by the test.</summary>
    private string Forged(SecurityKey? key = null, string issuer = Tokens.Issuer, string audience = Tokens.Audience,
        DateTimeOffset? expires = null, params Claim[] claims)
    {
        key ??= SigningKey.LoadOrCreate(Fixture.DataDirectory);
        var now = DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims.Length > 0 ? claims
                : [new Claim(Tokens.Subject, "dr-forged"), new Claim(Tokens.Role, Roles.Clinician), new Claim(Tokens.Hospital, LedgerFixture.Hospital)]),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (expires ?? now).AddHours(-2).UtcDateTime,
            NotBefore = (expires ?? now).AddHours(-2).UtcDateTime,
            Expires = (expires ?? now.AddHours(1)).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static void AssertUnauthorized(LedgerApi.Response response)
    {
        Assert.Equal(401, response.Status);
        Assert.StartsWith("Bearer", response.Header("WWW-Authenticate"));
        Assert.Equal("application/problem+json", response.Raw.Context.Response.ContentType);
        Assert.Equal(401, response.Json["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Without_a_token_every_case_route_is_401_with_a_bearer_challenge_and_stores_nothing()
    {
        var caseId = await Api.OpenCase();
        var before = await Api.Snapshot(caseId);
        var anonymous = Api.As(null);

        AssertUnauthorized(await anonymous.Get("/cases"));
        foreach (var view in CaseRoutes.Views) AssertUnauthorized(await anonymous.Get($"/cases/{caseId}{view}"));
        AssertUnauthorized(await anonymous.Post("/cases", """{ "patientRef": "TEST-0002", "sex": "male", "birthYear": 1970, "occurredOn": "2015-03" }"""));
        AssertUnauthorized(await anonymous.Post($"/cases/{caseId}/entries", Entry));
        AssertUnauthorized(await anonymous.Post($"/cases/{caseId}/entries/batch", $$"""{ "entries": [{{Entry}}] }"""));
        AssertUnauthorized(await anonymous.Post("/cases/import", """{ "case": { "patientRef": "TEST-0003", "sex": "female", "birthYear": 1990, "occurredOn": "2015-03" }, "entries": [] }"""));

        await Api.AssertUnchanged(caseId, before);
        Assert.Equal(1, (await Api.GetCurrent("/cases")).Json["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        Assert.Equal(200, (await Api.As(null).Get("/health")).Status);
    }

    [Fact]
    public async Task A_bad_signature_a_wrong_issuer_or_audience_an_expired_token_or_one_without_hospital_is_401()
    {
        var caseId = await Api.OpenCase();
        using var otherRsa = RSA.Create(2048);
        string[] refused =
        [
            Forged(key: new RsaSecurityKey(otherRsa)),
            Forged(issuer: "someone-else"),
            Forged(audience: "another-api"),
            Forged(expires: DateTimeOffset.UtcNow.AddMinutes(-5)),
            Forged(claims: [new Claim(Tokens.Subject, "dr-nowhere"), new Claim(Tokens.Role, Roles.Clinician)]),
            Forged(claims: [new Claim(Tokens.Role, Roles.Clinician), new Claim(Tokens.Hospital, LedgerFixture.Hospital)]),
            "not-a-token",
        ];
        foreach (var token in refused)
        {
            AssertUnauthorized(await Api.As(token).Get($"/cases/{caseId}"));
            AssertUnauthorized(await Api.As(token).Post($"/cases/{caseId}/entries", Entry));
        }
        // The same forging, with the ledger's key and its issuer and audience, is accepted: the refusals above are theirs.
        Assert.Equal(200, (await Api.As(Forged()).Get($"/cases/{caseId}")).Status);
        Assert.Equal(1, await Api.Version(caseId));
    }

    [Fact]
    public async Task Each_role_reaches_the_routes_of_the_table_and_gets_403_elsewhere()
    {
        var caseId = await Api.OpenCase();
        var auditor = Api.As(Fixture.Token("audit-1", LedgerFixture.Hospital, Roles.Auditor));
        var analyst = Api.As(Fixture.Token("analyst-1", LedgerFixture.Hospital, Roles.Analyst));
        var admin = Api.As(Fixture.Token("admin-1", LedgerFixture.Hospital, Roles.Admin));

        foreach (var view in CaseRoutes.Views)
        {
            Assert.Equal(200, (await auditor.Get($"/cases/{caseId}{view}")).Status);
            Assert.Equal(403, (await analyst.Get($"/cases/{caseId}{view}")).Status);
            Assert.Equal(403, (await admin.Get($"/cases/{caseId}{view}")).Status);
        }
        Assert.Equal(200, (await auditor.Get("/cases")).Status);
        Assert.Equal(403, (await analyst.Get("/cases")).Status);

        foreach (var writer in new[] { auditor, analyst, admin })
        {
            var refused = await writer.Post($"/cases/{caseId}/entries", Entry);
            Assert.Equal(403, refused.Status);
            Assert.Equal("application/problem+json", refused.Raw.Context.Response.ContentType);
        }
        Assert.Equal(1, await Api.Version(caseId));
        // A clinician who is also an auditor holds both roles' rights.
        var both = Api.As(Fixture.Token("dr-both", LedgerFixture.Hospital, Roles.Clinician, Roles.Auditor));
        Assert.Equal(201, (await both.Post($"/cases/{caseId}/entries", Entry)).Status);
    }

    [Fact]
    public async Task The_recorder_is_the_token_subject_whatever_a_header_says()
    {
        var caseId = await Api.OpenCase();
        var response = await Api.Post($"/cases/{caseId}/entries", Entry, ClinicianNamed("dr-token"), ("X-Recorded-By", "someone-else"));

        Assert.Equal(201, response.Status);
        var log = (await Api.Get($"/cases/{caseId}/entries")).Json["entries"]!.AsArray();
        Assert.Equal("test-clinician", log[0]!["recordedBy"]!.GetValue<string>());
        Assert.Equal("dr-token", log[1]!["recordedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_token_command_prints_a_token_the_ledger_accepts_and_refuses_bad_options()
    {
        var settings = new LedgerSettings(null, Fixture.DataDirectory, "127.0.0.1", 5080, LoadDemo: false);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = TokenCommand.Run(["--sub", "dr-cli", "--role", "clinician", "--role", "auditor", "--hospital", LedgerFixture.Hospital, "--minutes", "5"],
            settings, output, error);

        Assert.Equal(0, exit);
        Assert.Equal("", error.ToString());
        var token = output.ToString().Trim();
        Assert.DoesNotContain('\n', token);
        var caseId = await Api.OpenCase();
        var recorded = await Api.Post($"/cases/{caseId}/entries", Entry, ("Authorization", "Bearer " + token));
        Assert.Equal(201, recorded.Status);
        var jwt = new JsonWebToken(token);
        Assert.Equal(["clinician", "auditor"], jwt.Claims.Where(c => c.Type == "role").Select(c => c.Value));
        Assert.InRange(jwt.ValidTo - jwt.ValidFrom, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));

        string[][] bad =
        [
            ["--sub", "dr-cli", "--hospital", "h"],
            ["--sub", "dr-cli", "--role", "surgeon", "--hospital", "h"],
            ["--sub", "dr cli", "--role", "clinician", "--hospital", "h"],
            ["--sub", "dr-cli", "--role", "clinician", "--hospital", "h", "--minutes", "0"],
            ["--sub", "dr-cli", "--role", "clinician", "--hospital"],
        ];
        foreach (var args in bad)
        {
            var refusedOutput = new StringWriter();
            var refusedError = new StringWriter();
            Assert.Equal(2, TokenCommand.Run(args, settings, refusedOutput, refusedError));
            Assert.Equal("", refusedOutput.ToString());
            Assert.Contains("usage: ops/token", refusedError.ToString());
        }
    }

    [Fact]
    public async Task With_a_configured_public_key_the_ledger_takes_that_providers_tokens_and_no_longer_its_own()
    {
        using var provider = RSA.Create(2048);
        var publicKey = Path.Combine(Fixture.DataDirectory, "provider-public-key.pem");
        await File.WriteAllTextAsync(publicKey, provider.ExportSubjectPublicKeyInfoPem());
        Environment.SetEnvironmentVariable("LEDGER_AUTH_PUBLIC_KEY", publicKey);
        try
        {
            await using var host = await Alba.AlbaHost.For<Program>();
            var api = new LedgerApi(host, Forged(key: new RsaSecurityKey(provider)));

            Assert.Equal(200, (await api.Get("/cases")).Status);
            AssertUnauthorized(await api.As(Fixture.ClinicianToken).Get("/cases"));
            var refused = new StringWriter();
            var settings = new LedgerSettings(null, Fixture.DataDirectory, "127.0.0.1", 5080, LoadDemo: false, AuthPublicKey: publicKey);
            Assert.Equal(2, TokenCommand.Run(["--sub", "dr-cli", "--role", "clinician", "--hospital", "h"], settings, new StringWriter(), refused));
            Assert.Contains("identity provider", refused.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("LEDGER_AUTH_PUBLIC_KEY", null);
        }
    }

    [Fact]
    public async Task With_an_OpenID_Connect_authority_the_ledger_takes_tokens_signed_with_its_published_keys()
    {
        using var provider = RSA.Create(2048);
        var key = new RsaSecurityKey(provider) { KeyId = "provider-key-1" };
        var published = provider.ExportParameters(includePrivateParameters: false);
        // A stand-in identity provider: its discovery document and its keys, over plain HTTP on 127.0.0.1.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var authority = builder.Build();
        string? baseUrl = null;
        authority.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string>
        {
            ["issuer"] = Tokens.Issuer,
            ["jwks_uri"] = baseUrl + "/keys",
        }));
        authority.MapGet("/keys", () => Results.Json(new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(published.Modulus), ["e"] = Base64UrlEncoder.Encode(published.Exponent),
                },
            },
        }));
        await authority.StartAsync();
        baseUrl = authority.Urls.Single();
        Environment.SetEnvironmentVariable("LEDGER_AUTH_AUTHORITY", baseUrl);
        try
        {
            await using var host = await Alba.AlbaHost.For<Program>();
            var api = new LedgerApi(host, Forged(key: key));

            Assert.Equal(200, (await api.Get("/cases")).Status);
            AssertUnauthorized(await api.As(Fixture.ClinicianToken).Get("/cases"));
            AssertUnauthorized(await api.As(Forged(key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = key.KeyId })).Get("/cases"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("LEDGER_AUTH_AUTHORITY", null);
        }
    }
}
