using TreatmentLedger.Cohorts;

namespace TreatmentLedger.Tests.Cohorts;

public sealed class RegimenKeyTests
{
    [Theory]
    [InlineData("Crizotinib", "crizotinib")]
    [InlineData("  crizotinib\t", "crizotinib")]
    [InlineData("Carboplatin  +\t\nPemetrexed", "carboplatin + pemetrexed")]
    [InlineData(" FOLFOX  4 ", "folfox 4")]
    [InlineData("ÉTOPOSIDE\u00A0\u00A0Cisplatin", "étoposide cisplatin")]
    [InlineData("carboplatin + pemetrexed", "carboplatin + pemetrexed")]
    [InlineData("", "")]
    [InlineData(" \t ", "")]
    public void The_key_is_lower_case_trimmed_with_inner_white_space_runs_made_one_space(string regimen, string key) =>
        Assert.Equal(key, RegimenKey.Of(regimen));
}
