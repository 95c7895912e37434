using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TreatmentLedger.Api.Tests.Support;

/// <summary>A logger provider that keeps every log as text: its category, message, values, exception and scopes.</summary>
[ProviderAlias("Captured")]
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public sealed record Log(string Category, LogLevel Level, string Message, string Values, string Exception, IReadOnlyDictionary<string, string> Scopes)
    {
        public string AllText => $"{Category} {Message} {Values} {Exception} {string.Join(" ", Scopes.Select(s => $"{s.Key}={s.Value}"))}";
    }

    public ConcurrentQueue<Log> Logs { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new Dictionary<string, string>();
            var unnamed = 0;
            owner._scopes.ForEachScope((scope, _) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, value) in pairs) scopes[key] = value?.ToString() ?? "";
                else scopes[$"scope{unnamed++}"] = scope?.ToString() ?? "";
            }, 0);
            var values = state is IEnumerable<KeyValuePair<string, object?>> fields
                ? string.Join(" ", fields.Select(f => $"{f.Key}={f.Value}"))
                : state?.ToString() ?? "";
            owner.Logs.Enqueue(new Log(category, logLevel, formatter(state, exception), values, exception?.ToString() ?? "", scopes));
        }
    }
}
