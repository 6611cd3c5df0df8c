namespace Sark.Data.Costs;

/// <summary>
/// The outcome of <see cref="CostLedger.ChargeAsync"/>: charged (a cost row written, the budget
/// charged) or denied (<see cref="Denial"/>; nothing written to cost_tracking). A denial is an
/// ordinary outcome, not an exception, so a gateway decides what to answer; call
/// <see cref="ThrowIfDenied"/> to treat it as an error.
/// </summary>
public sealed record ChargeResult
{
    /// <summary>The charge's id.</summary>
    public required string ChargeId { get; init; }

    /// <summary>Who was charged.</summary>
    public required string Principal { get; init; }

    /// <summary>The amount charged or refused.</summary>
    public required decimal Amount { get; init; }

    /// <summary>The budget's currency.</summary>
    public required string Currency { get; init; }

    /// <summary>True when this id was charged or denied before: nothing more was charged now.</summary>
    public required bool Replayed { get; init; }

    /// <summary>The cost row's id, when charged.</summary>
    public long? CostId { get; init; }

    /// <summary>The cost row's timestamp (with <see cref="CostId"/> its key), when charged.</summary>
    public DateTimeOffset? CostTimestamp { get; init; }

    /// <summary>Why it was denied; null when charged.</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>The daily limit (null: none).</summary>
    public decimal? DailyLimit { get; init; }

    /// <summary>The monthly limit (null: none).</summary>
    public decimal? MonthlyLimit { get; init; }

    /// <summary>Spent today (the budget's day) after this charge.</summary>
    public required decimal DailySpent { get; init; }

    /// <summary>Spent this month after this charge.</summary>
    public required decimal MonthlySpent { get; init; }

    /// <summary>Held by pending, unexpired reservations.</summary>
    public required decimal Reserved { get; init; }

    /// <summary>Whether the cost was charged (first time or replayed).</summary>
    public bool IsCharged => Denial is null;

    /// <summary>This result when charged; a <see cref="BudgetExceededException"/> when denied.</summary>
    public ChargeResult ThrowIfDenied() =>
        Denial is { } denial ? throw new BudgetExceededException(denial, $"charge '{ChargeId}'") : this;
}
