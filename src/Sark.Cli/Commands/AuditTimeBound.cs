using System.Globalization;
using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Cli.Commands;

/// <summary>
/// A <c>--since</c>/<c>--until</c> value: an ISO 8601 time with <c>Z</c> or an offset, a date
/// (midnight UTC), or a duration meaning that long ago (<c>90s</c>, <c>30min</c>, <c>24h</c>,
/// <c>7d</c>). A time without a zone is refused rather than guessed: naive local times are how the
/// original's audit rows ended up ambiguous.
/// </summary>
internal sealed partial record AuditTimeBound(DateTimeOffset? At, TimeSpan? Ago)
{
    private const string Expected = "expected an ISO 8601 time with Z or an offset (2026-11-30T17:00:00Z), a date (2026-11-30, midnight UTC), or a duration ago such as 30min, 24h or 7d";

    // Ten years back is far enough for any audit trail, and keeps now - duration a valid time.
    private static readonly TimeSpan MaximumAgo = TimeSpan.FromDays(3660);

    /// <summary>The time this bound names, durations counted back from <paramref name="now"/>.</summary>
    public DateTimeOffset Resolve(DateTimeOffset now) => At ?? now - Ago!.Value;

    /// <summary>Parses <paramref name="text"/> for option <paramref name="name"/>; a bad value is a usage error.</summary>
    public static AuditTimeBound Parse(string text, string name)
    {
        var trimmed = text.Trim();
        if (Duration().Match(trimmed) is { Success: true } match)
        {
            var n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            var ago = match.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(Math.Min(n, MaximumAgo.TotalMilliseconds + 1)),
                "s" => TimeSpan.FromSeconds(Math.Min(n, MaximumAgo.TotalSeconds + 1)),
                "min" => TimeSpan.FromMinutes(Math.Min(n, MaximumAgo.TotalMinutes + 1)),
                "h" => TimeSpan.FromHours(Math.Min(n, MaximumAgo.TotalHours + 1)),
                _ => TimeSpan.FromDays(Math.Min(n, MaximumAgo.TotalDays + 1)),
            };
            return ago > MaximumAgo
                ? throw new UsageException($"{name} '{text}' is too far back; expected a duration up to 3660d (ten years), or a time")
                : new AuditTimeBound(null, ago);
        }

        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new AuditTimeBound(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), null);
        }

        if (!Zoned().IsMatch(trimmed))
        {
            throw new UsageException(trimmed.Contains('T', StringComparison.Ordinal) || trimmed.Contains(':', StringComparison.Ordinal)
                ? $"{name} '{text}' has no time zone; add Z for UTC or an offset such as +01:00"
                : $"{name} '{text}' is not a time; {Expected}");
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? new AuditTimeBound(at, null)
            : throw new UsageException($"{name} '{text}' is not a time; {Expected}");
    }

    [GeneratedRegex(@"^(?<n>\d{1,9}(?:\.\d{1,6})?)(?<unit>ms|s|min|h|d)$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$")]
    private static partial Regex Zoned();
}
