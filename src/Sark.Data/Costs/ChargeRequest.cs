namespace Sark.Data.Costs;

/// <summary>
/// One charge for <see cref="CostLedger.ChargeAsync"/>: a cost row of <see cref="Principal"/> for
/// a call of <see cref="Capability"/> on <see cref="Resource"/>, charged to the principal's budget.
/// The amount charged is <see cref="ActualCost"/>, or <see cref="EstimatedCost"/> when no actual
/// cost is known; at least one must be given.
/// </summary>
public sealed record ChargeRequest
{
    /// <summary>
    /// The caller's id of this charge (a request id): a retry with the same id returns the first
    /// outcome and charges nothing more. Kept for <see cref="CostLedger.DefaultLedgerRetention"/>.
    /// </summary>
    public required string ChargeId { get; init; }

    /// <summary>Who is charged (at most 255 characters).</summary>
    public required string Principal { get; init; }

    /// <summary>The resource called.</summary>
    public required string Resource { get; init; }

    /// <summary>The capability called.</summary>
    public required string Capability { get; init; }

    /// <summary>The estimated cost, if known: 0 or more, at most 6 decimals.</summary>
    public decimal? EstimatedCost { get; init; }

    /// <summary>The actual cost, if known: 0 or more, at most 6 decimals. Charged when given.</summary>
    public decimal? ActualCost { get; init; }

    /// <summary>ISO 4217 code; must be the budget's currency (a new principal's budget takes it).</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>Free-form metadata of the cost row, JSON object text; null means {}.</summary>
    public string? Metadata { get; init; }
}
