using Microsoft.Extensions.Logging;

namespace Sark.Data.Maintenance;

/// <summary>Log events of <see cref="MaintenanceJob"/> and its background service, ids 1520–1539 of Sark.Data's 1000–1999.</summary>
internal static partial class MaintenanceLog
{
    [LoggerMessage(EventId = 1520, Level = LogLevel.Information, Message = "Maintenance: {Action}")]
    public static partial void Action(this ILogger logger, string action);

    [LoggerMessage(EventId = 1521, Level = LogLevel.Warning, Message = "Maintenance: {Action}")]
    public static partial void LockUnavailable(this ILogger logger, string action);

    [LoggerMessage(EventId = 1522, Level = LogLevel.Error, Message = "Maintenance step {Step} failed")]
    public static partial void StepFailed(this ILogger logger, Exception exception, string step);

    [LoggerMessage(EventId = 1523, Level = LogLevel.Information, Message = "Maintenance skipped: {Reason}")]
    public static partial void Skipped(this ILogger logger, string reason);

    [LoggerMessage(EventId = 1524, Level = LogLevel.Debug, Message = "Maintenance finished in {ElapsedMs} ms with {Actions} action(s)")]
    public static partial void Finished(this ILogger logger, long elapsedMs, int actions);

    [LoggerMessage(EventId = 1525, Level = LogLevel.Error, Message = "Maintenance run failed; the next run is in {Interval}")]
    public static partial void RunFailed(this ILogger logger, Exception exception, TimeSpan interval);
}
