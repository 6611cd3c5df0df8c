namespace Sark.Data.Rollups;

/// <summary>A cost summary to compute: <see cref="CostSummaries.SummarizeAsync"/>.</summary>
public sealed record CostSummaryQuery
{
    /// <summary>What to group by; by principal unless told.</summary>
    public CostGrouping By { get; init; } = CostGrouping.Principal;

    /// <summary>Start of the period, inclusive. Required.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the period, exclusive; later than <see cref="From"/>, at most 3,660 days after it.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Only this principal's costs; null for every principal.</summary>
    public string? Principal { get; init; }
}
