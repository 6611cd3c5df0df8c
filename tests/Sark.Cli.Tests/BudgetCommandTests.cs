using System.Text.Json;
using System.Text.RegularExpressions;
using Sark.Cli.Tests.Docs;
using Sark.Testing;

namespace Sark.Cli.Tests;

public sealed partial class BudgetCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static readonly string[] CostSections = ["sark budget set|show|list", "sark cost record", "sark reservation reserve|settle|release"];

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--database", fixture.Database.Url]);

    /// <summary>
    /// The examples of the three cost sections of cli.md, run in their order against a new
    /// database: every output line and exit code as shown, times matched by their shape. This runs
    /// the examples DocumentedErrorExamplesTests skips, such as the denial after a budget was set.
    /// </summary>
    [Fact]
    public async Task The_cost_examples_of_cli_md_run_as_shown_in_order()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var sections = MarkdownDoc.Get("docs/cli.md").Sections().Where(s => CostSections.Contains(s.Title)).ToList();
        Assert.Equal(3, sections.Count);
        var examples = DocCommands.All
            .Where(c => !c.IsSynopsis && c.Line.Text.StartsWith("$ ", StringComparison.Ordinal) && sections.Any(s => s.Lines.Contains(c.Line)))
            .ToList();
        Assert.True(examples.Count >= 15, $"only {examples.Count} examples found");

        var failures = new List<string>();
        foreach (var example in examples)
        {
            var result = await CliRunner.RunAsync([.. example.Arguments, "--database", database.Url]);
            var actual = (result.Out + result.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var expected = example.Output.Select(l => l.Text).Where(t => !t.StartsWith("$ echo", StringComparison.Ordinal)).ToList();
            if (actual.Length != expected.Count || !expected.Zip(actual).All(p => Matches(p.First, p.Second)))
            {
                failures.Add($"{example.Line.Where}: `sark {example.Shown}` printed\n    {string.Join("\n    ", actual)}\n  the docs show\n    {string.Join("\n    ", expected)}");
            }

            if (example.DocumentedExitCode is { } code && code != result.ExitCode)
            {
                failures.Add($"{example.Line.Where}: `sark {example.Shown}` exited {result.ExitCode}, the docs show {code}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    // A documented time stands for any time of that shape; the rest must be equal.
    private static bool Matches(string documented, string printed) =>
        Regex.IsMatch(printed, "^" + DocumentedTime().Replace(Regex.Escape(documented), @"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\dZ?") + "$");

    [GeneratedRegex(@"\d{4}-\d\d-\d\d(\\ |T)\d\d:\d\d:\d\dZ?")]
    private static partial Regex DocumentedTime();

    [Theory]
    [InlineData("budget|set|alice|--daily|NaN", "--daily 'NaN' is not an amount; expected a decimal number such as 0.25")]
    [InlineData("budget|set|alice|--monthly|Infinity", "--monthly 'Infinity' is not an amount")]
    [InlineData("budget|set|alice|--daily|1.0000001", "--daily 1.0000001 has more than 6 decimals")]
    [InlineData("budget|set|alice|--currency|usd", "--currency 'usd' is not a currency code")]
    [InlineData("budget|set|alice|--time-zone|Europe/../x", "--time-zone 'Europe/../x' is not a time zone name")]
    [InlineData("budget|set| alice", "principal ' alice' has surrounding blanks")]
    [InlineData("budget|show|", "principal is empty")]
    public async Task Bad_values_are_refused_while_parsing_before_the_embedded_server_starts(string command, string says)
    {
        var home = Path.Combine(Path.GetTempPath(), $"sark-budget-{Guid.NewGuid():N}");
        var result = await CliRunner.RunAsync([.. command.Split('|'), "--data-dir", home]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(home), "the embedded server's home was created");
    }

    [Fact]
    public async Task Set_show_and_list_work_together_in_json()
    {
        var set = await RunAsync("budget", "set", "bob", "--daily", "5", "--monthly", "none", "--currency", "EUR", "--time-zone", "Asia/Tokyo", "--json");
        Assert.Equal(0, set.ExitCode);
        var budget = JsonDocument.Parse(set.Out).RootElement;
        Assert.Equal(("EUR", "Asia/Tokyo"), (budget.GetProperty("currency").GetString(), budget.GetProperty("time_zone").GetString()));
        Assert.Equal(5m, budget.GetProperty("daily").GetProperty("limit").GetDecimal());
        Assert.Equal(JsonValueKind.Null, budget.GetProperty("monthly").GetProperty("limit").ValueKind);

        Assert.Equal(0, (await RunAsync("cost", "record", "--principal", "bob", "--resource", "r", "--capability", "c", "--actual", "1.25", "--currency", "EUR")).ExitCode);
        var show = await RunAsync("budget", "show", "bob", "--json");
        var daily = JsonDocument.Parse(show.Out).RootElement.GetProperty("daily");
        Assert.Equal((1.25m, 3.75m, 25.00m), (daily.GetProperty("spent").GetDecimal(), daily.GetProperty("remaining").GetDecimal(), daily.GetProperty("percent").GetDecimal()));

        var list = await RunAsync("budget", "list", "--json");
        Assert.Contains(JsonDocument.Parse(list.Out).RootElement.EnumerateArray(), b => b.GetProperty("principal").GetString() == "bob");
        var missing = await RunAsync("budget", "show", "nobody");
        Assert.Equal((1, "sark: principal 'nobody' has no budget; set one with 'sark budget set nobody --daily AMOUNT'"), (missing.ExitCode, missing.ErrorLines.Single()));
    }
}
