using System.Globalization;
using System.Text.RegularExpressions;
using Sark.Data.Errors;
using Sark.Data.Federation;
using Sark.Data.Registry;

namespace Sark.Data.Costs;

/// <summary>
/// Checks of the cost ledger's input, run before any connection opens so bad input writes
/// nothing. Amounts are <see cref="decimal"/> and must fit numeric(18,6): 0 or more, at most 6
/// decimals, below 10^12. Identifiers fit the varchar(255) columns.
/// </summary>
internal static partial class CostInput
{
    /// <summary>The largest id a principal, resource, capability, charge or reservation may have.</summary>
    public const int MaxIdLength = 255;

    /// <summary>Amounts are below this (numeric(18,6) holds 12 digits before the point).</summary>
    public const decimal AmountCeiling = 1_000_000_000_000m;

    /// <summary>The longest hold a reservation may ask for.</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromDays(7);

    /// <summary>An identifier: not blank, at most 255 characters, no surrounding blanks or control characters.</summary>
    public static string Id(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new UsageException($"{name} is empty; expected an identifier of at most {MaxIdLength} characters");
        }

        RegistryValues.CheckStorableText(value, name, showValue: false);
        if (value.Length > MaxIdLength)
        {
            throw new UsageException($"{name} is {value.Length} characters long; expected at most {MaxIdLength}");
        }

        // Ids are shown in messages, tables and audit events: no hidden characters in them.
        return value.Trim() == value && !value.Any(char.IsControl) ? value
            : throw new UsageException($"{name} '{FederationInput.Printable(value)}' has surrounding blanks or control characters; expected a plain identifier");
    }

    /// <summary>An amount of money: 0 or more, at most 6 decimals, below 10^12 (numeric(18,6)).</summary>
    public static decimal Amount(decimal value, string name)
    {
        var shown = Format(value);
        if (value < 0)
        {
            throw new UsageException($"{name} {shown} is negative; expected an amount of 0 or more");
        }

        if (decimal.Round(value, 6) != value)
        {
            throw new UsageException($"{name} {shown} has more than 6 decimals; expected an amount with at most 6, such as 0.000125");
        }

        return value < AmountCeiling ? value
            : throw new UsageException($"{name} {shown} is too large; expected an amount below 1000000000000 (numeric(18,6))");
    }

    /// <summary>An optional amount: null stays null.</summary>
    public static decimal? Amount(decimal? value, string name) => value is { } amount ? Amount(amount, name) : null;

    /// <summary>
    /// An amount written as text (a command-line value): digits with an optional decimal point, no
    /// exponent, no thousands separator; NaN, Infinity and anything else is refused naming the text.
    /// </summary>
    public static decimal ParseAmount(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)
            || !PlainNumber().IsMatch(text)
            || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"{name} '{FederationInput.Printable(text ?? "")}' is not an amount; expected a decimal number such as 0.25");
        }

        return Amount(value, name);
    }

    /// <summary>An ISO 4217 code: three capital letters.</summary>
    public static string Currency(string? value, string name = "currency") =>
        value is not null && CurrencyCode().IsMatch(value) ? value
            : throw new UsageException($"{name} '{FederationInput.Printable(value ?? "")}' is not a currency code; expected three capital letters (ISO 4217) such as USD or EUR");

    /// <summary>
    /// The shape of an IANA time zone name (Europe/Paris, UTC, America/Argentina/Buenos_Aires); the
    /// database checks that it knows the zone.
    /// </summary>
    public static string TimeZone(string? value, string name = "time zone") =>
        value is not null && value.Length <= 64 && ZoneName().IsMatch(value) ? value
            : throw new UsageException($"{name} '{FederationInput.Printable(value ?? "")}' is not a time zone name; expected an IANA name such as UTC or Europe/Paris");

    /// <summary>How long a hold lasts: more than 0, at most <see cref="MaxTimeToLive"/>.</summary>
    public static TimeSpan TimeToLive(TimeSpan value, string name = "time to live") =>
        value > TimeSpan.Zero && value <= MaxTimeToLive ? value
            : throw new UsageException($"{name} {value} is out of range; expected a duration above 0 and at most 7 days");

    /// <summary>Metadata as JSON object text; null or empty means {}.</summary>
    public static string Metadata(string? metadata) => FederationInput.Metadata(metadata);

    /// <summary>An amount as messages show it: at least 2 decimals, invariant culture, never rounded.</summary>
    public static string Format(decimal value) =>
        value.ToString(decimal.Round(value, 6) == value ? "0.00####" : "0.00##########################", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[+-]?(\d+(\.\d*)?|\.\d+)$")]
    private static partial Regex PlainNumber();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")]
    private static partial Regex ZoneName();
}
