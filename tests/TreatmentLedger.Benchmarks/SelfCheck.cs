using TreatmentLedger.Benchmarks.Workload;
using TreatmentLedger.Entries;
using TreatmentLedger.History;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Benchmarks;

/// <summary>
/// Before anything is timed: generated cases must be valid. A few are judged by the domain's own
/// <see cref="RecordingPlan"/> (every rule, against the case so far) and their case-file JSON read back by
/// <see cref="EntryJson.Read"/> without a single error.
/// </summary>
public static class SelfCheck
{
    public static void GeneratedCasesAreValid(DateOnly today)
    {
        foreach (var (count, seed, death) in new[] { (300, 1, false), (300, 2, true), (501, 3, true), (60, 4, false) })
        {
            var entries = SyntheticCase.Generate(count, seed, today, death);
            if (entries.Count != count) throw new InvalidOperationException($"generator made {entries.Count} entries, not {count}");
            var (_, refusal) = RecordingPlan.Decide(CaseContext.NewCase, entries, DateTimeOffset.UtcNow, Guid.NewGuid);
            if (refusal is not null)
                throw new InvalidOperationException($"generated case (seed {seed}) breaks a rule at entry {refusal.Index} ({entries[refusal.Index].Type}): {refusal.Detail}");
            for (var i = 0; i < entries.Count; i++)
            {
                var errors = new ValidationErrors();
                var read = EntryJson.Read(EntryJson.Write(entries[i]), "", errors, today);
                if (read is null || errors.Any || EntryJson.Fingerprint(read) != EntryJson.Fingerprint(entries[i]))
                    throw new InvalidOperationException($"generated entry {i} (seed {seed}, {entries[i].Type}) does not read back: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
            }
        }
        var file = CaseJson.CaseFile(SyntheticCase.Generate(10, 5, today));
        if (file.Length == 0) throw new InvalidOperationException("empty case file");
        LongCoursesAreValid(today);
    }

    /// <summary>
    /// The long courses of the append-vs-length scenario, with the entries appended to them today: every rule kept
    /// (the appended cycles need the line the course leaves active), no death, every course entry dated before today,
    /// and a course long enough to change lines reads back.
    /// </summary>
    private static void LongCoursesAreValid(DateOnly today)
    {
        foreach (var (count, seed) in new[] { (3, 11), (60, 12), (2_300, 13) })
        {
            var course = LongCourse.Generate(count, seed, today);
            var entries = course.Entries;
            if (entries.Count != count) throw new InvalidOperationException($"long-course generator made {entries.Count} entries, not {count}");
            if (count > LongCourse.EntriesPerLine + 100 && course.Lines < 2) throw new InvalidOperationException($"a long course of {count} entries has {course.Lines} line");
            if (entries.Any(e => e is PatientDied)) throw new InvalidOperationException("a long course has a death");
            if (entries.OfType<ClinicalEntry>().Max(e => e.Date.Anchor) >= today) throw new InvalidOperationException("a long course has an entry dated today or later");
            List<Entry> withAppends = [.. entries, .. Enumerable.Range(0, 4).Select(_ => course.NextAppend(today))];
            var (_, refusal) = RecordingPlan.Decide(CaseContext.NewCase, withAppends, DateTimeOffset.UtcNow, Guid.NewGuid);
            if (refusal is not null)
                throw new InvalidOperationException($"long course (seed {seed}) breaks a rule at entry {refusal.Index} ({withAppends[refusal.Index].Type}): {refusal.Detail}");
            for (var i = 0; i < withAppends.Count; i++)
            {
                var errors = new ValidationErrors();
                var read = EntryJson.Read(EntryJson.Write(withAppends[i]), "", errors, today);
                if (read is null || errors.Any || EntryJson.Fingerprint(read) != EntryJson.Fingerprint(withAppends[i]))
                    throw new InvalidOperationException($"long-course entry {i} (seed {seed}, {withAppends[i].Type}) does not read back: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
            }
            // The requests that build the courses must stay within the API's body limits (413 otherwise).
            foreach (var batch in entries.Chunk(Scenarios.CaseLengthScenario.EntriesPerBatch))
                if (CaseJson.Batch(batch).Length is var bytes && bytes > Api.Http.Limits.BodyBytes)
                    throw new InvalidOperationException($"a batch of {batch.Length:N0} long-course entries takes {bytes:N0} bytes, over the API's {Api.Http.Limits.BodyBytes:N0}");
            var perEntry = (double)CaseJson.CaseFile(entries).Length / entries.Count;
            if (perEntry * Scenarios.CaseLengthScenario.EntriesPerRequest > Api.Http.Limits.CaseFileBodyBytes / 2)
                throw new InvalidOperationException($"long-course case files take {perEntry:N0} bytes an entry: an import of {Scenarios.CaseLengthScenario.EntriesPerRequest:N0} would near the API's limit");
        }
    }
}
