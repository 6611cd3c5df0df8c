using System.Globalization;
using Sark.Cli.Output;
using Sark.Data.Costs;
using Sark.Data.Rollups;

namespace Sark.Cli.Commands;

/// <summary>
/// The quickstart's tour of cost attribution: budgets for three principals (one in euros, in
/// Berlin's days), charges until one is denied, the budgets' status, and a cost summary read after
/// the rollups are refreshed as <c>sark maintain</c> does. Every charge has a fixed id, so a second
/// run replays the first run's outcomes and charges nothing more: the idempotency a gateway's
/// retries rely on, shown.
/// </summary>
internal sealed class QuickstartCosts(CostLedger ledger, CostRollups rollups, CostSummaries summaries, ConsoleOutput output)
{
    private const string Alice = "alice@quickstart.example";
    private const string Bob = "bob@quickstart.example";
    private const string Carol = "carol@quickstart.example";

    private static readonly (string Principal, decimal? Daily, decimal? Monthly, string Currency, string TimeZone)[] Budgets =
    [
        (Alice, 5.00m, 100.00m, "USD", "UTC"),
        (Bob, 0.05m, 1.00m, "USD", "America/New_York"),
        (Carol, 2.00m, null, "EUR", "Europe/Berlin"),
    ];

    // Bob's 0.02 charges pass twice under his 0.05 a day; the third is denied.
    private static readonly (string Id, string Principal, string Capability, decimal Cost, string Currency)[] Charges =
    [
        ("quickstart-charge-1", Alice, "list_repositories", 0.012m, "USD"),
        ("quickstart-charge-2", Alice, "create_issue", 0.034m, "USD"),
        ("quickstart-charge-3", Carol, "list_repositories", 0.25m, "EUR"),
        ("quickstart-charge-4", Bob, "create_issue", 0.02m, "USD"),
        ("quickstart-charge-5", Bob, "create_issue", 0.02m, "USD"),
        ("quickstart-charge-6", Bob, "delete_repository", 0.02m, "USD"),
    ];

    private const string Resource = "quickstart-http-github";

    /// <summary>Sets the three budgets (the same values again on a second run), then makes the charges.</summary>
    public async Task ChargeUntilDeniedAsync(CancellationToken cancellationToken)
    {
        foreach (var (principal, daily, monthly, currency, zone) in Budgets)
        {
            await ledger.SetBudgetAsync(principal, new BudgetChange
            {
                Daily = daily is { } d ? BudgetLimit.Of(d) : BudgetLimit.None,
                Monthly = monthly is { } m ? BudgetLimit.Of(m) : BudgetLimit.None,
                Currency = currency,
                TimeZone = zone,
            }, cancellationToken);
            output.Line($"budget    {principal}: daily {Limit(daily, currency)}, monthly {Limit(monthly, currency)}, days and months of {zone}");
        }

        foreach (var (id, principal, capability, cost, currency) in Charges)
        {
            var result = await ledger.ChargeAsync(new ChargeRequest
            {
                ChargeId = id, Principal = principal, Resource = Resource, Capability = $"{Resource}:{capability}",
                ActualCost = cost, Currency = currency, Metadata = """{"source": "sark quickstart"}""",
            }, cancellationToken);
            var replayed = result.Replayed ? " (an earlier run's charge, replayed: nothing more charged)" : "";
            output.Line(result.Denial is { } denial
                ? $"charge    {id}: DENIED, {denial.Describe($"charge '{id}'")}{replayed}"
                : $"charge    {id}: {principal} charged {CostView.Amount(cost)} {currency}{replayed}");
        }

        var statuses = new List<BudgetStatus>();
        foreach (var (principal, _, _, _, _) in Budgets)
        {
            statuses.Add((await ledger.GetBudgetStatusAsync(principal, cancellationToken))!);
        }

        output.Table(["Principal", "Today", "Remaining today", "This month", "Zone"],
            statuses.Select(s => (IReadOnlyList<string>)
            [
                s.Principal, CostView.Use(s.Daily.Spent, s.Daily.Limit, s.Currency),
                s.Daily.Remaining is { } left ? CostView.Amount(left) : "-", CostView.Use(s.Monthly.Spent, s.Monthly.Limit, s.Currency), s.TimeZone,
            ]));
    }

    /// <summary>Refreshes the rollups as <c>sark maintain</c> does, then prints the last 30 days' cost by principal.</summary>
    public async Task SummarizeAsync(CancellationToken cancellationToken)
    {
        var refresh = await rollups.RefreshAsync(cancellationToken: cancellationToken);
        output.Line(refresh.Skipped
            ? $"rollups   another refresh is running ({refresh.HeldBy}); the summary reads cost rows"
            : $"rollups   refreshed: {refresh.CostRowsRead.ToString("N0", CultureInfo.InvariantCulture)} cost row(s) read");
        var now = DateTimeOffset.UtcNow;
        var summary = await summaries.SummarizeAsync(new CostSummaryQuery { By = CostGrouping.Principal, From = now.AddDays(-30), To = now }, cancellationToken);
        // The benchmark's generated principals share the database after the first run: shown as a count.
        var ours = summary.Groups.Where(g => Budgets.Any(b => b.Principal == g.Key)).ToList();
        output.Table(["Principal", "Currency", "Invocations", "Total"],
            ours.Select(g => (IReadOnlyList<string>)
            [
                g.Key, g.Currency, g.InvocationCount.ToString("N0", CultureInfo.InvariantCulture),
                g.TotalCost is { } total ? CostView.Amount(total) : "",
            ]));
        var others = summary.Groups.Select(g => g.Key).Distinct(StringComparer.Ordinal).Count(key => Budgets.All(b => b.Principal != key));
        if (others > 0)
        {
            output.Line($"costs     and {others.ToString("N0", CultureInfo.InvariantCulture)} other principal(s) in the period, such as the benchmark's ('sark cost summary' lists them all)");
        }
    }

    private static string Limit(decimal? amount, string currency) => amount is { } a ? $"{CostView.Amount(a)} {currency}" : "none";
}
