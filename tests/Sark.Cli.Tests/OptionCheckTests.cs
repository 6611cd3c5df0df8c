namespace Sark.Cli.Tests;

/// <summary>
/// Every option value is checked before the command starts anything: a bad one is exit 2, one
/// line naming the option, the value and what is accepted, and the embedded server's home (given
/// with --data-dir) is never even created.
/// </summary>
public sealed class OptionCheckTests
{
    [Theory]
    [InlineData("'0'", "migrate-v1", "--execute", "--batch-size", "0")]
    [InlineData("'-5'", "migrate-v1", "--execute", "--batch-size", "-5")]
    [InlineData("'1000001'", "migrate-v1", "--execute", "--batch-size", "1000001")]
    [InlineData("'99999999999'", "migrate-v1", "--execute", "--batch-size", "99999999999")]
    [InlineData("'many'", "migrate-v1", "--dry-run", "--batch-size", "many")]
    [InlineData("--json is empty", "migrate-v1", "--dry-run", "--json", "")]
    [InlineData("--json is empty", "migrate-v1", "--dry-run", "--json", " ")]
    [InlineData("'0'", "bench", "migrate-v1", "--servers", "1", "--tools-per-server", "0", "--runs", "1", "--batch-size", "0")]
    [InlineData("'0'", "bench", "migrate-v1", "--servers", "1", "--tools-per-server", "0", "--runs", "0")]
    [InlineData("'0'", "bench", "migrate-v1", "--servers", "0")]
    [InlineData("/no/such/folder does not exist", "bench", "migrate-v1", "--servers", "1", "--tools-per-server", "0", "--runs", "1", "--json", "/no/such/folder/bench.json")]
    [InlineData("'201'", "bench", "migrate-v1", "--servers", "1", "--tools-per-server", "201")]
    [InlineData("--quick and --full", "bench", "--quick", "--full")]
    [InlineData("--quick is an option of 'sark bench', not of 'sark bench migrate-v1'", "bench", "--quick", "migrate-v1", "--servers", "1")]
    [InlineData("--duration '0s' is not valid; expected whole seconds", "bench", "--duration", "0s")]
    [InlineData("--targets '/' is a folder", "bench", "--targets", "/")]
    [InlineData("--json '--quick' looks like an option", "bench", "--json", "--quick")]
    [InlineData("--targets '--full' looks like an option", "bench", "--targets", "--full")]
    [InlineData("sets Pooling=false; the benchmark measures calls through a connection pool", "bench", "--database", "Host=127.0.0.1;Database=app;Username=u;Pooling=false")]
    [InlineData("sets Multiplexing=true", "bench", "--database", "Host=127.0.0.1;Database=app;Username=u;Multiplexing=true")]
    [InlineData("--concurrency 100 needs 101 connections", "bench", "--concurrency", "100")]
    [InlineData("'nosuch'", "bench", "--only", "resource-by-id", "nosuch")]
    [InlineData("empty name", "bench", "--only", "resource-by-id,")]
    [InlineData("'9'", "bench", "--scale", "9")]
    [InlineData("'1000001'", "bench", "--scale", "1000001")]
    [InlineData("'ten'", "bench", "--scale", "ten")]
    [InlineData("'0'", "bench", "--concurrency", "0")]
    [InlineData("'257'", "bench", "--concurrency", "257")]
    [InlineData("--writers 100 needs 101 connections", "bench", "--writers", "100")]
    [InlineData("'0'", "bench", "--writers", "0")]
    [InlineData("'many'", "bench", "--writers", "many")]
    [InlineData("'1.5s'", "bench", "--duration", "1.5s")]
    [InlineData("'500ms'", "bench", "--duration", "500ms")]
    [InlineData("'2h'", "bench", "--duration", "2h")]
    [InlineData("--targets '/no/such/targets.json' cannot be read", "bench", "--targets", "/no/such/targets.json")]
    [InlineData("--targets is empty", "bench", "--targets", "")]
    [InlineData("--cleanup takes no other option (got --scale)", "bench", "--cleanup", "--scale", "100")]
    [InlineData("/no/such/folder does not exist", "bench", "--json", "/no/such/folder/bench.json")]
    [InlineData("'0'", "v1-sample", "--servers", "0")]
    [InlineData("'10000001'", "v1-sample", "--servers", "10000001")]
    [InlineData("'-1'", "v1-sample", "--tools-per-server", "-1")]
    [InlineData("'99999999h'", "db", "migrate", "--lock-wait", "99999999h")]
    [InlineData("'0'", "db", "migrate", "--lock-timeout", "0")]
    [InlineData("'0.2ms'", "db", "migrate", "--statement-timeout", "0.2ms")]
    [InlineData("'577h'", "db", "rollback", "--to", "0", "--lock-wait", "577h")]
    [InlineData("'1e3'", "db", "repair", "--lock-wait", "1e3")]
    [InlineData("''", "db", "migrate", "--lock-timeout", "")]
    [InlineData("'99'", "db", "migrate", "--to", "99")]
    [InlineData("'x'", "db", "rollback", "--to", "x")]
    [InlineData("'-1'", "db", "script", "--from", "-1", "--to", "1")]
    [InlineData("--database is empty", "db", "status", "--database", "")]
    [InlineData("--database is empty", "quickstart", "--database", " \t")]
    [InlineData("--database: connection", "db", "status", "--database", "Host=h;Colour=blue")]
    [InlineData("--database: connection string's Host: the port of the host", "db", "status", "--database", "Host=127.0.0.1:abc;Database=app;Username=u")]
    [InlineData("--database: connection URL's host part or ?host=: the port", "db", "status", "--database", "postgresql://u@/app?host=127.0.0.1:abc")]
    [InlineData("--database: connection string's Passfile", "db", "status", "--database", "Host=127.0.0.1;Passfile=/nonexistent")]
    public async Task A_bad_value_is_a_usage_error_before_anything_starts(string named, params string[] args)
    {
        await using var home = new TempHome();
        var result = await CliRunner.RunAsync([.. args, "--data-dir", home.Path]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("sark: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", result.Out);
        Assert.False(Directory.Exists(home.Path), "the embedded server's home was created: the command started before its options were checked");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task A_blank_data_dir_is_a_usage_error_not_the_default_home(string dataDir)
    {
        var result = await CliRunner.RunAsync("local", "status", "--data-dir", dataDir);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--data-dir is empty", Assert.Single(result.ErrorLines));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_blank_sark_database_url_is_a_usage_error_naming_the_variable()
    {
        var result = await CliRunner.RunProcessAsync(new Dictionary<string, string?> { ["SARK_DATABASE_URL"] = " " }, "db", "status");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("SARK_DATABASE_URL holds only blanks", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_blank_sark_local_dir_is_a_usage_error_naming_the_variable()
    {
        var result = await CliRunner.RunProcessAsync(new Dictionary<string, string?> { ["SARK_LOCAL_DIR"] = " " }, "local", "status");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("SARK_LOCAL_DIR holds only blanks", Assert.Single(result.ErrorLines));
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("1.5s")]
    [InlineData("576h")]
    [InlineData("1ms")]
    public async Task Durations_within_the_range_are_accepted(string duration)
    {
        var result = await CliRunner.RunAsync("db", "script", "--from", "0", "--to", "1", "--lock-timeout", duration);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("SET lock_timeout", result.Out);
    }
}
