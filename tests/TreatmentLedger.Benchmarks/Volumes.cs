namespace TreatmentLedger.Benchmarks;

/// <summary>How much each scenario does: the full run, or the smoke run of <c>--quick</c>.</summary>
public sealed record Volumes
{
    public required bool Quick { get; init; }

    public int Clients { get; init; } = 16;
    public int ColdStarts { get; init; }

    public int AppendCases { get; init; } = 1000;
    public int AppendWarmups { get; init; } = 1;
    /// <summary>At most this many rounds (one append to each of <see cref="AppendCases"/> cases of their own) let the API's code settle before the HTTP append's warm-ups.</summary>
    public int AppendSettleRounds { get; init; }
    public int AppendReps { get; init; }
    public int AppendRoundsPerRep { get; init; }

    public int ReadWarmups { get; init; } = 1;
    public int ReadReps { get; init; }
    public int ReadsPerRep { get; init; }

    public int ImportClients { get; init; } = 4;
    public int ImportEntries { get; init; } = 500;
    public int ImportWarmups { get; init; } = 1;
    public int ImportReps { get; init; }
    public int ImportFilesPerClient { get; init; }

    public int[] ReplaySizes { get; init; } = [100, 1000, 10_000];
    /// <summary>
    /// Warm-up repetitions per case size, each as long as a measured one: the API meets the replay route in this scenario
    /// first, and its code runs unoptimised for the first few hundred calls (tiered compilation).
    /// </summary>
    public int ReplayWarmups { get; init; }
    public int ReplayReps { get; init; }

    /// <summary>Calls per repetition for a case of <paramref name="size"/> entries: fewer for the big ones.</summary>
    public int ReplayCallsPerRep(int size) => (Quick, size) switch
    {
        (true, <= 100) => 20,
        (true, <= 1_000) => 5,
        (true, _) => 3,
        (false, <= 100) => 100,
        (false, <= 1_000) => 25,
        (false, _) => 6,
    };

    /// <summary>Lengths of the cases of the append-vs-length scenario; the first is the reference the others are compared with.</summary>
    public int[] LengthSizes { get; init; } = [3, 1_000, 5_000, 20_000];
    public int LengthWarmupRounds { get; init; }
    public int LengthReps { get; init; }
    /// <summary>Rounds per repetition: one append to a case of every length each round.</summary>
    public int LengthRoundsPerRep { get; init; }
    /// <summary>Appends per length counted in the WAL pass.</summary>
    public int LengthWalAppends { get; init; }

    public int PeerReplayEntries { get; init; } = 100;
    public int PeerReplayWarmupCalls { get; init; }
    public int PeerReplayReps { get; init; }
    public int PeerReplayCallsPerRep { get; init; }

    public int RebuildCases { get; init; }
    public int RebuildEntriesPerCase { get; init; } = 50;
    public int RebuildWarmups { get; init; } = 1;
    public int RebuildReps { get; init; }

    /// <summary>Issue 11's catch-up: rebuilds of the dashboards' projection over the rebuild scenario's events.</summary>
    public int CatchUpWarmups { get; init; } = 1;
    public int CatchUpReps { get; init; }

    /// <summary>Issue 11's lag: cases appended to, the fixed rate, and how long (warm-up first, then measured).</summary>
    public int LagCases { get; init; } = 1000;
    public int LagRate { get; init; } = 500;
    public int LagWarmupSeconds { get; init; }
    public int LagSeconds { get; init; }

    /// <summary>Issue 12's live feed: clients connected to <c>GET /feed</c>, cases appended to, the fixed rate, and how long.</summary>
    public int FeedClients { get; init; } = 100;
    public int FeedCases { get; init; } = 1000;
    public int FeedRate { get; init; } = 200;
    public int FeedWarmupSeconds { get; init; }
    public int FeedSeconds { get; init; }

    /// <summary>Issue 12's page: loads of <c>/dashboard</c> timed over the demo cohort.</summary>
    public int PageLoads { get; init; }

    /// <summary>Issue 11's survival route: the lines of the cohort, the length of its cases, and the calls timed.</summary>
    public int SurvivalLines { get; init; } = 30_000;
    public int SurvivalEntriesPerCase { get; init; } = 100;
    public int SurvivalWarmups { get; init; } = 1;
    public int SurvivalReps { get; init; }
    public int SurvivalCallsPerRep { get; init; }

    public int AppendEntriesPerCase => 1 + AppendRoundsPerRep * (AppendWarmups + AppendReps);

    public static Volumes For(bool quick) => quick ? QuickRun : Full;

    public static readonly Volumes Full = new()
    {
        Quick = false,
        ColdStarts = 5,
        // The API tiers its code up (tier 0, instrumented, tier 1) on a background thread that shares the two cores
        // with the load, for half a minute or more: see HttpAppendScenario's settling rounds, which run before these.
        AppendSettleRounds = 80,
        AppendWarmups = 5,
        AppendReps = 5,
        AppendRoundsPerRep = 2,
        ReadReps = 5,
        ReadsPerRep = 5_000,
        ImportWarmups = 3,
        ImportReps = 5,
        ImportFilesPerClient = 4,
        ReplayWarmups = 3,
        ReplayReps = 5,
        LengthWarmupRounds = 50,
        LengthReps = 5,
        LengthRoundsPerRep = 40,
        LengthWalAppends = 20,
        PeerReplayWarmupCalls = 50,
        PeerReplayReps = 5,
        PeerReplayCallsPerRep = 200,
        RebuildCases = 20_000,
        RebuildReps = 3,
        // A million events; the first catch-up of the process also compiles the rebuild's code (a few seconds), as the
        // rebuild scenario's first does.
        CatchUpWarmups = 1,
        CatchUpReps = 3,
        LagWarmupSeconds = 5,
        LagSeconds = 25,
        FeedWarmupSeconds = 5,
        FeedSeconds = 30,
        PageLoads = 5,
        SurvivalReps = 5,
        SurvivalCallsPerRep = 100,
    };

    public static readonly Volumes QuickRun = new()
    {
        Quick = true,
        ColdStarts = 2,
        AppendSettleRounds = 2,
        AppendReps = 3,
        AppendRoundsPerRep = 1,
        ReadReps = 3,
        ReadsPerRep = 2_000,
        ImportReps = 3,
        ImportFilesPerClient = 1,
        ReplayWarmups = 1,
        ReplayReps = 3,
        LengthSizes = [3, 1_000, 5_000],
        LengthWarmupRounds = 10,
        LengthReps = 3,
        LengthRoundsPerRep = 15,
        LengthWalAppends = 10,
        PeerReplayWarmupCalls = 20,
        PeerReplayReps = 3,
        PeerReplayCallsPerRep = 50,
        RebuildCases = 1_000,
        RebuildReps = 2,
        CatchUpReps = 2,
        LagWarmupSeconds = 3,
        LagSeconds = 10,
        FeedWarmupSeconds = 2,
        FeedSeconds = 8,
        PageLoads = 2,
        SurvivalLines = 5_000,
        SurvivalReps = 3,
        SurvivalCallsPerRep = 40,
    };
}
