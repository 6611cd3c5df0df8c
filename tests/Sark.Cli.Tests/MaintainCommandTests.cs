using System.Text.Json;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Maintenance;
using Sark.Testing;

namespace Sark.Cli.Tests;

public sealed class MaintainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sark-maintain-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("--interval|10ms", "--interval '10ms' is too short; expected at least 1s")]
    [InlineData("--interval|soon", "--interval 'soon' is not a duration")]
    [InlineData("--months-ahead|121", "--months-ahead '121' is not valid; expected a whole number from 0 to 120")]
    [InlineData("--cost-retention-days|0", "--cost-retention-days '0' is not valid; expected a whole number from 1 to 36,500")]
    [InlineData("--audit-retention-days|two", "--audit-retention-days 'two' is not valid")]
    [InlineData("--lock-timeout|11min", "--lock-timeout '11min' is too long; expected at most 10min")]
    [InlineData("--lock-timeout|0s", "--lock-timeout '0s' is not a duration from 1ms to 10min; expected a number with ms, s, min or h, for example 5s")]
    [InlineData("--interval|-5min", "--interval '-5min' is not a duration from 1s to 168h (7 days); expected a number with ms, s, min or h, for example 5min")]
    [InlineData("--interval|169h", "--interval '169h' is too long; expected at most 168h (7 days), for example 5min")]
    [InlineData("--interval|576h", "--interval '576h' is too long; expected at most 168h (7 days), for example 5min")]
    [InlineData("--once|--interval|5min", "--once and --interval cannot be given together")]
    public async Task Bad_values_are_refused_while_parsing_before_the_embedded_server_starts(string options, string says)
    {
        var home = Path.Combine(folder, "home");

        var result = await CliRunner.RunAsync(["maintain", .. options.Split('|'), "--data-dir", home]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.EndsWith("(see 'sark --help')", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(home), "the embedded server's home was created");
    }

    [Fact]
    public async Task A_run_prints_one_line_per_action_and_a_second_run_has_nothing_to_do()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();

        var first = await CliRunner.RunAsync("maintain", "--months-ahead", "4", "--database", database.Url);
        var second = await CliRunner.RunAsync("maintain", "--once", "--months-ahead", "4", "--database", database.Url);

        Assert.Equal(0, first.ExitCode);
        var lines = first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Months +2 to +4 of each table: 007 made this month and the next, the legacy audit partition reaches as far.
        Assert.Equal(7, lines.Length);
        Assert.All(lines[..6], l => Assert.StartsWith("partitions: created ", l, StringComparison.Ordinal));
        Assert.StartsWith("rollups: recomputed the whole history (0 cost row(s) read", lines[6], StringComparison.Ordinal);
        Assert.Equal("", first.Error);

        // A second run has nothing to create; only the rollups' window is recomputed, as every run does.
        Assert.Equal(0, second.ExitCode);
        Assert.StartsWith("rollups: recomputed ", Assert.Single(second.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_lists_the_actions_with_their_kind_target_and_rows()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync("""
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id) VALUES (now() + interval '7 months', 'p', 'r', 'c')
            """);

        var result = await CliRunner.RunAsync("maintain", "--json", "--months-ahead", "1", "--database", database.Url);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("failed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("skipped_because").ValueKind);
        var moved = json.RootElement.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == MaintenanceActionKinds.RowsMoved);
        Assert.Equal("partitions", moved.GetProperty("step").GetString());
        Assert.StartsWith("cost_tracking_p", moved.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, moved.GetProperty("rows").GetInt64());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking_default"));
    }

    [Fact]
    public async Task While_another_maintainer_runs_the_command_says_so_and_exits_0()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var other = await database.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", other))
        {
            take.Parameters.AddWithValue(AdvisoryLock.ClassKey);
            take.Parameters.AddWithValue(MaintenanceJob.Lock.ObjectKey);
            await take.ExecuteScalarAsync();
        }

        var result = await CliRunner.RunAsync("maintain", "--months-ahead", "6", "--database", database.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"maintain: skipped, another maintainer is running (pid {other.ProcessID}, ", result.Out, StringComparison.Ordinal);
        Assert.True(await database.ScalarAsync<bool>(
            "SELECT to_regclass('cost_tracking_p' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '6 months', 'YYYYMM')) IS NULL"));
    }

    [Fact]
    public async Task With_an_interval_it_runs_until_stopped_and_stops_cleanly_between_runs()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        using var process = CliRunner.StartProcess(new Dictionary<string, string?>(), "maintain", "--interval", "1s", "--months-ahead", "2", "--database", database.Url);
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();

        // Every run ends with the rollups' line (their window is recomputed each time): two runs done.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (lines.Count(l => l.StartsWith("rollups: recomputed ", StringComparison.Ordinal)) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "two runs did not finish within 120 s:\n" + string.Join('\n', lines));
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            lines.Add(line);
        }

        // SIGTERM, as systemd and docker stop a service; Ctrl-C (SIGINT) takes the same path.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lines.AddRange((await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("partitions: created ", lines[0][..20]);
        Assert.Contains("maintain: stopped", await stderr, StringComparison.Ordinal);
    }
}
