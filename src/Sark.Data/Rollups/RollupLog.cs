using Microsoft.Extensions.Logging;

namespace Sark.Data.Rollups;

/// <summary>Log events of the rollups, ids 1760–1779 of Sark.Data's 1000–1999.</summary>
internal static partial class RollupLog
{
    [LoggerMessage(EventId = 1760, Level = LogLevel.Information,
        Message = "Cost rollups refreshed from {RecomputedFrom}: {HourlyBuckets} hourly and {DailyBuckets} daily bucket(s) from {CostRows} cost row(s) in {Milliseconds} ms; exact through {ExactThrough}")]
    public static partial void Refreshed(this ILogger logger, string recomputedFrom, long hourlyBuckets, long dailyBuckets, long costRows, long milliseconds, DateTimeOffset? exactThrough);

    [LoggerMessage(EventId = 1761, Level = LogLevel.Information, Message = "Cost rollup refresh skipped: another refresher holds the rollup lock ({HeldBy})")]
    public static partial void Skipped(this ILogger logger, string heldBy);

    [LoggerMessage(EventId = 1762, Level = LogLevel.Information, Message = "Cost rows stamped on {Days} day(s) before the window arrived since the last refresh; those days were recomputed")]
    public static partial void LateDays(this ILogger logger, int days);

    [LoggerMessage(EventId = 1763, Level = LogLevel.Debug, Message = "mv_daily_cost_summary refreshed concurrently in {Milliseconds} ms")]
    public static partial void ViewRefreshed(this ILogger logger, long milliseconds);
}
