using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TreatmentLedger.ClinicalDates;

namespace TreatmentLedger.Entries;

/// <summary>
/// Reads the fields of one JSON object, recording a field-level message for each one that is missing, of the
/// wrong kind or out of range, and for each field it was never asked for (nothing a client sends is dropped silently).
/// When it records an error the value it returns is a placeholder, and the caller discards what it built.
/// </summary>
public sealed class PayloadReader
{
    public const int MaxStringLength = 500;
    public const int MaxTextLength = 2000;

    private readonly JsonObject _json;
    private readonly string _path;
    private readonly ValidationErrors _errors;
    // The fields asked for: a dozen at most, so a list (a hash set per object read was about a tenth of what the API
    // allocated importing case files, docs/benchmarks.md).
    private readonly List<string> _read = new(8);

    public PayloadReader(JsonObject json, string path, ValidationErrors errors, DateOnly today)
    {
        _json = json;
        _path = path;
        _errors = errors;
        Today = today;
    }

    public DateOnly Today { get; }

    private string PathOf(string field) => _path.Length == 0 ? field : $"{_path}.{field}";

    private void Error(string field, string message) => _errors.Add(PathOf(field), message);

    private JsonNode? Take(string field)
    {
        _read.Add(field);
        return _json[field];
    }

    /// <summary>Marks a field as known without reading it.</summary>
    public void Ignore(string field) => _read.Add(field);

    public void RejectUnknownFields()
    {
        foreach (var (name, _) in _json)
            if (!_read.Contains(name)) Error(name, "is not a field of this entry type");
    }

    public string RequiredString(string field) => String(field, required: true, MaxStringLength) ?? "";
    public string? OptionalString(string field) => String(field, required: false, MaxStringLength);
    public string? OptionalText(string field) => String(field, required: false, MaxTextLength);

