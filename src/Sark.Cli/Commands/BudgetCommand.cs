using System.CommandLine;
using System.Globalization;
using Sark.Data.Costs;
using Sark.Data.Errors;

namespace Sark.Cli.Commands;

/// <summary><c>sark budget set | show | list</c>: principals' budgets, through <see cref="CostLedger"/>.</summary>
internal static class BudgetCommand
{
    private static readonly Argument<string> Principal = CostView.IdArgument("PRINCIPAL", "The principal whose budget it is", "principal");
    private static readonly Option<BudgetLimit?> Daily = LimitOption("--daily", "Daily limit: an amount, or 'none' for no limit");
    private static readonly Option<BudgetLimit?> Monthly = LimitOption("--monthly", "Monthly limit: an amount, or 'none' for no limit");
    private static readonly Option<string?> Currency = new Option<string?>("--currency") { Description = "ISO 4217 code of the budget (default USD for a new budget)" }
        .CheckedBy(text => CostInput.Currency(text, "--currency"));
    private static readonly Option<string?> TimeZone = new Option<string?>("--time-zone") { Description = "IANA time zone whose days and months are the windows (default UTC)" }
        .CheckedBy(text => CostInput.TimeZone(text, "--time-zone"));

    public static Command Build()
    {
        var budget = new Command("budget", "Budgets of principals: set, show, list") { GlobalOptions.Json };
        budget.Subcommands.Add(Set());
        budget.Subcommands.Add(Show());
        budget.Subcommands.Add(List());
        return budget;
    }

    private static Option<BudgetLimit?> LimitOption(string name, string description) =>
        new Option<BudgetLimit?>(name) { Description = description }.CheckedBy(text =>
            (BudgetLimit?)(string.Equals(text, "none", StringComparison.OrdinalIgnoreCase) ? BudgetLimit.None : BudgetLimit.Of(CostInput.ParseAmount(text, name))));

    private static Command Set()
    {
        var command = new Command("set", "Create or change a budget; options not given keep their value") { Principal, Daily, Monthly, Currency, TimeZone };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var status = await ledger.SetBudgetAsync(
                context.ParseResult.GetValue(Principal)!,
                new BudgetChange { Daily = context.Get(Daily), Monthly = context.Get(Monthly), Currency = context.Get(Currency), TimeZone = context.Get(TimeZone) },
                cancellationToken);
            CostView.WriteStatus(context, status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show a budget: limits, spent, reserved, remaining and percent per window") { Principal };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var principal = context.ParseResult.GetValue(Principal)!;
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var status = await ledger.GetBudgetStatusAsync(principal, cancellationToken)
                ?? throw new SarkException(SarkErrorKind.NotFound, $"principal '{principal}' has no budget; set one with 'sark budget set {principal} --daily AMOUNT'");
            CostView.WriteStatus(context, status);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List budgets by principal");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var ledger = await context.GetAsync<CostLedger>(cancellationToken);
            var budgets = new List<BudgetStatus>();
            string? cursor = null;
            do
            {
                var page = await ledger.ListBudgetsAsync(1000, cursor, cancellationToken);
                budgets.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            if (context.Json)
            {
                context.Output.WriteJson(budgets.Select(CostView.Json));
            }
            else if (budgets.Count == 0)
            {
                context.Output.Line("no budgets; set one with 'sark budget set PRINCIPAL --daily AMOUNT'");
            }
            else
            {
                context.Output.Table(
                    ["Principal", "Currency", "Time zone", "Today", "This month", "Reserved"],
                    budgets.Select(b => (IReadOnlyList<string>)
                    [
                        b.Principal, b.Currency, b.TimeZone,
                        Share(b.Daily), Share(b.Monthly), CostView.Amount(b.Daily.Reserved),
                    ]));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Share(BudgetWindow window) =>
        window.Limit is { } limit
            ? $"{CostView.Amount(window.Spent)} / {CostView.Amount(limit)} ({window.Percent!.Value.ToString("0.0", CultureInfo.InvariantCulture)} %)"
            : $"{CostView.Amount(window.Spent)} / none";
}
