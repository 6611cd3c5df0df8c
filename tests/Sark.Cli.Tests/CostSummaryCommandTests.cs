using System.Globalization;
using System.Text.Json;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary><c>sark cost summary</c> against a migrated database holding a few cost rows.</summary>
public sealed class CostSummaryCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task SeedAsync(string tag)
    {
        await database.ExecuteAsync($"""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES ('{tag}-r1', 'n', 'grpc', 'h:1');
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency) VALUES
              ('{Iso(Day.AddHours(1))}', '{tag}-ada', '{tag}-r1', '{tag}-c1', 1.5, NULL, 'USD'),
              ('{Iso(Day.AddHours(2))}', '{tag}-ada', '{tag}-r1', '{tag}-c1', NULL, 2.25, 'USD'),
              ('{Iso(Day.AddHours(26))}', '{tag}-ada', '{tag}-r-gone', '{tag}-c2', 4, NULL, 'EUR'),
              ('{Iso(Day.AddHours(27).AddMinutes(30))}', '{tag}-bob', '{tag}-r1', '{tag}-c1', NULL, NULL, 'USD');
            """);
    }

    [Fact]
    public async Task Json_groups_by_protocol_and_currency_and_says_which_part_came_from_the_rollups()
    {
        await SeedAsync("cj");
        await new CostRollups(database.DataSource).RefreshAsync();
        var result = await CliRunner.RunAsync("cost", "summary", "--database", database.Url, "--json", "--by", "protocol",
            "--from", Iso(Day), "--to", Iso(Day.AddDays(2).AddMinutes(70)), "--principal", "cj-ada");
        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("protocol", json.GetProperty("by").GetString());
        var groups = json.GetProperty("groups").EnumerateArray().Select(g =>
            (g.GetProperty("key").GetString(), g.GetProperty("currency").GetString(), g.GetProperty("invocation_count").GetInt64(), g.GetProperty("total_cost").GetDecimal())).ToList();
        Assert.Equal([("unknown", "EUR", 1L, 4m), ("grpc", "USD", 2L, 3.75m)], groups);
        var sources = json.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("source").GetString()).ToList();
        Assert.Equal(["daily_rollup", "hourly_rollup"], sources.Take(2));
        Assert.Equal("cost_rows", sources[^1]);
        Assert.Equal(3, json.GetProperty("invocations_from_rollups").GetInt64());
        Assert.Equal(0, json.GetProperty("invocations_from_cost_rows").GetInt64());
    }

    [Fact]
    public async Task A_table_by_principal_is_the_default_and_a_row_without_cost_counts_as_an_invocation()
    {
        await SeedAsync("ct");
        var result = await CliRunner.RunAsync("cost", "summary", "--database", database.Url, "--from", Iso(Day), "--to", Iso(Day.AddDays(2)));
        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"cost by principal from {Day.UtcDateTime:yyyy-MM-dd} 00:00:00Z", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Principal", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("ct-bob", StringComparison.Ordinal) && l.Contains(" USD ", StringComparison.Ordinal) && l.Contains(" 0 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ct-ada", StringComparison.Ordinal) && l.Contains(" EUR ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ct-ada", StringComparison.Ordinal) && l.Contains(" 3.75 ", StringComparison.Ordinal));

        var none = await CliRunner.RunAsync("cost", "summary", "--database", database.Url, "--principal", "nobody-at-all", "--from", "7d");
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("no cost rows in the period", none.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--by bogus", "sark: --by 'bogus' is not a grouping; expected principal, resource, capability or protocol (see 'sark --help')")]
    [InlineData("--from 2026-12-01 --to 2026-11-01", "sark: --from 2026-12-01T00:00:00Z --to 2026-11-01T00:00:00Z is empty; expected --from earlier than --to (see 'sark --help')")]
    [InlineData("--from 2026-11-01 --to 2026-11-01", "sark: --from 2026-11-01T00:00:00Z --to 2026-11-01T00:00:00Z is empty; expected --from earlier than --to (see 'sark --help')")]
    [InlineData("--from 2010-01-01 --to 2026-01-01", "sark: --from 2010-01-01T00:00:00Z --to 2026-01-01T00:00:00Z is 5844 days long; expected at most 3660 days (ten years) (see 'sark --help')")]
    [InlineData("--from 1900-01-01 --to 1900-02-01", "sark: --from 1900-01-01T00:00:00Z is out of range; expected a time between 1970-01-01 and 2200-01-01 (see 'sark --help')")]
    [InlineData("--from 2026-11-30T10:00", "sark: --from '2026-11-30T10:00' has no time zone; add Z for UTC or an offset such as +01:00 (see 'sark --help')")]
    [InlineData("--to yesterday", "sark: --to 'yesterday' is not a time; expected an ISO 8601 time with Z or an offset (2026-11-30T17:00:00Z), a date (2026-11-30, midnight UTC), or a duration ago such as 30min, 24h or 7d (see 'sark --help')")]
    [InlineData("--from 20000d", "sark: --from '20000d' is too far back; expected a duration up to 3660d (ten years), or a time (see 'sark --help')")]
    [InlineData("--principal", "sark: Required argument missing for option: '--principal'. (see 'sark --help')")]
    public async Task Bad_input_is_refused_before_connecting(string arguments, string error)
    {
        // A database nothing listens on: a command that connected first would report that instead.
        var result = await CliRunner.RunAsync(["cost", "summary", "--database", "postgresql://nobody@127.0.0.1:1/none", .. arguments.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, Assert.Single(result.ErrorLines));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_blank_principal_is_refused_before_connecting()
    {
        var result = await CliRunner.RunAsync("cost", "summary", "--database", "postgresql://nobody@127.0.0.1:1/none", "--principal", " ");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("sark: --principal is empty; expected a principal id (see 'sark --help')", Assert.Single(result.ErrorLines));
    }
}
