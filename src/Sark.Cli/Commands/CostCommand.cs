using System.CommandLine;
using Sark.Data.Costs;

namespace Sark.Cli.Commands;

/// <summary><c>sark cost record</c>: one charge through <see cref="CostLedger.ChargeAsync"/>.</summary>
internal static class CostCommand
{
    private static readonly Option<string> Principal = CostView.IdOption("--principal", "Who is charged");
    private static readonly Option<string> Resource = CostView.IdOption("--resource", "The resource called");
    private static readonly Option<string> Capability = CostView.IdOption("--capability", "The capability called");
    private static readonly Option<decimal?> Actual = CostView.AmountOption("--actual", "The actual cost (charged when given)");
    private static readonly Option<decimal?> Estimated = CostView.AmountOption("--estimated", "The estimated cost (charged when there is no --actual)");
    private static readonly Option<string> Currency = CostView.CurrencyOption("ISO 4217 code; must be the budget's (default USD)");
    private static readonly Option<string?> ChargeId = new Option<string?>("--charge-id") { Description = "Your id of this charge: running the command again with it charges nothing more (default: a new id)" }
        .CheckedBy(text => CostInput.Id(text, "--charge-id"));
    private static readonly Option<string?> Metadata = CostView.MetadataOption();

    public static Command Build()
    {
        var cost = new Command("cost", "Cost attribution: record a charge, summarize costs by principal, resource, capability or protocol") { GlobalOptions.Json };
        cost.Subcommands.Add(Record());
        cost.Subcommands.Add(CostSummaryCommand.Build());
        return cost;
    }

    private static Command Record()
    {
        var command = new Command("record", "Record a cost and charge the principal's budget; refused (exit 1) over a limit")
        {
            Principal, Resource, Capability, Actual, Estimated, Currency, ChargeId, Metadata,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(Actual) is null && result.GetResult(Estimated) is null)
            {
                result.AddError("give the cost with --actual or --estimated (or both)");
            }
        });
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var result = await ledger.ChargeAsync(
                new ChargeRequest
                {
                    ChargeId = context.Get(ChargeId) ?? Guid.CreateVersion7().ToString(),
                    Principal = context.Get(Principal)!,
                    Resource = context.Get(Resource)!,
                    Capability = context.Get(Capability)!,
                    ActualCost = context.Get(Actual),
                    EstimatedCost = context.Get(Estimated),
                    Currency = context.Get(Currency)!,
                    Metadata = context.Get(Metadata),
                },
                cancellationToken);
            Write(context, result);
            result.ThrowIfDenied();
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, ChargeResult result)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                charge_id = result.ChargeId,
                principal = result.Principal,
                outcome = result.IsCharged ? "charged" : "denied",
                replayed = result.Replayed,
                amount = result.Amount,
                currency = result.Currency,
                cost_id = result.CostId,
                cost_timestamp = result.CostTimestamp,
                daily_spent = result.DailySpent,
                daily_limit = result.DailyLimit,
                monthly_spent = result.MonthlySpent,
                monthly_limit = result.MonthlyLimit,
                reserved = result.Reserved,
                denial = result.Denial is { } denial ? CostView.Json(denial) : null,
            });
        }
        else if (result.IsCharged)
        {
            var again = result.Replayed ? " (already charged before: nothing more charged)" : "";
            context.Output.Line(
                $"charged {CostView.Amount(result.Amount)} {result.Currency} to principal '{result.Principal}' (charge '{result.ChargeId}'){again}; "
                + $"today {CostView.Use(result.DailySpent, result.DailyLimit, result.Currency)}, this month {CostView.Use(result.MonthlySpent, result.MonthlyLimit, result.Currency)}");
        }
    }
}
