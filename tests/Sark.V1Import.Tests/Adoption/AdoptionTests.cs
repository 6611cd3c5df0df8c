using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing.V1;
using Sark.Testing;
using Sark.V1Import.Adoption;

namespace Sark.V1Import.Tests.Adoption;

/// <summary>
/// Adopting existing SARK v1 databases of each variant: the real dumps for the ORM shape and the
/// Alembic head, the chain recipe for older Alembic revisions (see <see cref="V1Databases"/>).
/// </summary>
public sealed class AdoptionTests : EmptyDatabaseTest
{

    private DatabaseAdopter Adopter() => new(Database.DataSource, MigrationSet.Embedded);

    private MigrationRunner Runner() => new(Database.DataSource, MigrationSet.Embedded);

    private async Task AdoptMigrateAndCheckV1RowsAreUnchangedAsync(V1Variant variant, int baseline)
    {
        var before = await V1Databases.DumpAsync(Database);

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Adoptable, report.Outcome);
        Assert.True(report.Applied);
        Assert.Equal(variant, report.Variant);
        Assert.Equal(baseline, report.BaselineVersion);
        var status = await Runner().GetStatusAsync();
        Assert.Equal(baseline, status.CurrentVersion);
        Assert.All(status.Entries.Take(baseline), e => Assert.Equal(MigrationState.Baseline, e.State));

        await Runner().MigrateAsync();

        Assert.Equal(MigrationSet.Embedded.Head, (await Runner().GetStatusAsync()).CurrentVersion);
        Assert.Equal(before, await V1Databases.DumpAsync(Database));
        await using (var connection = await Database.OpenAsync())
        {
            Assert.Equal(variant, await AdoptionRecord.ReadVariantAsync(connection));
        }

