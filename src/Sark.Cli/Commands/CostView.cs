using System.CommandLine;
using System.Globalization;
using Sark.Data.Costs;
using Sark.Data.Errors;

namespace Sark.Cli.Commands;

/// <summary>The options, checks and renderings shared by <c>sark budget</c>, <c>sark cost record</c>, <c>sark reservation</c> and <c>sark maintain</c>.</summary>
internal static class CostView
{
    public static string Amount(decimal value) => CostInput.Format(value);

    public static string Amount(decimal? value) => value is { } amount ? CostInput.Format(amount) : "none";

    public static string Time(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>An amount option, checked while parsing: NaN, Infinity, exponents and garbage are refused naming the text.</summary>
    public static Option<decimal?> AmountOption(string name, string description, bool required = false) =>
        new Option<decimal?>(name) { Description = description, Required = required }.CheckedBy(text => CostInput.ParseAmount(text, name));

    /// <summary>An identifier option (principal, resource, ...), checked while parsing.</summary>
    public static Option<string> IdOption(string name, string description, bool required = true) =>
        new Option<string>(name) { Description = description, Required = required }.CheckedBy(text => CostInput.Id(text, name));

    public static Option<string> CurrencyOption(string description) =>
        new Option<string>("--currency") { Description = description, DefaultValueFactory = _ => "USD" }.CheckedBy(text => CostInput.Currency(text, "--currency"));

    /// <summary>
    /// Parses a duration option whose range is narrower than the shared parser's (1ms to 576h). A text
    /// the parser refuses is reported with this option's own range: the parser's would name limits
    /// (576h for a 7-day hold, 1ms for a 1s interval) that this option refuses anyway.
    /// </summary>
    public static TimeSpan Duration(string text, string name, string range, string example)
    {
        try
        {
            return DurationParser.Parse(text, name);
        }
        catch (UsageException)
        {
            throw new UsageException($"{name} '{text}' is not a duration {range}; expected a number with ms, s, min or h, for example {example}");
        }
    }

    /// <summary>
    /// Parses a duration option whose range is <paramref name="minimum"/> to <paramref name="maximum"/>
    /// (an option's own limits, such as MaintenanceOptions'): every refusal names the text and states
    /// that range, worded by <see cref="DurationParser.Range"/>.
    /// </summary>
    public static TimeSpan Duration(string text, string name, TimeSpan minimum, TimeSpan maximum, string example)
    {
        var value = Duration(text, name, DurationParser.Range(minimum, maximum), example);
        return value < minimum
            ? throw new UsageException($"{name} '{text}' is too short; expected at least {DurationParser.Readable(minimum)}, for example {example}")
            : value > maximum
            ? throw new UsageException($"{name} '{text}' is too long; expected at most {DurationParser.Readable(maximum)}, for example {example}")
            : value;
    }

    public static Option<string?> MetadataOption() =>
        new Option<string?>("--metadata") { Description = "Metadata of the cost row, a JSON object such as '{\"model\":\"gpt-4o\"}'" }
            .CheckedBy(CostInput.Metadata);

    /// <summary>An identifier argument, checked while parsing.</summary>
    public static Argument<string> IdArgument(string name, string description, string what)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            try
            {
                CostInput.Id(result.GetValueOrDefault<string>(), what);
            }
            catch (UsageException ex)
            {
                result.AddError(Output.CliWording.Render(ex.Text));
            }
        });
        return argument;
    }

    public static object Json(BudgetDenial denial) => new
    {
        limit = denial.LimitName,
        limit_amount = denial.LimitAmount,
        spent = denial.Spent,
        reserved = denial.Reserved,
        remaining = denial.Remaining,
        requested = denial.Requested,
        currency = denial.Currency,
    };

    public static object Json(BudgetWindow window) => new
    {
        start = window.Start,
        end = window.End,
        limit = window.Limit,
        spent = window.Spent,
        reserved = window.Reserved,
        remaining = window.Remaining,
        percent = window.Percent,
    };

    public static object Json(BudgetStatus status) => new
    {
        principal = status.Principal,
        currency = status.Currency,
        time_zone = status.TimeZone,
        daily = Json(status.Daily),
        monthly = Json(status.Monthly),
        updated_at = status.UpdatedAt,
    };

    /// <summary>"4.00 of 10.00 USD" or "4.00 USD (no limit)".</summary>
    public static string Use(decimal spent, decimal? limit, string currency) =>
        limit is { } l ? $"{Amount(spent)} of {Amount(l)} {currency}" : $"{Amount(spent)} {currency} (no limit)";

    public static void WriteStatus(CliContext context, BudgetStatus status)
    {
        if (context.Json)
        {
            context.Output.WriteJson(Json(status));
            return;
        }

        context.Output.Line($"budget of principal '{status.Principal}' in {status.Currency}, time zone {status.TimeZone}");
        context.Output.Table(
            ["Window", "Limit", "Spent", "Reserved", "Remaining", "Percent", "Resets at (UTC)"],
            [WindowRow("daily", status.Daily), WindowRow("monthly", status.Monthly)]);
    }

    private static IReadOnlyList<string> WindowRow(string name, BudgetWindow window) =>
    [
        name,
        Amount(window.Limit),
        Amount(window.Spent),
        Amount(window.Reserved),
        window.Remaining is { } remaining ? Amount(remaining) : "-",
        window.Percent is { } percent ? $"{percent.ToString("0.00", CultureInfo.InvariantCulture)} %" : "-",
        Time(window.End),
    ];
}
