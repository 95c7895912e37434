using System.Net.Http.Headers;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The one way tests reach a ledger process over HTTP: the place where every request gets its credentials.</summary>
public static class LedgerClient
{
    public static HttpClient Create(string baseUrl, string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(15) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
