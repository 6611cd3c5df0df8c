using System.Text.Json;
using Sark.Data.Errors;

namespace Sark.Cli.Tests;

public sealed class LocalCommandTests
{
    [Fact]
    public async Task The_embedded_server_starts_is_reused_and_stops()
    {
        await using var home = new TempHome();
        var started = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path, "--json");
        Assert.Equal(ExitCodes.Success, started.ExitCode);
        var first = JsonDocument.Parse(started.Out).RootElement;
        Assert.Equal("running", first.GetProperty("state").GetString());

        var again = JsonDocument.Parse((await CliRunner.RunAsync("local", "start", "--data-dir", home.Path, "--json")).Out).RootElement;
        Assert.Equal(first.GetProperty("pid").GetInt32(), again.GetProperty("pid").GetInt32());
        Assert.Equal(first.GetProperty("port").GetInt32(), again.GetProperty("port").GetInt32());

        var url = await CliRunner.RunAsync("local", "url", "--data-dir", home.Path);
        Assert.Equal($"postgresql://sark@:5432/sark?host={home.Path}/run", url.Out.Trim());

        var stopped = await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, stopped.ExitCode);
        Assert.Contains("stopped", stopped.Out);
        var status = JsonDocument.Parse((await CliRunner.RunAsync("local", "status", "--data-dir", home.Path, "--json")).Out).RootElement;
        Assert.Equal("stopped", status.GetProperty("state").GetString());

        var urlWhenStopped = await CliRunner.RunAsync("local", "url", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Failure, urlWhenStopped.ExitCode);
        Assert.Single(urlWhenStopped.ErrorLines);
        Assert.Contains("not running", urlWhenStopped.Error);
    }

    [Fact]
    public async Task Two_processes_starting_at_once_get_one_server()
    {
        await using var home = new TempHome();
        var environment = new Dictionary<string, string?>();
        var results = await Task.WhenAll(
            CliRunner.RunProcessAsync(environment, "local", "start", "--data-dir", home.Path, "--json"),
            CliRunner.RunProcessAsync(environment, "local", "start", "--data-dir", home.Path, "--json"));

        Assert.All(results, r => Assert.Equal(ExitCodes.Success, r.ExitCode));
        var pids = results.Select(r => JsonDocument.Parse(r.Out).RootElement.GetProperty("pid").GetInt32()).Distinct().ToList();
        Assert.Single(pids);

        // Exactly one postmaster runs on this data directory.
        var dataDir = Path.Combine(home.Path, "data");
        var postmasters = Directory.GetDirectories("/proc")
            .Select(d => Path.Combine(d, "cmdline"))
            .Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Count(cmd => cmd.Contains($"-D {dataDir} ", StringComparison.Ordinal) || cmd.EndsWith($"-D {dataDir}", StringComparison.Ordinal));
        Assert.Equal(1, postmasters);
    }

    [Fact]
    public async Task Missing_server_binaries_give_one_line_naming_what_to_do()
    {
        await using var home = new TempHome();
        var result = await CliRunner.RunProcessAsync(
            new Dictionary<string, string?> { ["SARK_PG_BINDIR"] = "/nonexistent/pg/bin" },
            "db", "status", "--data-dir", home.Path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("sark: ", line);
        Assert.Contains("/nonexistent/pg/bin", line);
        Assert.Contains("SARK_DATABASE_URL", line);
    }
}
