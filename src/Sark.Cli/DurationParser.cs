using System.Globalization;
using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>Parses durations such as 500ms, 10s, 5min, 1h (a bare number is seconds).</summary>
internal static partial class DurationParser
{
    public static TimeSpan Parse(string text, string optionName)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            throw new UsageException($"{optionName} '{text}' is not a duration; expected a positive number with ms, s, min or h (for example 10s)");
        }

        return match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "min" or "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromSeconds(n),
        };
    }

    [GeneratedRegex(@"^(?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s|min|m|h)?$")]
    private static partial Regex Pattern();
}
