using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JasperFx.Events;
using TreatmentLedger.Entries;
using TreatmentLedger.Recording;

namespace TreatmentLedger.Api.Store;

/// <summary>
/// How entries are stored as events. A clinical entry's event id is derived from its case and entryId, so that the unique
/// index on event ids finds the entries a request names (idempotency, correction targets) in one probe each, and a case
/// can hold an entryId once. A correction's event carries the version of the entry it corrects, for <see cref="CaseState"/>.
/// </summary>
public static class StoredEvents
{
    public const string TargetVersion = "targetVersion";

    /// <summary>
    /// The names an event's row carries for its type (<c>type</c>, <c>mt_dotnet_type</c>), as Marten writes them: what the
    /// ledger's own writers of event rows write (<see cref="CaseOpenings"/>, <see cref="CaseAppends"/>).
    /// </summary>
    public static Dictionary<Type, (string Name, string DotNetName)> RowTypeNames(Marten.Events.EventGraph events) =>
        events.AllKnownEventTypes().ToDictionary(t => t.EventType, t => (t.EventTypeName, events.EventMappingFor(t.EventType).DotNetTypeName));

    /// <summary>The event of a planned entry on a case.</summary>
    public static IEvent For(Guid caseId, PlannedEntry planned)
    {
        var e = Wrappers[planned.Entry.GetType()](planned.Entry);
        if (planned.Entry is ClinicalEntry clinical) e.Id = IdOf(caseId, clinical.EntryId);
        if (planned.TargetVersion is { } version) e.SetHeader(TargetVersion, version);
        return e;
    }

    /// <summary>
    /// Wraps an entry in its typed event (<c>Event&lt;T&gt;</c> of its own type, as Marten reads it back), by a delegate
    /// made once per entry type (a generic type made and instantiated by reflection per event was 3 % of the API's CPU
    /// in a profile of imports).
    /// </summary>
    private static readonly FrozenDictionary<Type, Func<Entry, IEvent>> Wrappers = EntryTypes.All.ToFrozenDictionary(
        t => t.Type,
        t => typeof(StoredEvents).GetMethod(nameof(Wrap), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(t.Type).CreateDelegate<Func<Entry, IEvent>>());

    private static IEvent Wrap<T>(Entry entry) where T : Entry => new Event<T>((T)entry);

    /// <summary>
    /// The event id of a clinical entry: a name-based UUID (version 5, SHA-1) of the entryId in the case's namespace. The
    /// same entryId on another case (a re-imported export) is another event.
    /// </summary>
    public static Guid IdOf(Guid caseId, Guid entryId) => NameBased(caseId, entryId, "");

    /// <summary>
    /// The id of the case that <c>POST /cases</c> opens with a case-opened of the client's <paramref name="entryId"/> at
    /// <paramref name="hospital"/>: a name-based UUID, so that the same opening sent again finds its case (DOMAIN.md's
    /// idempotency by entryId) instead of opening a second one for the same patient.
    /// </summary>
    public static Guid CaseIdOf(string hospital, Guid entryId) => NameBased(OpenedCases, entryId, "case-of:" + hospital);

    private static readonly Guid OpenedCases = new("6f1c2a43-9a5e-4f0e-8b7d-3c2e1a0b9d58");

    /// <summary>
    /// A name-based UUID (version 5, SHA-1) of an entryId and a kind in the case's namespace: clinical events have the
    /// empty kind; the documents that hold an entry's latest correction and its retraction (<see cref="Amendment"/>) others.
    /// </summary>
    public static Guid NameBased(Guid caseId, Guid entryId, string kind)
    {
        Span<byte> name = stackalloc byte[32 + Encoding.UTF8.GetByteCount(kind)];
        caseId.TryWriteBytes(name[..16], bigEndian: true, out _);
        entryId.TryWriteBytes(name[16..32], bigEndian: true, out _);
        Encoding.UTF8.GetBytes(kind, name[32..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>The version a correction's event says it corrects: a long when just appended, a JSON number when read back.</summary>
    public static long? TargetVersionOf(IEvent e) => e.Headers?.GetValueOrDefault(TargetVersion) switch
    {
        long version => version,
        JsonElement { ValueKind: JsonValueKind.Number } json => json.GetInt64(),
        null => null,
        var other => long.Parse(other.ToString()!, System.Globalization.CultureInfo.InvariantCulture),
    };
}
