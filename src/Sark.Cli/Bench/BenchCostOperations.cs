using System.Globalization;
using Npgsql;
using Sark.Data.Costs;

namespace Sark.Cli.Bench;

/// <summary>
/// Cost attribution's operations: one charge (the cost row and the principal's budget, in one
/// transaction), 32 clients charging one principal at once (checked for exact totals afterwards),
/// and bulk ingestion by binary COPY. They write under the data set's written-principal prefix:
/// cost rows, charge ids, budgets and holds, all removed after each operation.
/// </summary>
internal static class BenchCostOperations
{
    /// <summary>What one charge costs: six decimals' worth of precision, so a lost increment shows in the sum.</summary>
    public const decimal Amount = 0.0013m;

    /// <summary>Clients of the concurrent charge: the figure, a busy gateway's worth.</summary>
    public const int ConcurrentClients = 32;

    /// <summary>Cost rows per ingestion call: a backfill's or a peer's batch.</summary>
    public const int IngestBatch = 10_000;

    // High enough that no measured run reaches it (30,000 charges a second for 10 s is 390): the
    // concurrent charge measures charges that pass the check, every one of them counted.
    private const decimal HotLimit = 1_000_000m;

    public static readonly BenchOperation Charge = new(
        "cost-charge", "one cost row written and its principal's budget charged, one transaction (CostLedger.ChargeAsync)", BenchTarget.P99(2), false,
        CostLedger.ChargeSql, [], (data, random) => [Request(data, data.WrittenPrincipalPrefix + random.Next(1, data.Principals + 1).ToString(CultureInfo.InvariantCulture), random)],
        data => BenchOperations.Script(data, Variables + "\n\\set p random(1, {Principals})", ChargeScript("'{Prefix}w-' || :p::text")))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Costs.ChargeAsync((ChargeRequest)values[0], cancellationToken),
    };

    public static readonly BenchOperation ChargeConcurrent = new(
        "cost-charge-concurrent", $"{ConcurrentClients} clients charging one principal's budget at once (CostLedger.ChargeAsync); totals checked exactly", BenchTarget.PerSecond(1000), false,
        CostLedger.ChargeSql, [], (data, random) => [Request(data, HotPrincipal(data), random)],
        data => BenchOperations.Script(data, Variables, ChargeScript("'{Prefix}w-hot'")))
    {
        Clients = ConcurrentClients,
        StoreCall = (stores, values, cancellationToken) => stores.Costs.ChargeAsync((ChargeRequest)values[0], cancellationToken),
        Prepare = (stores, data, cancellationToken) => stores.Costs.SetBudgetAsync(
            HotPrincipal(data), new BudgetChange { Daily = BudgetLimit.Of(HotLimit), Monthly = BudgetLimit.Of(HotLimit) }, cancellationToken),
        Check = CheckHotTotalsAsync,
    };

    public static readonly BenchOperation Ingest = new(
        "cost-ingest", $"{IngestBatch:N0} cost rows ingested by one binary COPY, budgets charged per principal (CostLedger.IngestAsync)", BenchTarget.PerSecond(100_000), false,
        "COPY cost_tracking FROM STDIN (FORMAT BINARY)", [],
        (data, random) => [Enumerable.Range(0, IngestBatch).Select(_ => Record(data, random)).ToList()],
        PgbenchScript: null)
    {
        UnitsPerCall = IngestBatch,
        StoreCall = (stores, values, cancellationToken) => stores.Costs.IngestAsync((List<CostRecord>)values[0], cancellationToken),
    };

    public static string HotPrincipal(BenchDataset data) => data.WrittenPrincipalPrefix + "hot";

    // A charge id pgbench cannot repeat in practice: its client and a random number up to 10^15.
    private const string Variables = "\\set n random(1, {Resources})\n\\set j random(1, 10)\n\\set r random(1, 1000000000000000)";

    private static string ChargeScript(string principal) =>
        BenchOperations.OneLine(CostLedger.ChargeSql)
            .Replace("$1", "'{Prefix}w-pgbench-' || :client_id::text || '-' || :r::text", StringComparison.Ordinal)
            .Replace("$2", principal, StringComparison.Ordinal)
            .Replace("$3", "'{Prefix}r-' || :n::text", StringComparison.Ordinal)
            .Replace("$4", "'{Prefix}c-' || :n::text || '-' || :j::text", StringComparison.Ordinal)
            .Replace("$5", "0.0012", StringComparison.Ordinal)
            .Replace("$6", Amount.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$7", "'USD'", StringComparison.Ordinal)
            .Replace("$8", "'{\"model\": \"bench\"}'", StringComparison.Ordinal)
            .Replace("$9", "NULL", StringComparison.Ordinal) + ";";

    private static ChargeRequest Request(BenchDataset data, string principal, Random random)
    {
        var resource = random.Next(1, data.Resources + 1);
        return new ChargeRequest
        {
            ChargeId = data.WrittenPrincipalPrefix + "charge-" + Guid.NewGuid().ToString("N"),
            Principal = principal,
            Resource = data.ResourceId(resource),
            Capability = data.CapabilityId(resource, random.Next(1, BenchDataset.CapabilitiesPerResource + 1)),
            EstimatedCost = 0.0012m,
            ActualCost = Amount,
            Metadata = """{"model": "bench"}""",
        };
    }

    // A backfill's row: some hours back, so it lands in this month's partition or the one before.
    private static CostRecord Record(BenchDataset data, Random random)
    {
        var resource = random.Next(1, data.Resources + 1);
        return new CostRecord
        {
            Timestamp = DateTimeOffset.UtcNow.AddMinutes(-random.Next(0, 24 * 60)),
            Principal = data.WrittenPrincipalPrefix + random.Next(1, data.Principals + 1).ToString(CultureInfo.InvariantCulture),
            Resource = data.ResourceId(resource),
            Capability = data.CapabilityId(resource, random.Next(1, BenchDataset.CapabilitiesPerResource + 1)),
            EstimatedCost = 0.0012m,
            ActualCost = Amount,
            Metadata = """{"model": "bench"}""",
        };
    }

    // Every charge that passed is in the budget's day once: spent is exactly their number times
    // the amount, and there is one cost row per charged id (a lost increment or a double charge
    // shows here). Counted from the ledger, so the warm-up's charges count too.
    internal static async Task<BenchCheck> CheckHotTotalsAsync(NpgsqlConnection connection, BenchDataset data, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT b.daily_spent,
                   (SELECT count(*) FROM cost_charges c WHERE c.principal_id = b.principal_id AND c.outcome = 'charged'
                        AND c.cost_timestamp >= b.last_daily_reset),
                   (SELECT count(*) FROM cost_tracking t WHERE t.principal_id = b.principal_id AND t."timestamp" >= b.last_daily_reset),
                   (SELECT count(*) FROM cost_charges c WHERE c.principal_id = b.principal_id AND c.outcome <> 'charged')
            FROM principal_budgets b WHERE b.principal_id = $1
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HotPrincipal(data) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new BenchCheck(false, "the principal's budget row is missing");
        }

        var (spent, charged, rows, denied) = (reader.GetDecimal(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        var expected = charged * Amount;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{charged:N0} charges passed, {denied:N0} denied, {rows:N0} cost rows, spent {spent} (expected {expected} = {charged:N0} x {Amount})");
        return new BenchCheck(spent == expected && rows == charged && denied == 0, text);
    }
}

/// <summary>What an operation's check of the database found: whether its totals are exact, and the figures.</summary>
internal sealed record BenchCheck(bool Passed, string Text);
