using Sark.Data.Errors;

namespace Sark.Data.Rollups;

/// <summary>How <see cref="CostRollups.RefreshAsync"/> refreshes the rollups.</summary>
public sealed record CostRollupOptions
{
    /// <summary>The trailing window recomputed by default: cost rows arriving up to 3 days late are counted.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(3);

    /// <summary>The longest <see cref="Window"/> accepted: beyond a year, rebuild with <see cref="RecomputeFrom"/>.</summary>
    public static readonly TimeSpan MaximumWindow = TimeSpan.FromDays(366);

    /// <summary>
    /// How far back every refresh recomputes the buckets, from the start of the UTC day that far
    /// back: a cost row stamped up to this long before it arrives is counted by the next refresh.
    /// Later rows stamped older still are found by their id and their days recomputed too (see
    /// docs/library.md). 1 hour to 366 days.
    /// </summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>
    /// Recompute every bucket from the start of this instant's UTC day on, besides the window: after
    /// cost rows were deleted, or restored with ids of their own. <see cref="DateTimeOffset.MinValue"/>
    /// rebuilds the whole history. Null: the window (and the days of late rows) only.
    /// </summary>
    public DateTimeOffset? RecomputeFrom { get; init; }

    /// <summary>
    /// How long to wait for another refresher (another <c>sark maintain</c>, another host) that holds
    /// the rollup lock. Zero (the default): do not wait; the report says the work was left to it.
    /// </summary>
    public TimeSpan WaitForOtherRefresh { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// lock_timeout of every statement: how long one waits for a table lock before failing. Also how
    /// long a refresh that would otherwise leave the next one to search the whole history for late
    /// rows (the first refresh, a rebuild) waits for the transactions older than it to end.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>statement_timeout of every statement (a rebuild of years of rows needs more than the default).</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Also refresh mv_daily_cost_summary (CONCURRENTLY) after the rollups; true by default.</summary>
    public bool RefreshDailySummaryView { get; init; } = true;

    /// <summary>Refuses options that make no sense, naming the value and what is expected.</summary>
    internal void Check()
    {
        if (Window < TimeSpan.FromHours(1) || Window > MaximumWindow)
        {
            throw new UsageException($"rollup window {Describe(Window)} is out of range; expected 1 hour to 366 days (default 3 days)");
        }

        CheckTimeout(LockTimeout, "rollup lock timeout", TimeSpan.FromHours(1));
        CheckTimeout(StatementTimeout, "rollup statement timeout", TimeSpan.FromDays(1));
        if (WaitForOtherRefresh < TimeSpan.Zero || WaitForOtherRefresh > TimeSpan.FromHours(1))
        {
            throw new UsageException($"wait for another refresh {Describe(WaitForOtherRefresh)} is out of range; expected 0 (do not wait) to 1 hour");
        }

        if (RecomputeFrom is { } from && from != DateTimeOffset.MinValue && (from.Year < 1970 || from > DateTimeOffset.UtcNow.AddDays(1)))
        {
            throw new UsageException($"recompute from {CostSummaryInput.Show(from)} is out of range; expected a time since 1970 and not in the future, or DateTimeOffset.MinValue for the whole history");
        }
    }

    private static void CheckTimeout(TimeSpan value, string name, TimeSpan maximum)
    {
        if (value < TimeSpan.FromMilliseconds(1) || value > maximum)
        {
            throw new UsageException($"{name} {Describe(value)} is out of range; expected 1 ms to {Describe(maximum)}");
        }
    }

    internal static string Describe(TimeSpan value) =>
        value.TotalDays >= 1 && value.Ticks % TimeSpan.TicksPerDay == 0 ? $"{value.TotalDays:0} day(s)"
        : value.TotalHours >= 1 && value.Ticks % TimeSpan.TicksPerHour == 0 ? $"{value.TotalHours:0} hour(s)"
        : $"{value.TotalSeconds:0.###} s";
}
