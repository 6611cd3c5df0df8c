using System.Text.Json;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

public sealed class SchemaCheckCommandTests : EmptyDatabaseTest
{

    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", Database.Url]);

    [Fact]
    public async Task Migrate_on_an_unadopted_v1_database_says_to_adopt_then_adopt_and_migrate_work()
    {
        await V1Databases.BuildOrmAsync(Database);
        await V1Databases.SeedAsync(Database, orm: true);

        var refused = await Sark("db", "migrate");
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("sark db adopt", Assert.Single(refused.ErrorLines));

        var dryRun = await Sark("db", "adopt", "--dry-run");
        Assert.Equal(ExitCodes.Success, dryRun.ExitCode);
        Assert.Contains("built by the v1 application's ORM", dryRun.Out);
        Assert.Contains("Dry run: nothing recorded", dryRun.Out);

        var adopted = await Sark("db", "adopt", "--json");
        Assert.Equal(ExitCodes.Success, adopted.ExitCode);
        var json = JsonDocument.Parse(adopted.Out).RootElement;
        Assert.Equal("orm", json.GetProperty("variant").GetString());
        Assert.Equal(5, json.GetProperty("baseline_version").GetInt32());
        Assert.True(json.GetProperty("applied").GetBoolean());

        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate")).ExitCode);
        var verify = await Sark("db", "verify");
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("no drift", verify.Out);
    }

    [Fact]
    public async Task Status_and_verify_on_an_unadopted_v1_database_say_to_adopt()
    {
        await V1Databases.BuildAlembicAsync(Database, 2);
        var status = await Sark("db", "status");
        Assert.Equal(ExitCodes.Failure, status.ExitCode);
        Assert.Contains("sark db adopt", Assert.Single(status.ErrorLines));
        var verify = await Sark("db", "verify");
        Assert.Equal(ExitCodes.Failure, verify.ExitCode);
        Assert.Contains("sark db adopt", Assert.Single(verify.ErrorLines));
    }

    [Fact]
    public async Task Migrate_and_verify_work_in_the_schema_named_by_search_path()
    {
        await Database.ExecuteAsync("CREATE SCHEMA app");
        var url = Database.Url + "?options=-c%20search_path%3Dapp";
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("db", "migrate", "--database", url)).ExitCode);
        var verify = await CliRunner.RunAsync("db", "verify", "--database", url);
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("no drift", verify.Out);
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('app.resources') IS NOT NULL AND to_regclass('public.resources') IS NULL"));
    }

    [Fact]
    public async Task A_foreign_database_is_refused_with_mismatches_on_stdout_and_one_error_line()
    {
        await Database.ExecuteAsync("CREATE TABLE invoices (id int PRIMARY KEY)");
        var result = await Sark("db", "adopt");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("invoices: not expected", result.Out);
        Assert.Contains("users: missing", result.Out);
        Assert.StartsWith("sark: not adopted", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Verify_exits_with_the_drift_code_and_lists_the_drift()
    {
        await Sark("db", "migrate");
        Assert.Equal(ExitCodes.Success, (await Sark("db", "verify")).ExitCode);

        await Database.ExecuteAsync("ALTER TABLE principal_budgets ALTER COLUMN currency TYPE varchar(3)");
        var result = await Sark("db", "verify");

        Assert.Equal(ExitCodes.Drift, result.ExitCode);
        Assert.Contains("drift: table principal_budgets: column type of currency is character varying(3), expected character(3)", result.Out);
    }
}
