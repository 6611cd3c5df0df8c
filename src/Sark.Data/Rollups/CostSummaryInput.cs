using System.Globalization;
using Sark.Data.Errors;

namespace Sark.Data.Rollups;

/// <summary>Checks of a summary query, before any connection opens.</summary>
internal static class CostSummaryInput
{
    /// <summary>The longest period summarised at once: ten years.</summary>
    public static readonly TimeSpan MaximumPeriod = TimeSpan.FromDays(3660);

    private static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int MaxPrincipalLength = 255;

    public static void Check(CostSummaryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!Enum.IsDefined(query.By))
        {
            throw new UsageException($"cost summary grouping '{(int)query.By}' is unknown; expected principal, resource, capability or protocol");
        }

        foreach (var (name, value) in new[] { ("from", query.From), ("to", query.To) })
        {
            if (value < Earliest || value > Latest)
            {
                throw new UsageException($"cost summary {name} {Show(value)} is out of range; expected a time between 1970-01-01 and 2200-01-01");
            }
        }

        if (query.From >= query.To)
        {
            throw new UsageException($"cost summary period from {Show(query.From)} to {Show(query.To)} is empty; expected from earlier than to");
        }

        if (query.To - query.From > MaximumPeriod)
        {
            throw new UsageException(
                $"cost summary period from {Show(query.From)} to {Show(query.To)} is {(query.To - query.From).TotalDays:0.#} days long; expected at most 3660 days (ten years)");
        }

        if (query.Principal is { } principal)
        {
            if (string.IsNullOrWhiteSpace(principal))
            {
                throw new UsageException("cost summary principal is blank; expected a principal id, or none for every principal");
            }

            if (principal.Length > MaxPrincipalLength || principal.Any(char.IsControl))
            {
                throw new UsageException($"cost summary principal is {principal.Length} characters long or holds control characters; expected a principal id of at most {MaxPrincipalLength} characters");
            }
        }
    }

    public static string Show(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture).Replace(".Z", "Z", StringComparison.Ordinal);
}
