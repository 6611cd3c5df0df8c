using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

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
    public async Task Four_first_starts_at_once_on_a_new_home_all_succeed_with_one_server()
    {
        // A chown that takes a second holds each start in the middle of creating the home (under
        // root sark gives it to the server user), so that the others arrive while it is unfinished.
        var slowTools = Path.Combine(Path.GetTempPath(), $"sark-slow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(slowTools);
        var chown = Path.Combine(slowTools, "chown");
        var realChown = (await OsCommand.RunAsync(null, "sh", "-c", "command -v chown")).Out.Trim();
        await File.WriteAllTextAsync(chown, $"#!/bin/sh\nsleep 1\nexec {realChown} \"$@\"\n");
        Assert.Equal(0, (await OsCommand.RunAsync(null, "chmod", "0755", chown)).ExitCode);
        var environment = new Dictionary<string, string?> { ["PATH"] = $"{slowTools}:{Environment.GetEnvironmentVariable("PATH")}" };
        try
        {
            for (var round = 0; round < 2; round++)
            {
                await using var home = new TempHome();
                var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                    CliRunner.RunProcessAsync(environment, "local", "start", "--data-dir", home.Path, "--json")));

                Assert.All(results, r => Assert.True(r.ExitCode == ExitCodes.Success, r.Error));
                Assert.Single(results.Select(r => JsonDocument.Parse(r.Out).RootElement.GetProperty("pid").GetInt32()).Distinct());
                Assert.Equal(["data", "local.lock", "run", "sark-home", "server.log"], Directory.GetFileSystemEntries(home.Path).Select(Path.GetFileName).Order());
            }
        }
        finally
        {
            Directory.Delete(slowTools, recursive: true);
        }
    }

    [Fact]
    public async Task Sark_killed_during_its_first_initdb_is_refused_clearly_while_initdb_runs_and_then_starts()
    {
        // An initdb takes about a second. On a loaded machine it can end before it is seen, or
        // between the kill and the second start (which then rightly succeeds): such a run tests
        // nothing, so it is tried again in a fresh home; the refusal is asserted once it happened.
        var homes = new List<TempHome>();
        try
        {
            string data;
            CliResult refused;
            for (var attempt = 1; ; attempt++)
            {
                var home = new TempHome();
                homes.Add(home);
                data = Path.Combine(home.Path, "data");
                using (var sark = CliRunner.StartProcess(new Dictionary<string, string?>(), "local", "start", "--data-dir", home.Path))
                {
                    // kill -9 of sark alone: the initdb it started lives on, writing into data/.
                    await WaitUntilAsync(() => InitdbOn(data) is not null || sark.HasExited, $"an initdb on {data}");
                    sark.Kill(entireProcessTree: false);
                    await sark.WaitForExitAsync();
                }

                refused = await CliRunner.RunAsync("local", "start", "--data-dir", home.Path);
                if (refused.ExitCode != ExitCodes.Success || attempt == 5)
                {
                    break;
                }
            }

            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Matches($@"^sark: process \d+ \(initdb\) still works on {Regex.Escape(data)}: .*run the command again$", Assert.Single(refused.ErrorLines));

            await WaitUntilAsync(() => InitdbOn(data) is null, "the orphaned initdb to end");
            var retried = await CliRunner.RunAsync("local", "start", "--data-dir", homes[^1].Path, "--json");
            Assert.True(retried.ExitCode == ExitCodes.Success, retried.Error);
            Assert.Equal("running", JsonDocument.Parse(retried.Out).RootElement.GetProperty("state").GetString());
        }
        finally
        {
            foreach (var home in homes)
            {
                await home.DisposeAsync();
            }
        }
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

    /// <summary>The pid of an initdb whose arguments name this data directory, or null.</summary>
    private static int? InitdbOn(string dataDirectory)
    {
        foreach (var entry in Directory.GetDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(entry, "comm")).Trim() == "initdb"
                    && File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0').Contains(dataDirectory))
                {
                    return int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return null;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited two minutes for {what}");
            await Task.Delay(10);
        }
    }
}
