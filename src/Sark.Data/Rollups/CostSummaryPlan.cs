namespace Sark.Data.Rollups;

/// <summary>
/// How a summary's period [from, to) is cut: whole UTC days inside the part the rollups are exact
/// for come from the daily rollup, the whole hours around them from the hourly rollup, the rest
/// (parts of hours at the edges, and everything after the rollups' exact instant) from cost rows.
/// </summary>
internal static class CostSummaryPlan
{
    public static IReadOnlyList<CostSummarySource> Cut(DateTimeOffset from, DateTimeOffset to, DateTimeOffset? exactThrough)
    {
        var parts = new List<CostSummarySource>();
        var hoursFrom = CeilHour(from);
        var hoursTo = exactThrough is { } exact ? FloorHour(exact < to ? exact : to) : hoursFrom;
        if (hoursFrom >= hoursTo)
        {
            parts.Add(new CostSummarySource(from, to, CostSummaryOrigin.CostRows));
            return parts;
        }

        Add(parts, from, hoursFrom, CostSummaryOrigin.CostRows);
        var daysFrom = CeilDay(hoursFrom);
        var daysTo = FloorDay(hoursTo);
        if (daysFrom < daysTo)
        {
            Add(parts, hoursFrom, daysFrom, CostSummaryOrigin.HourlyRollup);
            Add(parts, daysFrom, daysTo, CostSummaryOrigin.DailyRollup);
            Add(parts, daysTo, hoursTo, CostSummaryOrigin.HourlyRollup);
        }
        else
        {
            Add(parts, hoursFrom, hoursTo, CostSummaryOrigin.HourlyRollup);
        }

        Add(parts, hoursTo, to, CostSummaryOrigin.CostRows);
        return parts;
    }

    private static void Add(List<CostSummarySource> parts, DateTimeOffset from, DateTimeOffset to, CostSummaryOrigin origin)
    {
        if (from < to)
        {
            parts.Add(new CostSummarySource(from, to, origin));
        }
    }

    private static DateTimeOffset FloorHour(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        return new DateTimeOffset(utc.Date.AddHours(utc.Hour), TimeSpan.Zero);
    }

    private static DateTimeOffset CeilHour(DateTimeOffset t)
    {
        var floor = FloorHour(t);
        return floor == t ? floor : floor.AddHours(1);
    }

    private static DateTimeOffset FloorDay(DateTimeOffset t) => new(t.UtcDateTime.Date, TimeSpan.Zero);

    private static DateTimeOffset CeilDay(DateTimeOffset t)
    {
        var floor = FloorDay(t);
        return floor == t ? floor : floor.AddDays(1);
    }
}
