using System.Globalization;
using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>Parses durations such as 500ms, 10s, 5min, 1h (a bare number is seconds).</summary>
internal static partial class DurationParser
{
    // PostgreSQL takes lock_timeout and statement_timeout in whole milliseconds up to 2,147,483,647
    // (24.8 days); one range for every duration option keeps them all valid and overflow-free.
    public static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(1);

    public static readonly TimeSpan Maximum = TimeSpan.FromHours(576);

    private static readonly string Accepted = $"expected a number with ms, s, min or h {Range(Minimum, Maximum)}, for example 10s";

    /// <summary>"from 1s to 168h (7 days)": a range as an option's message states it.</summary>
    public static string Range(TimeSpan minimum, TimeSpan maximum) => $"from {Readable(minimum)} to {Readable(maximum)}";

    /// <summary>
    /// A duration as the user would type it (1ms, 5s, 10min, 2h), largest whole unit first; whole
    /// days also in days, which is how people think of them: 168h (7 days), 576h (24 days).
    /// </summary>
    public static string Readable(TimeSpan duration)
    {
        var ticks = duration.Ticks;
        return ticks >= TimeSpan.TicksPerDay && ticks % TimeSpan.TicksPerDay == 0
                ? $"{ticks / TimeSpan.TicksPerHour}h ({ticks / TimeSpan.TicksPerDay} {(ticks == TimeSpan.TicksPerDay ? "day" : "days")})"
            : ticks >= TimeSpan.TicksPerHour && ticks % TimeSpan.TicksPerHour == 0 ? $"{ticks / TimeSpan.TicksPerHour}h"
            : ticks >= TimeSpan.TicksPerMinute && ticks % TimeSpan.TicksPerMinute == 0 ? $"{ticks / TimeSpan.TicksPerMinute}min"
            : ticks >= TimeSpan.TicksPerSecond && ticks % TimeSpan.TicksPerSecond == 0 ? $"{ticks / TimeSpan.TicksPerSecond}s"
            : $"{(long)duration.TotalMilliseconds}ms";
    }

    public static TimeSpan Parse(string text, string optionName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            throw new UsageException($"{optionName} '{text}' is not a duration; {Accepted}");
        }

        var milliseconds = n * match.Groups["unit"].Value switch
        {
            "ms" => 1,
            "min" or "m" => 60_000,
            "h" => 3_600_000,
            _ => 1000,
        };

        // Compared before a TimeSpan is built: a huge value would overflow it. Below 1 ms PostgreSQL
        // would round to 0, which means "no timeout", the opposite of what was asked.
        if (double.IsNaN(milliseconds) || milliseconds < Minimum.TotalMilliseconds || milliseconds > Maximum.TotalMilliseconds)
        {
            throw new UsageException($"{optionName} '{text}' is out of range; {Accepted}");
        }

        return TimeSpan.FromMilliseconds(Math.Round(milliseconds));
    }

    /// <summary>Checks a duration option when the command line is parsed; the text is kept as given.</summary>
    public static string Check(string text, string optionName)
    {
        Parse(text, optionName);
        return text;
    }

    [GeneratedRegex(@"^(?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s|min|m|h)?$")]
    private static partial Regex Pattern();
}
