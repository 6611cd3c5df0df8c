namespace Sark.Data.Rollups;

/// <summary>What one <see cref="CostRollups.RefreshAsync"/> did.</summary>
public sealed record CostRollupReport
{
    /// <summary>
    /// True when another refresher held the rollup lock (and <see cref="CostRollupOptions.WaitForOtherRefresh"/>
    /// ran out): this call changed nothing and left the work to it. <see cref="HeldBy"/> says who.
    /// </summary>
    public bool Skipped { get; init; }

    /// <summary>The session holding the lock when <see cref="Skipped"/>, as pg_stat_activity shows it.</summary>
    public string? HeldBy { get; init; }

    /// <summary>True when the rollups had never been refreshed: the whole history was rolled up.</summary>
    public bool FirstRun { get; init; }

    /// <summary>The start of the recomputed buckets (a UTC midnight); null when the whole history was.</summary>
    public DateTimeOffset? RecomputedFrom { get; init; }

    /// <summary>UTC days before <see cref="RecomputedFrom"/> recomputed because cost rows stamped in them arrived since the last refresh.</summary>
    public IReadOnlyList<DateOnly> LateDays { get; init; } = [];

    /// <summary>Hourly buckets written (one per hour, principal, resource, capability, protocol and currency).</summary>
    public long HourlyBuckets { get; init; }

    /// <summary>Daily buckets written.</summary>
    public long DailyBuckets { get; init; }

    /// <summary>Cost rows read to recompute them.</summary>
    public long CostRowsRead { get; init; }

    /// <summary>The rollups are exact for cost rows stamped before this instant (see docs/library.md).</summary>
    public DateTimeOffset? ExactThrough { get; init; }

    /// <summary>Whether mv_daily_cost_summary was refreshed (concurrently).</summary>
    public bool ViewRefreshed { get; init; }

    /// <summary>How long the rollup transaction took.</summary>
    public TimeSpan RollupDuration { get; init; }

    /// <summary>How long the view refresh took.</summary>
    public TimeSpan ViewDuration { get; init; }

    /// <summary>The whole call, lock waits included.</summary>
    public TimeSpan Duration { get; init; }
}
