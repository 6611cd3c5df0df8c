namespace Sark.Data.Costs;

/// <summary>A limit to set: an amount, or <see cref="None"/> (no limit).</summary>
/// <param name="Amount">The limit; null means no limit.</param>
public readonly record struct BudgetLimit(decimal? Amount)
{
    /// <summary>No limit: spend is tracked, never refused.</summary>
    public static BudgetLimit None => new(null);

    /// <summary>A limit of <paramref name="amount"/>.</summary>
    public static BudgetLimit Of(decimal amount) => new(amount);
}

/// <summary>
/// What <see cref="CostLedger.SetBudgetAsync"/> changes; a null property keeps what the budget has
/// (a new budget: no limits, USD, UTC).
/// </summary>
public sealed record BudgetChange
{
    /// <summary>The daily limit to set, or null to keep it.</summary>
    public BudgetLimit? Daily { get; init; }

    /// <summary>The monthly limit to set, or null to keep it.</summary>
    public BudgetLimit? Monthly { get; init; }

    /// <summary>
    /// ISO 4217 code, or null to keep it. Changes only while nothing is spent this month or held:
    /// spend in two currencies cannot be added up.
    /// </summary>
    public string? Currency { get; init; }

    /// <summary>
    /// The IANA time zone whose calendar days and months are the windows (UTC by default), or null
    /// to keep it. On a change, what is spent carries into the current windows of the new zone.
    /// </summary>
    public string? TimeZone { get; init; }
}
