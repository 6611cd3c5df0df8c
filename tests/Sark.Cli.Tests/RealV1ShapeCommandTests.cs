using Sark.Data.Schema;
using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.Cli.Tests;

/// <summary>
/// The whole path an operator takes on a real v1 database, on the dumps of both real shapes with
/// ordinary rows in them: adopt, migrate to head, verify, then migrate-v1 dry-run, execute, validate.
/// </summary>
public sealed class RealV1ShapeCommandTests : EmptyDatabaseTest
{
    private Task<CliResult> Sark(params string[] args) => CliRunner.RunAsync([.. args, "--database", Database.Url]);

    [Theory]
    [InlineData(true, "built by the v1 application's ORM, no alembic_version")]
    [InlineData(false, "built by the Alembic migrations, alembic_version 005_gateway_audit")]
    public async Task A_real_v1_database_is_adopted_migrated_and_its_rows_moved_to_v2(bool orm, string found)
    {
        if (orm)
        {
            await V1Databases.BuildOrmAsync(Database);
        }
        else
        {
            await V1Databases.BuildAlembicAsync(Database, 5);
        }

        await V1Databases.SeedAsync(Database, orm);
        var rows = await V1Databases.DumpAsync(Database);

        var adopt = await Sark("db", "adopt");
        Assert.Equal(ExitCodes.Success, adopt.ExitCode);
        Assert.Contains(found, adopt.Out);
        Assert.Equal(orm, adopt.Out.Contains("adoption renames it to sark's", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Success, (await Sark("db", "migrate")).ExitCode);
        var verify = await Sark("db", "verify");
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains($"Schema at version {MigrationSet.Embedded.Head}", verify.Out);
        Assert.Contains("no drift", verify.Out);

        var dryRun = await Sark("migrate-v1", "--dry-run");
        Assert.Equal(ExitCodes.Success, dryRun.ExitCode);
        Assert.Contains($"Dry run (v1 built by {(orm ? "orm" : "alembic")})", dryRun.Out);
        Assert.Contains("resources (from mcp_servers): 3 to insert, 0 to update, 0 unchanged, 0 invalid", dryRun.Out);
        Assert.Contains("capabilities (from mcp_tools): 3 to insert, 0 to update, 0 unchanged, 0 invalid", dryRun.Out);

        var execute = await Sark("migrate-v1", "--execute");
        Assert.Equal(ExitCodes.Success, execute.ExitCode);
        Assert.Contains("resources: 3 inserted", execute.Out);
        Assert.Contains("capabilities: 3 inserted", execute.Out);
        Assert.Equal("stdio|npx files-server", await Database.ScalarAsync<string>(
            "SELECT metadata->>'transport' || '|' || endpoint FROM resources WHERE id = '00000000-0000-0000-0000-000000000001'"));

        var validate = await Sark("migrate-v1", "--validate");
        Assert.Equal(ExitCodes.Success, validate.ExitCode);
        Assert.Contains("Validation passed.", validate.Out);
        Assert.Equal(rows, await V1Databases.DumpAsync(Database));
    }

    [Fact]
    public async Task An_orm_database_with_a_nullable_server_name_is_not_adopted_so_migrate_v1_never_meets_it()
    {
        // Accepted once (NOT NULL differences were excused by kind), then migrate-v1 failed on a raw NOT NULL error.
        await V1Databases.BuildOrmAsync(Database);
        await Database.ExecuteAsync("ALTER TABLE mcp_servers ALTER name DROP NOT NULL");

        var adopt = await Sark("db", "adopt");

        Assert.Equal(ExitCodes.Failure, adopt.ExitCode);
        Assert.Contains("  mcp_servers: nullability of name is NULL, expected NOT NULL\n", adopt.Out.ReplaceLineEndings("\n"));
        Assert.Contains("not adopted: the database matches no SARK v1 shape (1 mismatch(es) listed above)", adopt.Error);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL OR to_regclass('sark_adoption') IS NOT NULL"));
    }
}
