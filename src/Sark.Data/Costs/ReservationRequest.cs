namespace Sark.Data.Costs;

/// <summary>
/// A hold of <see cref="Estimate"/> against a principal's budget before a long call
/// (<see cref="CostLedger.ReserveAsync"/>); settle it with the actual cost or release it.
/// </summary>
public sealed record ReservationRequest
{
    /// <summary>The caller's id of the hold: a retry with the same id returns the same hold.</summary>
    public required string ReservationId { get; init; }

    /// <summary>Whose budget.</summary>
    public required string Principal { get; init; }

    /// <summary>The resource to be called (the settled cost row's).</summary>
    public required string Resource { get; init; }

    /// <summary>The capability to be called.</summary>
    public required string Capability { get; init; }

    /// <summary>The amount held: 0 or more, at most 6 decimals.</summary>
    public required decimal Estimate { get; init; }

    /// <summary>ISO 4217 code; must be the budget's currency.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>How long the hold counts (default 15 minutes, at most 7 days); then it expires.</summary>
    public TimeSpan TimeToLive { get; init; } = CostLedger.DefaultReservationTimeToLive;

    /// <summary>Metadata for the cost row written when it is settled, JSON object text.</summary>
    public string? Metadata { get; init; }
}

/// <summary>Where a hold is: pending (counts against the limits), or finished one way.</summary>
public enum ReservationState
{
    /// <summary>Held; counts against the limits until it expires.</summary>
    Pending,

    /// <summary>Settled with the actual cost (a cost row written).</summary>
    Settled,

    /// <summary>Released: nothing charged.</summary>
    Released,

    /// <summary>Not settled in time: no longer counts, cannot be settled.</summary>
    Expired,

    /// <summary>Refused: it did not fit the limits.</summary>
    Denied,
}

/// <summary>The outcome of <see cref="CostLedger.ReserveAsync"/>: held, or denied.</summary>
public sealed record ReservationResult
{
    /// <summary>The hold's id.</summary>
    public required string ReservationId { get; init; }

    /// <summary>Whose budget.</summary>
    public required string Principal { get; init; }

    /// <summary>Pending when held now; on a replay, where the hold is now.</summary>
    public required ReservationState State { get; init; }

    /// <summary>True when this id was reserved before: the earlier hold is returned, nothing new held.</summary>
    public required bool Replayed { get; init; }

    /// <summary>The amount held or refused.</summary>
    public required decimal Estimate { get; init; }

    /// <summary>The budget's currency.</summary>
    public required string Currency { get; init; }

    /// <summary>When the hold stops counting.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Held in all by pending, unexpired reservations of the principal (this one included when held).</summary>
    public required decimal Reserved { get; init; }

    /// <summary>Why it was denied; null when held.</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>This result when held; a <see cref="BudgetExceededException"/> when denied.</summary>
    public ReservationResult ThrowIfDenied() =>
        Denial is { } denial ? throw new BudgetExceededException(denial, $"reservation '{ReservationId}'") : this;
}

/// <summary>A settled or released hold.</summary>
public sealed record ReservationEnd
{
    /// <summary>The hold's id.</summary>
    public required string ReservationId { get; init; }

    /// <summary>Whose budget.</summary>
    public required string Principal { get; init; }

    /// <summary>Settled or Released.</summary>
    public required ReservationState State { get; init; }

    /// <summary>The amount that was held.</summary>
    public required decimal Estimate { get; init; }

    /// <summary>The actual cost charged; null when released.</summary>
    public decimal? Actual { get; init; }

    /// <summary>How much the actual cost passed the estimate (0 when it did not).</summary>
    public decimal Overrun => Actual is { } actual ? Math.Max(0, actual - Estimate) : 0;

    /// <summary>The budget's currency.</summary>
    public required string Currency { get; init; }

    /// <summary>The cost row's id, when settled.</summary>
    public long? CostId { get; init; }

    /// <summary>The cost row's timestamp, when settled.</summary>
    public DateTimeOffset? CostTimestamp { get; init; }

    /// <summary>Spent today after this.</summary>
    public required decimal DailySpent { get; init; }

    /// <summary>Spent this month after this.</summary>
    public required decimal MonthlySpent { get; init; }

    /// <summary>The daily limit (null: none).</summary>
    public decimal? DailyLimit { get; init; }

    /// <summary>The monthly limit (null: none).</summary>
    public decimal? MonthlyLimit { get; init; }

    /// <summary>The limit the spend now passes (a settled overrun is recorded even past it); null when within.</summary>
    public BudgetWindowKind? OverLimit =>
        DailyLimit is { } daily && DailySpent > daily ? BudgetWindowKind.Daily
        : MonthlyLimit is { } monthly && MonthlySpent > monthly ? BudgetWindowKind.Monthly
        : null;
}
