namespace TreatmentLedger.Entries;

/// <summary>Field-level messages, keyed by the field's path in the request (e.g. <c>entries[3].doses[0].amount</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => Count > 0;

    /// <summary>How many messages in all.</summary>
    public int Count { get; private set; }

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages)) _errors[field] = messages = [];
        messages.Add(message);
        Count++;
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(p => p.Key, p => p.Value.ToArray());
}
