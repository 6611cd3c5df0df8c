namespace Sark.Data.Costs;

/// <summary>One cost row for bulk ingestion (<see cref="CostLedger.IngestAsync"/>): a backfill or a federation import.</summary>
public sealed record CostRecord
{
    /// <summary>When the cost was incurred.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who is charged.</summary>
    public required string Principal { get; init; }

    /// <summary>The resource called.</summary>
    public required string Resource { get; init; }

    /// <summary>The capability called.</summary>
    public required string Capability { get; init; }

    /// <summary>The estimated cost, if known.</summary>
    public decimal? EstimatedCost { get; init; }

    /// <summary>The actual cost, if known; counted in the budget (else the estimate).</summary>
    public decimal? ActualCost { get; init; }

    /// <summary>ISO 4217 code; must be the principal's budget currency.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>Metadata, JSON object text; null means {}.</summary>
    public string? Metadata { get; init; }
}

/// <summary>What <see cref="CostLedger.IngestAsync"/> wrote.</summary>
/// <param name="Rows">Cost rows written.</param>
/// <param name="Principals">Principals whose budgets were charged (or created).</param>
/// <param name="OverLimit">Principals now past a limit (ingestion never refuses a row).</param>
public sealed record IngestionResult(long Rows, int Principals, IReadOnlyList<BudgetOverLimit> OverLimit);

/// <summary>A principal past a limit after ingestion.</summary>
/// <param name="Principal">Whose budget.</param>
/// <param name="Limit">The limit passed (daily first).</param>
/// <param name="LimitAmount">That limit.</param>
/// <param name="Spent">Spent in that window now.</param>
/// <param name="Currency">The budget's currency.</param>
public sealed record BudgetOverLimit(string Principal, BudgetWindowKind Limit, decimal LimitAmount, decimal Spent, string Currency);
