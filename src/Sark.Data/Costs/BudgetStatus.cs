namespace Sark.Data.Costs;

/// <summary>A principal's budget as it stands now, windows rolled as a charge would roll them.</summary>
public sealed record BudgetStatus
{
    /// <summary>Whose budget.</summary>
    public required string Principal { get; init; }

    /// <summary>ISO 4217 code of every amount.</summary>
    public required string Currency { get; init; }

    /// <summary>The IANA zone whose calendar days and months are the windows.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Today (in the budget's zone).</summary>
    public required BudgetWindow Daily { get; init; }

    /// <summary>This month (in the budget's zone).</summary>
    public required BudgetWindow Monthly { get; init; }

    /// <summary>When the budget row last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One window of a budget: its span, limit, spend and holds.</summary>
/// <param name="Kind">Day or month.</param>
/// <param name="Start">First instant of the window.</param>
/// <param name="End">First instant after it.</param>
/// <param name="Limit">The limit; null when there is none.</param>
/// <param name="Spent">Charged in the window.</param>
/// <param name="Reserved">Held by pending, unexpired reservations (they count against every window).</param>
public sealed record BudgetWindow(BudgetWindowKind Kind, DateTimeOffset Start, DateTimeOffset End, decimal? Limit, decimal Spent, decimal Reserved)
{
    /// <summary>What may still be charged or held (never below 0); null without a limit.</summary>
    public decimal? Remaining => Limit is { } limit ? Math.Max(0, limit - Spent - Reserved) : null;

    /// <summary>
    /// Spent as a percentage of the limit, 2 decimals (above 100 after a settled overrun); null
    /// without a limit; a limit of 0 is 0 % until something is spent, then 100 %.
    /// </summary>
    public decimal? Percent => Limit switch
    {
        null => null,
        0 => Spent > 0 ? 100 : 0,
        { } limit => decimal.Round(Spent * 100 / limit, 2),
    };
}
