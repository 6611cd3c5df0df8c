using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Rollups;

namespace Sark.Data.Tests.Rollups;

/// <summary>
/// Bad input to every public method is refused with one line before any connection opens: the
/// data source points at a port nothing listens on, so a method that connected first would fail
/// with an unavailable database instead.
/// </summary>
public sealed class RollupBadInputTests
{
    private static readonly NpgsqlDataSource Nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Timeout=1");
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, CostSummaryQuery> BadQueries => new()
    {
        { "cost summary period from 2026-11-01T00:00:00Z to 2026-11-01T00:00:00Z is empty; expected from earlier than to", new CostSummaryQuery { From = Start, To = Start } },
        { "cost summary period from 2026-11-02T00:00:00Z to 2026-11-01T00:00:00Z is empty; expected from earlier than to", new CostSummaryQuery { From = Start.AddDays(1), To = Start } },
        { "cost summary grouping '9' is unknown; expected principal, resource, capability or protocol", new CostSummaryQuery { By = (CostGrouping)9, From = Start, To = Start.AddDays(1) } },
        { "cost summary principal is blank; expected a principal id, or none for every principal", new CostSummaryQuery { From = Start, To = Start.AddDays(1), Principal = " \t" } },
        { "cost summary principal is blank; expected a principal id, or none for every principal", new CostSummaryQuery { From = Start, To = Start.AddDays(1), Principal = "" } },
        { "cost summary principal is 256 characters long or holds control characters; expected a principal id of at most 255 characters", new CostSummaryQuery { From = Start, To = Start.AddDays(1), Principal = new string('p', 256) } },
        { "cost summary period from 2000-01-01T00:00:00Z to 2026-11-01T00:00:00Z is 9801 days long; expected at most 3660 days (ten years)", new CostSummaryQuery { From = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), To = Start } },
        { "cost summary from 0001-01-01T00:00:00Z is out of range; expected a time between 1970-01-01 and 2200-01-01", new CostSummaryQuery { From = DateTimeOffset.MinValue, To = Start } },
        { "cost summary to 9999-12-31T23:59:59.9999999Z is out of range; expected a time between 1970-01-01 and 2200-01-01", new CostSummaryQuery { From = Start, To = DateTimeOffset.MaxValue } },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_summary_query_is_refused_before_connecting(string message, CostSummaryQuery query)
    {
        var refused = await Assert.ThrowsAsync<UsageException>(() => new CostSummaries(Nowhere).SummarizeAsync(query));
        Assert.Equal(message, refused.Message);
        Assert.Equal(SarkErrorKind.Usage, refused.Kind);
        Assert.Equal(message, Assert.Throws<UsageException>(() => CostSummaries.Check(query)).Message);
    }

    [Fact]
    public async Task A_null_query_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => new CostSummaries(Nowhere).SummarizeAsync(null!));
        Assert.Throws<ArgumentNullException>(() => new CostSummaries(null!));
        Assert.Throws<ArgumentNullException>(() => new CostRollups(null!));
    }

    public static TheoryData<string, CostRollupOptions> BadOptions => new()
    {
        { "rollup window 0 s is out of range; expected 1 hour to 366 days (default 3 days)", new CostRollupOptions { Window = TimeSpan.Zero } },
        { "rollup window 367 day(s) is out of range; expected 1 hour to 366 days (default 3 days)", new CostRollupOptions { Window = TimeSpan.FromDays(367) } },
        { "rollup lock timeout 0 s is out of range; expected 1 ms to 1 hour(s)", new CostRollupOptions { LockTimeout = TimeSpan.Zero } },
        { "rollup statement timeout -1 s is out of range; expected 1 ms to 1 day(s)", new CostRollupOptions { StatementTimeout = TimeSpan.FromSeconds(-1) } },
        { "wait for another refresh 2 hour(s) is out of range; expected 0 (do not wait) to 1 hour", new CostRollupOptions { WaitForOtherRefresh = TimeSpan.FromHours(2) } },
        { "recompute from 1969-12-31T00:00:00Z is out of range; expected a time since 1970 and not in the future, or DateTimeOffset.MinValue for the whole history", new CostRollupOptions { RecomputeFrom = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero) } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Bad_refresh_options_are_refused_before_connecting(string message, CostRollupOptions options)
    {
        var rollups = new CostRollups(Nowhere);
        Assert.Equal(message, (await Assert.ThrowsAsync<UsageException>(() => rollups.RefreshAsync(options))).Message);
        Assert.Equal(message, (await Assert.ThrowsAsync<UsageException>(() => rollups.RefreshViewAsync(options))).Message);
    }

    [Fact]
    public async Task A_recompute_from_the_future_is_refused()
    {
        var refused = await Assert.ThrowsAsync<UsageException>(() => new CostRollups(Nowhere).RefreshAsync(new CostRollupOptions { RecomputeFrom = DateTimeOffset.UtcNow.AddDays(3) }));
        Assert.StartsWith("recompute from ", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("is out of range; expected a time since 1970 and not in the future, or DateTimeOffset.MinValue for the whole history", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_input_does_try_to_connect_so_the_refusals_above_came_first()
    {
        var failed = await Assert.ThrowsAnyAsync<SarkException>(() => new CostSummaries(Nowhere).SummarizeAsync(new CostSummaryQuery { From = Start, To = Start.AddDays(1) }));
        Assert.NotEqual(SarkErrorKind.Usage, failed.Kind);
    }
}
