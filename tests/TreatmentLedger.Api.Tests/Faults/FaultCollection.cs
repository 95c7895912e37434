namespace TreatmentLedger.Api.Tests.Faults;

/// <summary>The tests that kill processes run alone, so that the machine's load is theirs when they time answers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}