    private string? String(string field, bool required, int maxLength)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            Error(field, "must be a string");
            return null;
        }
        // Kept as sent (nothing a client records is altered); views compare names trimmed and case-insensitive.
        var value = node.GetValue<string>();
        if (string.IsNullOrWhiteSpace(value))
        {
            Error(field, required ? "is required and must not be blank" : "must not be blank (leave the field out instead)");
            return null;
        }
        if (value.Length > maxLength)
        {
            Error(field, $"must be at most {maxLength} characters");
            return null;
        }
        return value;
    }

    public string RequiredEnum(string field, string[] allowed) => Enum(field, allowed, required: true) ?? "";
    public string? OptionalEnum(string field, string[] allowed) => Enum(field, allowed, required: false);

    private string? Enum(string field, string[] allowed, bool required)
    {
        var value = String(field, required, MaxStringLength);
        if (value is null) return null;
        if (allowed.Contains(value, StringComparer.Ordinal)) return value;
        Error(field, $"'{value}' is not one of: {string.Join(", ", allowed)}");
        return null;
    }

    public int RequiredInt(string field, int min, int max) => Int(field, required: true, min, max) ?? 0;
    public int? OptionalInt(string field, int min, int max) => Int(field, required: false, min, max);

    private int? Int(string field, bool required, int min, int max)
    {
        var number = Number(field, required);
        if (number is null) return null;
        if (number != decimal.Truncate(number.Value) || number < min || number > max)
        {
            Error(field, $"must be a whole number from {min} to {max}");
            return null;
        }
        return (int)number.Value;
    }

    public decimal RequiredNumber(string field, decimal? minExclusive = null, decimal? minInclusive = null, decimal? max = null) =>
        Number(field, required: true, minExclusive, minInclusive, max) ?? 0;

    public decimal? OptionalNumber(string field, decimal? minExclusive = null, decimal? minInclusive = null, decimal? max = null) =>
        Number(field, required: false, minExclusive, minInclusive, max);

    private decimal? Number(string field, bool required, decimal? minExclusive, decimal? minInclusive, decimal? max)
    {
        var number = Number(field, required);
        if (number is null) return null;
        if (number <= minExclusive)
            Error(field, $"must be greater than {minExclusive}");
        else if (number < minInclusive)
            Error(field, $"must be at least {minInclusive}");
        else if (number > max)
            Error(field, $"must be at most {max}");
        else
            return number;
        return null;
    }

    private decimal? Number(string field, bool required)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue(out decimal value))
        {
            Error(field, "must be a number");
            return null;
        }
        return value;
    }

    public bool RequiredBool(string field) => Bool(field, required: true) ?? false;
    public bool? OptionalBool(string field) => Bool(field, required: false);

    private bool? Bool(string field, bool required)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        var kind = node.GetValueKind();
        if (kind is JsonValueKind.True or JsonValueKind.False) return kind == JsonValueKind.True;
        Error(field, "must be true or false");
        return null;
    }

    public Guid? OptionalGuid(string field) => Guid(field, required: false);
    public Guid RequiredGuid(string field) => Guid(field, required: true) ?? System.Guid.Empty;

    private Guid? Guid(string field, bool required)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        if (node.GetValueKind() == JsonValueKind.String && System.Guid.TryParse(node.GetValue<string>(), out var id) && id != System.Guid.Empty)
            return id;
        Error(field, "must be a uuid");
        return null;
    }

    /// <summary>A clinical date, which may not lie after today.</summary>
    public ClinicalDate? Date(string field, bool required)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        var text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
        if (!ClinicalDate.TryParse(text, out var date, out var message))
        {
            Error(field, message);
            return null;
        }
        if (date.Earliest > Today)
        {
            Error(field, $"'{date}' is in the future (today is {Today:yyyy-MM-dd})");
            return null;
        }
        return date;
    }

    public IReadOnlyList<string>? OptionalStrings(string field)
    {
        var node = Take(field);
        if (node is null) return null;
        if (node is not JsonArray array)
        {
            Error(field, "must be an array of strings");
            return null;
        }
        var values = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            var item = array[i];
            if (item is null || item.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetValue<string>())
                || item.GetValue<string>().Length > MaxStringLength)
                Error($"{field}[{i}]", $"must be a non-blank string of at most {MaxStringLength} characters");
            else
                values.Add(item.GetValue<string>());
        }
        return values;
    }

    public IReadOnlyList<T>? OptionalObjects<T>(string field, Func<PayloadReader, T> read) => Objects(field, required: false, read);

    public IReadOnlyList<T> RequiredObjects<T>(string field, Func<PayloadReader, T> read) => Objects(field, required: true, read) ?? [];

    private List<T>? Objects<T>(string field, bool required, Func<PayloadReader, T> read)
    {
        var node = Take(field);
        if (node is null)
        {
            if (required) Error(field, "is required");
            return null;
        }
        if (node is not JsonArray array)
        {
            Error(field, "must be an array of objects");
            return null;
        }
        if (required && array.Count == 0) Error(field, "must hold at least one item");
        var items = new List<T>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject item)
            {
                Error($"{field}[{i}]", "must be an object");
                continue;
            }
            var reader = new PayloadReader(item, PathOf($"{field}[{i}]"), _errors, Today);
            items.Add(read(reader));
            reader.RejectUnknownFields();
        }
        return items;
    }

    public JsonObject? OptionalObject(string field)
    {
        var node = Take(field);
        if (node is null) return null;
        if (node is JsonObject obj) return obj;
        Error(field, "must be an object");
        return null;
    }

    public string Nested(string field) => PathOf(field);

    /// <summary>Whether the object gives a value at a path such as <c>totalDoseGy</c> or <c>agents[0].dose</c>.</summary>
    public bool Gives(string path)
    {
        JsonNode? node = _json;
        foreach (var segment in path.Split('.'))
        {
            var match = Regex.Match(segment, @"^([A-Za-z][A-Za-z0-9]*)((?:\[\d{1,4}\])*)$");
            if (!match.Success || node is not JsonObject obj) return false;
            node = obj[match.Groups[1].Value];
            foreach (Match index in Regex.Matches(match.Groups[2].Value, @"\d+"))
            {
                if (node is not JsonArray array || int.Parse(index.Value) >= array.Count) return false;
                node = array[int.Parse(index.Value)];
            }
            if (node is null) return false;
        }
        return true;
    }
    public ValidationErrors Errors => _errors;
}
