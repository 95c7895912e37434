using System.Text.Json.Nodes;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>The case files the tests record (from ops/demo, copied next to the test build under Cases/).</summary>
public static class CaseFiles
{
    /// <summary>The founding case (the published report).</summary>
    public const string FoundingCase = "imt-alk-case.json";

    public const string IndependentCase = "independent-case.json";

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Cases", name);

    public static JsonObject Read(string name) => JsonNode.Parse(File.ReadAllText(PathOf(name)))!.AsObject();
}
