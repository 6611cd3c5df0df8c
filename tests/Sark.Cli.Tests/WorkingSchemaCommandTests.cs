using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// One rule for the schema sark works in (the connection's current schema), followed by every
/// command: the journal, the adoption record and the v1/v2 tables are looked up there only, and a
/// connection without a usable one is refused before anything is done.
/// </summary>
public sealed class WorkingSchemaCommandTests : EmptyDatabaseTest
{
    private Task<CliResult> Sark(string searchPath, params string[] args) =>
        CliRunner.RunAsync([.. args, "--database", $"{Database.Url}?search_path={Uri.EscapeDataString(searchPath)}"]);

    [Fact]
    public async Task An_empty_first_schema_is_where_every_command_looks_even_when_a_later_one_is_migrated()
    {
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("db", "migrate", "--database", Database.Url)).ExitCode);
        await Database.ExecuteAsync("CREATE SCHEMA app");

        // Before: status read public's journal (version 9, nothing to do) while migrate-v1 looked in app.
        var status = await Sark("app,public", "db", "status");
        Assert.Equal(ExitCodes.Pending, status.ExitCode);
        Assert.Contains("Database at version 0;", status.Out);
        var noV1 = await Sark("app,public", "migrate-v1", "--dry-run");
        Assert.Equal(ExitCodes.Failure, noV1.ExitCode);
        Assert.Contains("in schema 'app'", Assert.Single(noV1.ErrorLines));

        var migrate = await Sark("app,public", "db", "migrate");
        Assert.True(migrate.ExitCode == ExitCodes.Success, migrate.Error);
        Assert.Equal(global::Sark.Data.Schema.MigrationSet.Embedded.Head, await Database.ScalarAsync<int>("SELECT max(version) FROM app.sark_migrations"));
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('app.resources') IS NOT NULL AND to_regclass('app.mcp_servers') IS NOT NULL"));
        Assert.Equal(ExitCodes.Success, (await Sark("app,public", "db", "status")).ExitCode);
        Assert.Equal(ExitCodes.Success, (await Sark("app,public", "migrate-v1", "--dry-run")).ExitCode);
        Assert.Equal(ExitCodes.Success, (await Sark("app,public", "migrate-v1", "--rollback", "--dry-run")).ExitCode);
    }

    [Theory]
    [InlineData("db status")]
    [InlineData("db migrate")]
    [InlineData("db rollback --to 0")]
    [InlineData("db verify")]
    [InlineData("db adopt --dry-run")]
    [InlineData("db repair")]
    [InlineData("migrate-v1 --dry-run")]
    [InlineData("migrate-v1 --execute")]
    [InlineData("migrate-v1 --rollback")]
    [InlineData("v1-sample --servers 1")]
    public async Task A_search_path_naming_no_existing_schema_is_refused_with_one_clear_line(string command)
    {
        var result = await Sark("nope", command.Split(' '));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("no current schema", line);
        Assert.Contains("search_path ('nope')", line);
        Assert.Contains("?search_path=", line);
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    [Theory]
    [InlineData("pg_temp,public", "db", "migrate")]
    [InlineData("pg_temp, public", "db", "status")]
    [InlineData("nope, \"pg_temp\", public", "v1-sample", "--servers", "1")]
    [InlineData("pg_temp", "migrate-v1", "--dry-run")]
    public async Task Objects_that_would_land_in_the_temporary_schema_are_refused(string searchPath, params string[] command)
    {
        var result = await Sark(searchPath, command);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("lists pg_temp before any existing schema", line);
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
    }

    [Fact]
    public async Task A_system_schema_first_is_refused()
    {
        var result = await Sark("pg_catalog,public", "db", "migrate");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("system schema 'pg_catalog'", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_temporary_schema_listed_after_the_working_one_is_fine()
    {
        var result = await Sark("public, pg_temp", "db", "migrate");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('public.sark_migrations') IS NOT NULL"));
    }
}
