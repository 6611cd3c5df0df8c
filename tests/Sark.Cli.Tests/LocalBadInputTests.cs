namespace Sark.Cli.Tests;

/// <summary>A home sark cannot use is one clear line naming it, never an unexpected error.</summary>
public sealed class LocalBadInputTests
{
    [Fact]
    public async Task A_comma_in_the_data_dir_is_a_usage_error_before_anything_is_created()
    {
        // libpq and Npgsql read a comma in the host (the socket folder) as a list of hosts.
        var home = Path.Combine(Path.GetTempPath(), $"sark-{Guid.NewGuid():N}", "a,b");
        foreach (var command in new[] { "start", "status", "url", "stop" })
        {
            var result = await CliRunner.RunAsync("local", command, "--data-dir", home);
            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Contains($"data directory '{home}' contains one of", Assert.Single(result.ErrorLines));
        }

        Assert.False(Directory.Exists(Path.GetDirectoryName(home)));
    }

    [Fact]
    public async Task A_file_given_as_the_data_dir_is_named_as_a_file_and_left_alone()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sark-file-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "mine");
        try
        {
            foreach (var command in new[] { "start", "status", "stop" })
            {
                var result = await CliRunner.RunAsync("local", command, "--data-dir", file);
                Assert.Equal(ExitCodes.Failure, result.ExitCode);
                Assert.Contains($"{file} is a file, not a folder", Assert.Single(result.ErrorLines));
            }

            Assert.Equal("mine", await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_damaged_pg_version_file_is_named_with_the_fix_by_every_local_command()
    {
        await using var home = new TempHome();
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "start", "--data-dir", home.Path)).ExitCode);
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("local", "stop", "--data-dir", home.Path)).ExitCode);
        var versionFile = Path.Combine(home.Path, "data", "PG_VERSION");
        await File.WriteAllTextAsync(versionFile, "x5\n");

        foreach (var command in new[] { "start", "status", "stop" })
        {
            var result = await CliRunner.RunAsync("local", command, "--data-dir", home.Path);
            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains($"{versionFile} does not hold a PostgreSQL major version", line);
            Assert.Contains("restore", line);
        }
    }
}
