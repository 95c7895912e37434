namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The one way tests reach a ledger process over HTTP: the place where every request gets its credentials.</summary>
public static class LedgerClient
{
    public static HttpClient Create(string baseUrl) => new() { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(15) };
}
