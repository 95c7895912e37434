using System.Text;

namespace TreatmentLedger.Cohorts;

/// <summary>
/// What regimens are grouped and matched by (DASHBOARDS.md): the regimen lower-cased, surrounding white space removed
/// and inner runs of white space made one space, so that "Carboplatin +  Pemetrexed " and "carboplatin + pemetrexed" are
/// one regimen.
/// </summary>
public static class RegimenKey
{
    public static string Of(string regimen)
    {
        var key = new StringBuilder(regimen.Length);
        foreach (var c in regimen.Trim())
        {
            if (!char.IsWhiteSpace(c)) key.Append(char.ToLowerInvariant(c));
            else if (key[^1] != ' ') key.Append(' ');
        }
        return key.ToString();
    }
}
