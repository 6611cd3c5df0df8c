using System.Text.Json;
using Sark.Testing;

namespace Sark.Cli.Tests;

public sealed class CostCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--database", fixture.Database.Url]);

    private static string[] Record(string principal, params string[] more) =>
        ["cost", "record", "--principal", principal, "--resource", "openai", "--capability", "chat", .. more];

    [Theory]
    [InlineData("--actual|NaN", "--actual 'NaN' is not an amount; expected a decimal number such as 0.25")]
    [InlineData("--actual|-Infinity", "--actual '-Infinity' is not an amount")]
    [InlineData("--actual|1e-3", "--actual '1e-3' is not an amount")]
    [InlineData("--actual|abc", "--actual 'abc' is not an amount")]
    [InlineData("--estimated|-0.5", "--estimated -0.50 is negative")]
    [InlineData("--actual|0.1234567", "--actual 0.1234567 has more than 6 decimals")]
    [InlineData("--actual|1000000000000", "--actual 1000000000000.00 is too large")]
    [InlineData("--actual|1|--currency|EURO", "--currency 'EURO' is not a currency code")]
    [InlineData("--actual|1|--metadata|[1]", "metadata is a JSON array; expected a JSON object")]
    [InlineData("--actual|1|--charge-id|", "--charge-id is empty")]
    [InlineData("", "give the cost with --actual or --estimated (or both)")]
    public async Task Bad_values_are_one_line_and_exit_2_before_connecting(string more, string says)
    {
        var home = Path.Combine(Path.GetTempPath(), $"sark-cost-{Guid.NewGuid():N}");
        var args = more.Length == 0 ? Record("alice") : Record("alice", more.Split('|'));
        var result = await CliRunner.RunAsync([.. args, "--data-dir", home]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(home), "the embedded server's home was created");
    }

    [Fact]
    public async Task A_denial_is_printed_with_its_limit_and_exits_1_and_a_retry_is_not_charged_twice()
    {
        Assert.Equal(0, (await RunAsync("budget", "set", "carol", "--daily", "1")).ExitCode);
        var first = await RunAsync(Record("carol", "--actual", "0.6", "--charge-id", "c-1", "--json"));
        var retry = await RunAsync(Record("carol", "--actual", "0.6", "--charge-id", "c-1", "--json"));
        var denied = await RunAsync(Record("carol", "--actual", "0.6", "--charge-id", "c-2", "--json"));

        Assert.Equal((0, 0, 1), (first.ExitCode, retry.ExitCode, denied.ExitCode));
        Assert.False(JsonDocument.Parse(first.Out).RootElement.GetProperty("replayed").GetBoolean());
        Assert.True(JsonDocument.Parse(retry.Out).RootElement.GetProperty("replayed").GetBoolean());
        var denial = JsonDocument.Parse(denied.Out).RootElement;
        Assert.Equal("denied", denial.GetProperty("outcome").GetString());
        Assert.Equal(("daily", 1m, 0.6m), (denial.GetProperty("denial").GetProperty("limit").GetString(), denial.GetProperty("denial").GetProperty("limit_amount").GetDecimal(), denial.GetProperty("denial").GetProperty("spent").GetDecimal()));
        Assert.Equal("sark: charge 'c-2' of 0.60 USD denied: principal 'carol' would pass its daily limit of 1.00 USD (spent 0.60, reserved 0.00, remaining 0.40)", denied.ErrorLines.Single());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id = 'carol'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE event_type = 'cost_limit_exceeded' AND user_email = 'carol'"));

        var reused = await RunAsync(Record("carol", "--actual", "0.2", "--charge-id", "c-1"));
        Assert.Equal(1, reused.ExitCode);
        Assert.StartsWith("sark: charge id 'c-1' was already used for another charge", reused.ErrorLines.Single());
    }

    [Fact]
    public async Task A_charge_id_reused_for_another_resource_prints_one_line_naming_it_exits_1_and_writes_nothing()
    {
        Assert.Equal(0, (await RunAsync(Record("reuser", "--actual", "0.5", "--charge-id", "r-1"))).ExitCode);

        var reused = await RunAsync("cost", "record", "--principal", "reuser", "--resource", "anthropic", "--capability", "chat", "--actual", "0.5", "--charge-id", "r-1");
        var retry = await RunAsync(Record("reuser", "--actual", "0.5", "--charge-id", "r-1", "--json"));

        Assert.Equal(1, reused.ExitCode);
        Assert.Equal(
            "sark: charge id 'r-1' was already used for another charge (principal 'reuser', resource 'openai', capability 'chat', estimated none, actual 0.50 USD); this one differs in resource; use a new id for a new charge",
            reused.ErrorLines.Single());
        Assert.Equal("", reused.Out);
        Assert.Equal(0, retry.ExitCode);
        Assert.True(JsonDocument.Parse(retry.Out).RootElement.GetProperty("replayed").GetBoolean());
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id = 'reuser'"));
    }

    [Fact]
    public async Task A_charge_without_an_id_gets_a_new_one_each_time()
    {
        await RunAsync(Record("dora", "--estimated", "0.25"));
        await RunAsync(Record("dora", "--estimated", "0.25", "--metadata", """{"model":"small"}"""));

        Assert.Equal(0.50m, await fixture.Database.ScalarAsync<decimal>("SELECT sum(estimated_cost) FROM cost_tracking WHERE principal_id = 'dora'"));
        Assert.Equal("small", await fixture.Database.ScalarAsync<string>("SELECT max(metadata ->> 'model') FROM cost_tracking WHERE principal_id = 'dora'"));
    }
}
