using System.Globalization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using Wolverine.Http;
using Dose = TreatmentLedger.Projections.CumulativeDose;

namespace TreatmentLedger.Api.CumulativeDose;

/// <summary><c>GET /cases/{caseId}/cumulative-dose?alphaBeta=10</c>: radiotherapy per site, systemic per drug, alerts.</summary>
public static class GetCumulativeDose
{
    [WolverineGet("/cases/{caseId}/cumulative-dose")]
    public static Task<IResult> Get(Guid caseId, HttpRequest request, CaseReader reader, CancellationToken ct)
    {
        var text = request.Query["alphaBeta"].ToString();
        var alphaBeta = Dose.DefaultAlphaBeta;
        if (text.Length > 0 && (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out alphaBeta) || alphaBeta <= 0 || alphaBeta > 100))
            return Task.FromResult(Problems.Invalid("alphaBeta", $"'{text}' is not an alpha/beta ratio in Gy: a number above 0 and at most 100"));
        return reader.ViewAsync(caseId, request, (history, point) => Dose.Of(history, point, alphaBeta), ct);
    }
}
