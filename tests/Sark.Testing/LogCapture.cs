using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sark.Testing;

/// <summary>One log event as a provider received it: its rendered message and its structured values.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, Exception? Exception)
{
    /// <summary>Everything the event would write anywhere: message, values, exception.</summary>
    public string AllText => string.Join("\n", new[] { Message, Exception?.ToString() ?? "" }.Concat(Values.Select(v => $"{v.Key}={v.Value}")));
}

/// <summary>A logging provider that keeps every event at every level, for tests that assert what is logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> events = new();

    public IReadOnlyList<CapturedLog> Events => [.. events];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>A logger of category <typeparamref name="T"/>, for a class constructed directly.</summary>
    public ILogger<T> For<T>() => new TypedLogger<T>(CreateLogger(typeof(T).FullName!));

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            capture.events.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), [.. values], exception));
        }
    }

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
