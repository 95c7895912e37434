using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using TreatmentLedger.Api.Security;
using Microsoft.AspNetCore.Authorization;
using System.Globalization;
using TreatmentLedger.Api.Http;
using TreatmentLedger.Api.Store;
using Wolverine.Http;
using Dose = TreatmentLedger.Projections.CumulativeDose;

namespace TreatmentLedger.Api.CumulativeDose;

/// <summary><c>GET /cases/{caseId}/cumulative-dose?alphaBeta=10</c>: radiotherapy per site, systemic per drug, alerts.</summary>
public static class GetCumulativeDose
{
    [Authorize(Policy = Policies.ReadCases)]
    [ProducesResponseType<Projections.CumulativeDoseView>(StatusCodes.Status200OK)]
    [WolverineGet("/cases/{caseId}/cumulative-dose")]
    public static Task<IResult> Get(Guid caseId, string? asOf, string? knownAt, string? alphaBeta, ClaimsPrincipal user, CaseReader reader, CancellationToken ct)
    {
        var ratio = Dose.DefaultAlphaBeta;
        // Digits and a decimal point only: "3,5" is not read as 35 (no thousands separator), nor " 3" or "1e1".
        if (!string.IsNullOrEmpty(alphaBeta) && (!decimal.TryParse(alphaBeta, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out ratio) || ratio <= 0 || ratio > 100))
            return Task.FromResult(Results.Problem(Problems.Invalid("alphaBeta", $"'{alphaBeta}' is not an alpha/beta ratio in Gy: a number above 0 and at most 100, with a decimal point (3.5)")));
        return reader.ViewAsync(user.Hospital(), caseId, asOf, knownAt, (history, point) => Dose.Of(history, point, ratio), ct);
    }
}
