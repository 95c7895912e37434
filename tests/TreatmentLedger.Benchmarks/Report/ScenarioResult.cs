namespace TreatmentLedger.Benchmarks.Report;

/// <summary>One row of the table, and the details printed under it.</summary>
public sealed record ScenarioResult(
    string Scenario,
    string LedgerFigure,
    string BaselineFigure,
    string Ratio,
    string Target,
    bool? Met,
    string Notes,
    IReadOnlyList<string> Details)
{
    public static ScenarioResult Failed(string scenario, string target, Exception e) =>
        new(scenario, "failed", "", "", target, false, $"the scenario failed: {e.GetType().Name}: {FirstLine(e.Message)}",
            [$"The scenario threw {e.GetType().FullName}:", "", "```", e.ToString(), "```"]);

    public static ScenarioResult Missing(string scenario, string target, string why) =>
        new(scenario, "not measured", "", "", target, null, why, [why]);

    private static string FirstLine(string text) => text.Split('\n')[0];
}
