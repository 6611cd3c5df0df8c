using System.Text.Json;
using Sark.Testing;

namespace Sark.Cli.Tests;

public sealed class ReservationCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--database", fixture.Database.Url]);

    private static string[] Reserve(string principal, params string[] more) =>
        ["reservation", "reserve", "--principal", principal, "--resource", "openai", "--capability", "batch", .. more];

    [Theory]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c|--estimate|NaN", "--estimate 'NaN' is not an amount")]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c", "--estimate")]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c|--estimate|1|--ttl|soon", "--ttl 'soon' is not a duration")]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c|--estimate|1|--ttl|169h", "--ttl '169h' is out of range; expected a duration of at most 7 days (168h)")]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c|--estimate|1|--ttl|0s", "--ttl '0s' is not a duration from 1ms to 7 days (168h); expected a number with ms, s, min or h, for example 30min")]
    [InlineData("reservation|reserve|--principal|p|--resource|r|--capability|c|--estimate|1|--ttl|-1s", "--ttl '-1s' is not a duration from 1ms to 7 days (168h)")]
    [InlineData("reservation|reserve|--principal||--resource|r|--capability|c|--estimate|1", "--principal is empty")]
    [InlineData("reservation|settle|r-1|--actual|Infinity", "--actual 'Infinity' is not an amount")]
    [InlineData("reservation|settle|r-1", "--actual")]
    [InlineData("reservation|release|", "reservation id is empty")]
    public async Task Bad_values_are_one_line_and_exit_2_before_connecting(string command, string says)
    {
        var home = Path.Combine(Path.GetTempPath(), $"sark-reservation-{Guid.NewGuid():N}");
        var result = await CliRunner.RunAsync([.. command.Split('|'), "--data-dir", home]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(home), "the embedded server's home was created");
    }

    [Fact]
    public async Task Reserve_settle_release_and_their_refusals()
    {
        Assert.Equal(0, (await RunAsync("budget", "set", "erin", "--daily", "2")).ExitCode);

        var held = await RunAsync(Reserve("erin", "--id", "job-1", "--estimate", "1.5", "--json"));
        Assert.Equal(0, held.ExitCode);
        Assert.Equal("pending", JsonDocument.Parse(held.Out).RootElement.GetProperty("state").GetString());
        var denied = await RunAsync(Reserve("erin", "--id", "job-2", "--estimate", "1"));
        Assert.Equal(1, denied.ExitCode);
        Assert.Equal("sark: reservation 'job-2' of 1.00 USD denied: principal 'erin' would pass its daily limit of 2.00 USD (spent 0.00, reserved 1.50, remaining 0.50)", denied.ErrorLines.Single());

        var settled = await RunAsync("reservation", "settle", "job-1", "--actual", "2.5", "--json");
        var end = JsonDocument.Parse(settled.Out).RootElement;
        Assert.Equal((1m, "daily", 2.5m), (end.GetProperty("overrun").GetDecimal(), end.GetProperty("over_limit").GetString(), end.GetProperty("daily_spent").GetDecimal()));
        var twice = await RunAsync("reservation", "settle", "job-1", "--actual", "2.5");
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("was already settled at", twice.ErrorLines.Single());

        Assert.Equal(0, (await RunAsync("budget", "set", "erin", "--daily", "none")).ExitCode);
        Assert.Equal(0, (await RunAsync(Reserve("erin", "--id", "job-3", "--estimate", "1"))).ExitCode);
        var released = await RunAsync("reservation", "release", "job-3");
        Assert.Equal("released reservation 'job-3': 1.00 USD no longer held for principal 'erin'\n", released.Out);
        Assert.Equal(1, (await RunAsync("reservation", "release", "job-3")).ExitCode);
        var reused = await RunAsync(Reserve("erin", "--id", "job-3", "--estimate", "2"));
        Assert.Equal(1, reused.ExitCode);
        Assert.Equal(
            "sark: reservation id 'job-3' was already used for another hold (principal 'erin', resource 'openai', capability 'batch', estimate 1.00 USD); this one differs in estimate; use a new id for a new reservation",
            reused.ErrorLines.Single());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id = 'erin'"));
    }
}
