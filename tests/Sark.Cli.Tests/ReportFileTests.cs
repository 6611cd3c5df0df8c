using System.Text.Json;
using Sark.Cli.Output;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

/// <summary>--json FILE: checked before the work, written whole after it, and a failure to write it after the work is said plainly.</summary>
public sealed class ReportFileTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly TestDatabase database = fixture.Database;
    private readonly string folder = Directory.CreateTempSubdirectory("sark-report-").FullName;
    private readonly List<string> pipes = [];

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", database.Url]);

    [Fact]
    public async Task A_report_place_that_cannot_take_it_fails_before_the_work()
    {
        await AddServerAsync();

        var result = await Sark("migrate-v1", "--execute", "--json", folder);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--json '{folder}' is a folder", Assert.Single(result.ErrorLines));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM v1_import_runs"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_after_the_work_says_the_work_is_done()
    {
        await AddServerAsync();

        // /dev/full opens fine and fails on write: no check made before the work can see it coming.
        var result = await Sark("migrate-v1", "--execute", "--json", "/dev/full");

        Assert.Equal(ExitCodes.ReportNotWritten, result.ExitCode);
        Assert.Contains("resources: 1 inserted", result.Out);
        var line = Assert.Single(result.ErrorLines, l => l.StartsWith("sark: ", StringComparison.Ordinal));
        Assert.StartsWith("sark: migrate-v1 --execute finished, but its JSON report was not written to '/dev/full'", line);
        Assert.DoesNotContain("unexpected error", result.Error);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task A_report_replaces_an_earlier_one_whole_and_leaves_nothing_beside_it()
    {
        await AddServerAsync();
        var report = Path.Combine(folder, "plan.json");
        await File.WriteAllTextAsync(report, "an earlier report");

        var result = await Sark("migrate-v1", "--dry-run", "--json", report);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("dry-run", JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("mode").GetString());
        Assert.Equal([report], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task A_run_that_fails_early_leaves_no_new_report_and_keeps_an_earlier_one()
    {
        await using var empty = await TestDatabase.CreateEmptyAsync();
        var earlier = Path.Combine(folder, "earlier.json");
        await File.WriteAllTextAsync(earlier, "an earlier report");
        var fresh = Path.Combine(folder, "fresh.json");

        // An empty database has no v2 tables: the execute fails before it writes anything.
        var kept = await CliRunner.RunAsync("migrate-v1", "--execute", "--json", earlier, "--database", empty.Url);
        var none = await CliRunner.RunAsync("migrate-v1", "--execute", "--json", fresh, "--database", empty.Url);

        Assert.Equal(ExitCodes.Failure, kept.ExitCode);
        Assert.Equal(ExitCodes.Failure, none.ExitCode);
        Assert.Equal("an earlier report", await File.ReadAllTextAsync(earlier));
        Assert.Equal([earlier], Directory.GetFiles(folder));
    }

    [Fact]
    public async Task An_existing_empty_file_that_cannot_be_written_is_refused_before_anything_starts()
    {
        // Read-only: root may write it anyway, so under root the check runs as nobody. An
        // unreachable database shows the order: the report's check fails first (exit 2), before
        // any connection is tried (exit 4).
        var report = Path.Combine(folder, "empty.json");
        await File.WriteAllTextAsync(report, "");
        var link = Path.Combine(folder, "link.json");
        File.CreateSymbolicLink(link, report);
        Assert.Equal(0, (await OsCommand.RunAsync(null, "chmod", "444", report)).ExitCode);
        Assert.Equal(0, (await OsCommand.RunAsync(null, "chmod", "755", folder)).ExitCode);

        foreach (var target in new[] { report, link })
        {
            var result = await OsCommand.RunAsync(
                Environment.IsPrivilegedProcess ? "nobody" : null,
                "dotnet", Path.Combine(AppContext.BaseDirectory, "sark.dll"), "migrate-v1", "--execute", "--json", target, "--database", "postgresql://sark@127.0.0.1:1/none");

            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Equal($"sark: --json '{target}' cannot be written: Permission denied (see 'sark --help')", Assert.Single(result.ErrorLines));
        }
    }

    [Fact]
    public async Task A_named_pipe_that_nothing_reads_is_refused_before_the_work_instead_of_hanging_after_it()
    {
        await AddServerAsync();
        var pipe = await NewPipeAsync();

        // Before the fix the work ran and the write then waited for a reader forever.
        var result = await Sark("migrate-v1", "--execute", "--json", pipe).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--json '{pipe}' is a named pipe that nothing reads", Assert.Single(result.ErrorLines));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM v1_import_runs"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task A_named_pipe_with_a_reader_gets_the_whole_report()
    {
        await AddServerAsync();
        var pipe = await NewPipeAsync();
        using var reader = NonBlockingOpen.TryOpenForRead(pipe, out var errno) ?? throw new IOException(NonBlockingOpen.Describe(errno));

        var result = await Sark("migrate-v1", "--dry-run", "--json", pipe).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        NonBlockingOpen.MakeBlocking(reader);
        await using var stream = new FileStream(reader, FileAccess.Read, 1);
        using var text = new StreamReader(stream);
        Assert.Equal("dry-run", JsonDocument.Parse(await text.ReadToEndAsync()).RootElement.GetProperty("mode").GetString());
    }

    public void Dispose()
    {
        // A writer still waiting on a pipe (the defect, should it come back) is let go.
        foreach (var pipe in pipes)
        {
            NonBlockingOpen.TryOpenForRead(pipe, out _)?.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }

    private async Task<string> NewPipeAsync()
    {
        var pipe = Path.Combine(folder, $"pipe-{pipes.Count}");
        var made = await OsCommand.RunAsync(null, "mkfifo", pipe);
        Assert.Equal(0, made.ExitCode);
        pipes.Add(pipe);
        return pipe;
    }

    private async Task AddServerAsync()
    {
        // Each test starts from no v1 rows and no import, whatever ran before it in this database.
        await database.ExecuteAsync("TRUNCATE capabilities, resources, v1_import_provenance, v1_import_issues, v1_import_runs, mcp_tools, mcp_servers CASCADE");
        await new V1Rows(database, orm: false).AddServerAsync(Guid.Parse("30000000-0000-0000-0000-000000000001"), "files", "stdio", "npx files", null);
    }
}