        var verify = await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded, new AdoptionKnownDifferences()).VerifyAsync();
        Assert.Empty(verify.Drift);
    }

    [Fact]
    public async Task An_alembic_database_at_005_is_adopted_and_migrated_with_its_rows_intact()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await V1Databases.SeedAsync(Database, orm: false);
        await AdoptMigrateAndCheckV1RowsAreUnchangedAsync(V1Variant.Alembic, 5);
    }

    [Fact]
    public async Task An_alembic_database_at_003_is_baselined_at_003_and_the_rest_runs()
    {
        await V1Databases.BuildAlembicAsync(Database, 3);
        await V1Databases.SeedAsync(Database, orm: false);
        await AdoptMigrateAndCheckV1RowsAreUnchangedAsync(V1Variant.Alembic, 3);
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('audit_events') IS NOT NULL"));
    }

    [Fact]
    public async Task An_orm_built_database_is_recognised_baselined_at_005_and_migrated()
    {
        await V1Databases.BuildOrmAsync(Database);
        await V1Databases.SeedAsync(Database, orm: true);
        await AdoptMigrateAndCheckV1RowsAreUnchangedAsync(V1Variant.Orm, 5);

        // The ORM never created gateway_audit_events; adoption does, so 005's table exists.
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('gateway_audit_events') IS NOT NULL"));
        Assert.Equal("json", await Database.ScalarAsync<string>("SELECT data_type FROM information_schema.columns WHERE table_name = 'mcp_servers' AND column_name = 'extra_metadata'"));
        Assert.Equal("STDIO", await Database.ScalarAsync<string>("SELECT transport::text FROM mcp_servers WHERE name = 'files'"));
    }

    [Fact]
    public async Task Tables_of_other_v1_orm_models_are_left_alone_but_an_unknown_table_is_refused()
    {
        // The reference dump's create_all loaded no usage model; a v1 application that did has this table.
        await V1Databases.BuildOrmAsync(Database);
        await Database.ExecuteAsync("CREATE TABLE usage_events (id bigserial PRIMARY KEY, payload json)");
        Assert.Equal(AdoptionOutcome.Adoptable, (await Adopter().InspectAsync()).Outcome);

        await Database.ExecuteAsync("CREATE TABLE invoices (id int PRIMARY KEY)");
        var refused = await Adopter().InspectAsync();
        Assert.Equal(AdoptionOutcome.Refused, refused.Outcome);
        Assert.Equal("invoices: not expected", Assert.Single(refused.MismatchesByTable()));
    }

    [Fact]
    public async Task A_dry_run_reports_the_variant_and_changes_nothing()
    {
        await V1Databases.BuildOrmAsync(Database);
        var before = await CatalogSnapshot.TakeAsync(Database);

        var report = await Adopter().AdoptAsync(dryRun: true);

        Assert.Equal(AdoptionOutcome.Adoptable, report.Outcome);
        Assert.Equal(V1Variant.Orm, report.Variant);
        Assert.False(report.Applied);
        Assert.Contains(report.Tolerated, f => f.Reason!.Contains("upper case", StringComparison.Ordinal));
        Assert.Equal(before, await CatalogSnapshot.TakeAsync(Database));
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL"));
    }

    [Fact]
    public async Task An_empty_database_has_nothing_to_adopt_and_migrates_from_001()
    {
        Assert.Equal(AdoptionOutcome.Empty, (await Adopter().AdoptAsync(dryRun: false)).Outcome);
        Assert.Equal(MigrationSet.Embedded.Head, (await Runner().MigrateAsync()).Steps.Count);
        Assert.Equal(AdoptionOutcome.AlreadyManaged, (await Adopter().InspectAsync()).Outcome);
    }

    [Fact]
    public async Task A_foreign_database_is_refused_with_its_mismatches_and_migrate_points_to_adopt()
    {
        await Database.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY, total numeric); CREATE TABLE customers (id int PRIMARY KEY);");

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Refused, report.Outcome);
        var lines = report.MismatchesByTable().ToList();
        Assert.Contains(lines, l => l.StartsWith("orders: table orders: not expected", StringComparison.Ordinal) || l == "orders: not expected");
        Assert.Contains(lines, l => l.StartsWith("mcp_servers:", StringComparison.Ordinal) && l.Contains("missing", StringComparison.Ordinal));
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL"));

        var migrate = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        Assert.Contains("customers, orders", migrate.Message);
        Assert.Contains(MigrationTerms.Adopt, migrate.Text.Terms);
    }

    [Fact]
    public async Task An_alembic_database_whose_shape_differs_is_refused_naming_the_table()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await Database.ExecuteAsync("ALTER TABLE mcp_tools DROP COLUMN signature; ALTER TABLE api_keys ALTER COLUMN rate_limit TYPE bigint;");

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Refused, report.Outcome);
        var lines = report.MismatchesByTable().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("api_keys: column type of rate_limit is bigint, expected integer", lines);
        Assert.Contains("mcp_tools: column signature missing (expected character varying(1000))", lines);
        Assert.Equal(0, (await Runner().GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task A_database_with_only_enum_types_is_refused_before_anything_runs()
    {
        await Database.ExecuteAsync("CREATE TYPE transporttype AS ENUM ('http')");
        var error = await Assert.ThrowsAsync<MigrationException>(() => Runner().MigrateAsync());
        Assert.Contains("type transporttype", error.Message);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL"));
    }

    [Fact]
    public async Task Rolling_an_adopted_database_back_to_empty_forgets_the_adoption()
    {
        await V1Databases.BuildOrmAsync(Database);
        await Adopter().AdoptAsync(dryRun: false);
        await Runner().RollbackAsync(0, allowDataLoss: true);
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_adoption') IS NOT NULL"));
    }

    [Fact]
    public async Task An_unknown_alembic_revision_is_refused_naming_it()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await Database.ExecuteAsync("UPDATE alembic_version SET version_num = '006_protocol_adapters'");

        var error = await Assert.ThrowsAsync<MigrationException>(() => Adopter().AdoptAsync(dryRun: false));

        Assert.Contains("'006_protocol_adapters'", error.Message);
        Assert.Contains("005_gateway_audit", error.Message);
    }

    [Fact]
    public async Task Verify_reports_drift_on_a_native_database()
    {
        await Runner().MigrateAsync();
        var verifier = new SchemaVerifier(Database.DataSource, MigrationSet.Embedded);
        Assert.Empty((await verifier.VerifyAsync()).Findings);

        await Database.ExecuteAsync("ALTER TABLE resources DROP CONSTRAINT ck_resources_sensitivity; CREATE INDEX extra_ix ON capabilities (description);");
        var drift = (await verifier.VerifyAsync()).Drift.Select(f => f.Difference.ToString()).ToList();

        Assert.Equal(2, drift.Count);
        Assert.Contains(drift, d => d.StartsWith("table resources: constraint ck_resources_sensitivity missing", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.StartsWith("table capabilities: index extra_ix not expected", StringComparison.Ordinal));
    }
}
