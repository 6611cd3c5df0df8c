using System.CommandLine;
using Sark.Data.Costs;

namespace Sark.Cli.Commands;

/// <summary><c>sark reservation reserve | settle | release</c>: holds against a budget, through <see cref="CostLedger"/>.</summary>
internal static class ReservationCommand
{
    private static readonly Option<string> Principal = CostView.IdOption("--principal", "Whose budget holds the estimate");
    private static readonly Option<string> Resource = CostView.IdOption("--resource", "The resource to be called");
    private static readonly Option<string> Capability = CostView.IdOption("--capability", "The capability to be called");
    private static readonly Option<decimal?> Estimate = CostView.AmountOption("--estimate", "The amount to hold", required: true);
    private static readonly Option<decimal?> Actual = CostView.AmountOption("--actual", "The actual cost to charge", required: true);
    private static readonly Option<string> Currency = CostView.CurrencyOption("ISO 4217 code; must be the budget's (default USD)");
    private static readonly Option<string?> Id = new Option<string?>("--id") { Description = "Your id of the hold (default: a new id, printed)" }
        .CheckedBy(text => CostInput.Id(text, "--id"));
    private static readonly Option<string> Ttl = new Option<string>("--ttl") { Description = "How long the hold counts before it expires (default 15min, at most 7 days)", DefaultValueFactory = _ => "15min" }
        .CheckedBy(text => CostView.Duration(text, "--ttl", "from 1ms to 7 days (168h)", "30min") <= CostInput.MaxTimeToLive ? text
            : throw new Sark.Data.Errors.UsageException($"--ttl '{text}' is out of range; expected a duration of at most 7 days (168h)"));
    private static readonly Option<string?> Metadata = CostView.MetadataOption();
    private static readonly Argument<string> ReservationId = CostView.IdArgument("RESERVATION_ID", "The hold's id", "reservation id");

    public static Command Build()
    {
        var reservation = new Command("reservation", "Holds against a budget for long calls: reserve, then settle or release") { GlobalOptions.Json };
        reservation.Subcommands.Add(Reserve());
        reservation.Subcommands.Add(Settle());
        reservation.Subcommands.Add(Release());
        return reservation;
    }

    private static Command Reserve()
    {
        var command = new Command("reserve", "Hold an estimate against the principal's limits; refused (exit 1) when it does not fit")
        {
            Principal, Resource, Capability, Estimate, Currency, Id, Ttl, Metadata,
        };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var result = await ledger.ReserveAsync(
                new ReservationRequest
                {
                    ReservationId = context.Get(Id) ?? Guid.CreateVersion7().ToString(),
                    Principal = context.Get(Principal)!,
                    Resource = context.Get(Resource)!,
                    Capability = context.Get(Capability)!,
                    Estimate = context.Get(Estimate)!.Value,
                    Currency = context.Get(Currency)!,
                    TimeToLive = DurationParser.Parse(context.Get(Ttl)!, "--ttl"),
                    Metadata = context.Get(Metadata),
                },
                cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new
                {
                    reservation_id = result.ReservationId,
                    principal = result.Principal,
                    state = result.State.ToString().ToLowerInvariant(),
                    replayed = result.Replayed,
                    estimate = result.Estimate,
                    currency = result.Currency,
                    expires_at = result.ExpiresAt,
                    reserved = result.Reserved,
                    denial = result.Denial is { } denial ? CostView.Json(denial) : null,
                });
            }
            else if (result.Denial is null)
            {
                context.Output.Line(
                    $"reservation '{result.ReservationId}' holds {CostView.Amount(result.Estimate)} {result.Currency} for principal '{result.Principal}' until {CostView.Time(result.ExpiresAt)} UTC"
                    + (result.Replayed ? $" (reserved before; now {result.State.ToString().ToLowerInvariant()})" : "")
                    + $"; held in all {CostView.Amount(result.Reserved)} {result.Currency}");
            }

            result.ThrowIfDenied();
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Settle()
    {
        var command = new Command("settle", "Charge a hold's actual cost (recorded even past the limit, reported as an overrun)") { ReservationId, Actual, Metadata };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var end = await ledger.SettleAsync(context.ParseResult.GetValue(ReservationId)!, context.Get(Actual)!.Value, context.Get(Metadata), cancellationToken);
            Write(context, end);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Release()
    {
        var command = new Command("release", "Free a hold without charging anything") { ReservationId };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            Write(context, await ledger.ReleaseAsync(context.ParseResult.GetValue(ReservationId)!, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, ReservationEnd end)
    {
        var over = end.OverLimit is { } window ? (window == BudgetWindowKind.Daily ? "daily" : "monthly") : null;
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                reservation_id = end.ReservationId,
                principal = end.Principal,
                state = end.State.ToString().ToLowerInvariant(),
                estimate = end.Estimate,
                actual = end.Actual,
                overrun = end.Overrun,
                over_limit = over,
                currency = end.Currency,
                cost_id = end.CostId,
                daily_spent = end.DailySpent,
                monthly_spent = end.MonthlySpent,
            });
            return;
        }

        if (end.State == ReservationState.Released)
        {
            context.Output.Line($"released reservation '{end.ReservationId}': {CostView.Amount(end.Estimate)} {end.Currency} no longer held for principal '{end.Principal}'");
            return;
        }

        context.Output.Line(
            $"settled reservation '{end.ReservationId}': charged {CostView.Amount(end.Actual!.Value)} {end.Currency} to principal '{end.Principal}' "
            + $"(estimate {CostView.Amount(end.Estimate)}{(end.Overrun > 0 ? $", overrun {CostView.Amount(end.Overrun)}" : "")}); "
            + $"today {CostView.Use(end.DailySpent, end.DailyLimit, end.Currency)}"
            + (over is null ? "" : $"; now past its {over} limit"));
    }
}
