namespace Sark.Data.Rollups;

/// <summary>
/// Cost over a period grouped by principal, resource, capability or protocol, and by currency:
/// amounts in two currencies are never added up. <see cref="Sources"/> says which part of the
/// period came from which rollup and which from cost rows.
/// </summary>
public sealed record CostSummary
{
    /// <summary>What the groups are.</summary>
    public required CostGrouping By { get; init; }

    /// <summary>Start of the period, inclusive.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the period, exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The principal filter, or null.</summary>
    public string? Principal { get; init; }

    /// <summary>One row per group and currency: by currency, then the largest total first.</summary>
    public required IReadOnlyList<CostSummaryGroup> Groups { get; init; }

    /// <summary>The period cut into parts, in time order, each read from one source.</summary>
    public required IReadOnlyList<CostSummarySource> Sources { get; init; }

    /// <summary>The instant the rollups were exact through when read; null before the first refresh.</summary>
    public DateTimeOffset? RollupsExactThrough { get; init; }

    /// <summary>Invocations counted from rollup buckets.</summary>
    public long InvocationsFromRollups { get; init; }

    /// <summary>
    /// Invocations counted from cost_tracking: the parts outside the rollups, and rows inside them
    /// that arrived after the last refresh.
    /// </summary>
    public long InvocationsFromCostRows { get; init; }
}

/// <summary>One group of a <see cref="CostSummary"/>, in one currency.</summary>
/// <param name="Key">The principal, resource, capability or protocol.</param>
/// <param name="Currency">ISO 4217 code of every amount in the row.</param>
/// <param name="InvocationCount">Cost rows.</param>
/// <param name="CostedCount">Cost rows with a cost (actual, else estimated).</param>
/// <param name="TotalCost">Sum of the costs; 0 when none had one.</param>
/// <param name="MinCost">Smallest cost, or null when none had one.</param>
/// <param name="MaxCost">Largest cost, or null when none had one.</param>
public sealed record CostSummaryGroup(
    string Key, string Currency, long InvocationCount, long CostedCount, decimal TotalCost, decimal? MinCost, decimal? MaxCost)
{
    /// <summary>Mean cost of the rows with a cost, or null when none had one.</summary>
    public decimal? AverageCost => CostedCount == 0 ? null : TotalCost / CostedCount;
}

/// <summary>Where a part of a summary's period was read from.</summary>
public enum CostSummaryOrigin
{
    /// <summary>cost_rollup_daily: whole UTC days.</summary>
    DailyRollup,
    /// <summary>cost_rollup_hourly: whole UTC hours.</summary>
    HourlyRollup,
    /// <summary>cost_tracking: parts of hours, and the time after the rollups are exact.</summary>
    CostRows,
}

/// <summary>A part [From, To) of a summary's period and where it was read from.</summary>
/// <param name="From">Start of the part, inclusive.</param>
/// <param name="To">End of the part, exclusive.</param>
/// <param name="Origin">The table it was read from.</param>
public sealed record CostSummarySource(DateTimeOffset From, DateTimeOffset To, CostSummaryOrigin Origin);
