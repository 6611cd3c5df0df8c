using System.CommandLine;
using System.Globalization;
using Sark.Cli.Output;
using Sark.Data.Errors;
using Sark.Data.Rollups;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark cost summary</c>: cost over a period by principal, resource, capability or protocol,
/// and by currency, through <see cref="CostSummaries"/> (rollups where they cover the period).
/// </summary>
internal static class CostSummaryCommand
{
    private static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(30);

    private static readonly Option<CostGrouping> By = new Option<CostGrouping>("--by")
    {
        Description = "Group by principal, resource, capability or protocol (and always by currency); default principal",
        HelpName = "principal|resource|capability|protocol",
        DefaultValueFactory = _ => CostGrouping.Principal,
    }.CheckedBy(text => text.Trim().ToLowerInvariant() switch
    {
        "principal" => CostGrouping.Principal,
        "resource" => CostGrouping.Resource,
        "capability" => CostGrouping.Capability,
        "protocol" => CostGrouping.Protocol,
        _ => throw new UsageException($"--by '{text}' is not a grouping; expected principal, resource, capability or protocol"),
    });

    private static readonly Option<AuditTimeBound?> From = Time(
        "--from", "Start of the period, inclusive: ISO 8601 with Z or an offset, a date (UTC), or a duration ago (24h, 7d); default 30 days ago");

    private static readonly Option<AuditTimeBound?> To = Time("--to", "End of the period, exclusive (same forms as --from); default now");

    private static readonly Option<string?> Principal = new Option<string?>("--principal") { Description = "Only this principal's costs" }
        .CheckedBy(text => CheckedOptions.NotAnOption(CheckedOptions.NotBlank(text, "--principal", "a principal id"), "--principal", "a principal id"));

    /// <summary>The <c>summary</c> subcommand, for the <c>cost</c> command to add.</summary>
    public static Command Build()
    {
        var command = new Command("summary", "Cost over a period by principal, resource, capability or protocol, per currency (from the rollups where they cover it)")
        {
            By, From, To, Principal,
        };

        // Checked while parsing, so a bad period is refused before a server starts or a connection opens.
        command.Validators.Add(result =>
        {
            CostSummaryQuery query;
            try
            {
                query = Query(result.GetValue(By), result.GetValue(From), result.GetValue(To), result.GetValue(Principal), DateTimeOffset.UtcNow);
            }
            catch (InvalidOperationException)
            {
                return; // an option's value was refused: its own error is the one reported
            }

            try
            {
                CostSummaries.Check(query);
            }
            catch (UsageException ex)
            {
                result.AddError(CliWording.Render(Flags(ex.Text.ToString())));
            }
        });
        command.SetHandler(async (context, cancellationToken) =>
        {
            var query = Query(context.Get(By), context.Get(From), context.Get(To), context.Get(Principal), DateTimeOffset.UtcNow);
            var summaries = await context.GetAsync<CostSummaries>(cancellationToken);
            Write(context, await summaries.SummarizeAsync(query, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static CostSummaryQuery Query(CostGrouping by, AuditTimeBound? from, AuditTimeBound? to, string? principal, DateTimeOffset now)
    {
        var end = to?.Resolve(now) ?? now;
        return new CostSummaryQuery { By = by, From = from?.Resolve(now) ?? end - DefaultPeriod, To = end, Principal = principal };
    }

    // The library names the bounds "from" and "to"; on the command line they are the options.
    private static string Flags(string message) =>
        message.Replace("cost summary period from", "--from", StringComparison.Ordinal)
            .Replace(" to 2", " --to 2", StringComparison.Ordinal)
            .Replace("expected from earlier than to", "expected --from earlier than --to", StringComparison.Ordinal)
            .Replace("cost summary from", "--from", StringComparison.Ordinal)
            .Replace("cost summary to", "--to", StringComparison.Ordinal);

    private static void Write(CliContext context, CostSummary summary)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                by = Label(summary.By),
                from = summary.From,
                to = summary.To,
                principal = summary.Principal,
                rollups_exact_through = summary.RollupsExactThrough,
                invocations_from_rollups = summary.InvocationsFromRollups,
                invocations_from_cost_rows = summary.InvocationsFromCostRows,
                sources = summary.Sources.Select(s => new { from = s.From, to = s.To, source = Label(s.Origin) }),
                groups = summary.Groups.Select(g => new
                {
                    key = g.Key,
                    currency = g.Currency,
                    invocation_count = g.InvocationCount,
                    costed_count = g.CostedCount,
                    total_cost = g.TotalCost,
                    average_cost = g.AverageCost,
                    min_cost = g.MinCost,
                    max_cost = g.MaxCost,
                }),
            });
            return;
        }

        context.Output.Line($"cost by {Label(summary.By)} from {Time(summary.From)} to {Time(summary.To)}{(summary.Principal is null ? "" : $", principal {summary.Principal}")}");
        if (summary.Groups.Count == 0)
        {
            context.Output.Line("no cost rows in the period");
        }
        else
        {
            var name = Label(summary.By);
            context.Output.Table(
                [char.ToUpperInvariant(name[0]) + name[1..], "Currency", "Invocations", "Costed", "Total", "Average", "Min", "Max"],
                summary.Groups.Select(g => (IReadOnlyList<string>)
                [
                    g.Key, g.Currency, Count(g.InvocationCount), Count(g.CostedCount), Money(g.TotalCost), Money(g.AverageCost), Money(g.MinCost), Money(g.MaxCost),
                ]));
        }

        var rolled = summary.Sources.Where(s => s.Origin != CostSummaryOrigin.CostRows).ToList();
        context.Output.Line(rolled.Count == 0
            ? $"read from cost rows only ({(summary.RollupsExactThrough is { } at ? $"rollups exact through {Time(at)}" : "rollups not refreshed yet")})"
            : $"{Count(summary.InvocationsFromRollups)} invocation(s) from rollups ({Time(rolled[0].From)} to {Time(rolled[^1].To)}), {Count(summary.InvocationsFromCostRows)} from cost rows");
    }

    private static string Label(CostGrouping by) => by.ToString().ToLowerInvariant();

    private static string Label(CostSummaryOrigin origin) => origin switch
    {
        CostSummaryOrigin.DailyRollup => "daily_rollup",
        CostSummaryOrigin.HourlyRollup => "hourly_rollup",
        _ => "cost_rows",
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(decimal? amount) => amount is { } a ? a.ToString("0.######", CultureInfo.InvariantCulture) : "";

    private static Option<AuditTimeBound?> Time(string name, string description) =>
        new Option<AuditTimeBound?>(name) { Description = description }.CheckedBy(text => AuditTimeBound.Parse(text, name));
}
