using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sark.Data.Schema.Catalog;
using Sark.Data.Schema;
using Sark.Testing.V1;
using Sark.Testing;
using Sark.V1Import.Adoption;

namespace Sark.V1Import.Tests.Adoption;

/// <summary>
/// Adoption of the real v1 shapes: schema dumps of databases built by the original application's
/// own Alembic migrations and ORM, loaded as they are (tests/Sark.Testing/V1/Dumps).
/// </summary>
public sealed class RealV1ShapeTests : EmptyDatabaseTest
{
    private DatabaseAdopter Adopter() => new(Database.DataSource, MigrationSet.Embedded);

    private MigrationRunner Runner() => new(Database.DataSource, MigrationSet.Embedded);

    private Task<string> ForeignKeyNameAsync() => Database.ScalarAsync<string>(
        "SELECT conname::text FROM pg_constraint WHERE conrelid = 'policies'::regclass AND contype = 'f'");

    [Theory]
    [InlineData(V1Dumps.Alembic)]
    [InlineData(V1Dumps.Orm)]
    public void The_dumps_are_the_reference_files_unedited(string dump)
    {
        var readme = Encoding.UTF8.GetString(V1Dumps.ReadBytes("README.md"));
        var sum = Convert.ToHexStringLower(SHA256.HashData(V1Dumps.ReadBytes(dump)));
        Assert.Contains($"| `{dump}` | `{sum}` |", Regex.Replace(readme, " +", " "));
    }

    [Fact]
    public async Task The_real_orm_database_is_adopted_despite_postgresql_naming_its_foreign_key()
    {
        await V1Databases.BuildOrmAsync(Database);
        Assert.Equal("policies_current_version_id_fkey", await ForeignKeyNameAsync());

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Adoptable, report.Outcome);
        Assert.Equal(V1Variant.Orm, report.Variant);
        Assert.Empty(report.Mismatches);
        var renamed = Assert.Single(report.Renames);
        Assert.Equal("table policies: constraint fk_policies_current_version is named policies_current_version_id_fkey (same definition)", renamed.ToString());
        Assert.Equal("fk_policies_current_version", await ForeignKeyNameAsync());

        // Uniqueness the ORM keeps in a unique index is recognised as that, column for column.
        Assert.Contains(report.Tolerated, f => f.Difference.ToString() == "table users: constraint users_email_key (UNIQUE (email)) is only the unique index ix_users_email");
    }

    [Fact]
    public async Task The_adopted_orm_database_migrates_verifies_clean_and_rolls_back_through_003()
    {
        await V1Databases.BuildOrmAsync(Database);
        await V1Databases.SeedAsync(Database, orm: true);
        await Adopter().AdoptAsync(dryRun: false);
        await Runner().MigrateAsync();
        Assert.Empty((await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded, new AdoptionKnownDifferences()).VerifyAsync()).Drift);

        // 003's down script drops the foreign key by sark's name: it exists only because adoption renamed it.
        await Runner().RollbackAsync(2, allowDataLoss: true);

        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('policies') IS NOT NULL"));
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('api_keys') IS NOT NULL"));
    }

    [Fact]
    public async Task The_real_alembic_database_is_adopted_with_nothing_renamed()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal((AdoptionOutcome.Adoptable, V1Variant.Alembic, 5), (report.Outcome, report.Variant, report.BaselineVersion));
        Assert.Empty(report.Renames);
        Assert.All(report.Tolerated, f => Assert.Equal(DifferenceKind.ExtraIndex, f.Difference.Kind));
        await Runner().MigrateAsync();
        Assert.Empty((await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded, new AdoptionKnownDifferences()).VerifyAsync()).Drift);
    }

    [Fact]
    public async Task The_recipe_for_older_alembic_revisions_gives_exactly_the_dump_shape_at_005()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await using var recipe = await TestDatabase.CreateEmptyAsync();
        await V1Databases.BuildAlembicFromChainAsync(recipe, 5);

        await using var dumpConnection = await Database.OpenAsync();
        await using var recipeConnection = await recipe.OpenAsync();
        var differences = SchemaComparison.Compare(
            await SchemaComparison.ReadLiveAsync(dumpConnection, AdoptionRules.BookkeepingTables),
            await SchemaComparison.ReadLiveAsync(recipeConnection, AdoptionRules.BookkeepingTables));

        Assert.Empty(differences);
    }

    [Fact]
    public async Task An_alembic_database_with_a_renamed_constraint_is_refused_because_alembic_names_them()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await Database.ExecuteAsync("ALTER TABLE policies RENAME CONSTRAINT fk_policies_current_version TO policies_current_version_id_fkey");

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Refused, report.Outcome);
        Assert.Equal(
            "policies: constraint fk_policies_current_version is named policies_current_version_id_fkey (same definition)",
            Assert.Single(report.MismatchesByTable()));
    }

    [Theory]
    [InlineData("DROP INDEX ix_users_email", "users: constraint users_email_key missing (expected UNIQUE (email))")]
    [InlineData(
        "ALTER TABLE policies DROP CONSTRAINT policies_current_version_id_fkey, ADD CONSTRAINT fk_policies_current_version FOREIGN KEY (current_version_id) REFERENCES policy_versions (id) ON DELETE CASCADE",
        "policies: constraint fk_policies_current_version is FOREIGN KEY (current_version_id) REFERENCES policy_versions(id) ON DELETE CASCADE, expected FOREIGN KEY (current_version_id) REFERENCES policy_versions(id) ON DELETE SET NULL")]
    [InlineData(
        "ALTER TABLE policies DROP CONSTRAINT policies_current_version_id_fkey, ADD FOREIGN KEY (current_version_id) REFERENCES policy_versions (id) ON DELETE CASCADE",
        "policies: constraint fk_policies_current_version missing (expected FOREIGN KEY (current_version_id) REFERENCES policy_versions(id) ON DELETE SET NULL); constraint policies_current_version_id_fkey not expected (FOREIGN KEY (current_version_id) REFERENCES policy_versions(id) ON DELETE CASCADE)")]
    [InlineData("DROP INDEX ix_mcp_servers_name; CREATE INDEX ix_mcp_servers_name ON mcp_servers (lower(name))",
        "mcp_servers: index ix_mcp_servers_name is CREATE INDEX ix_mcp_servers_name ON mcp_servers USING btree (lower((name)::text)), expected CREATE INDEX ix_mcp_servers_name ON mcp_servers USING btree (name)")]
    public async Task An_orm_database_whose_rules_differ_not_just_their_names_is_refused(string change, string mismatch)
    {
        await V1Databases.BuildOrmAsync(Database);
        await Database.ExecuteAsync(change);

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal(AdoptionOutcome.Refused, report.Outcome);
        Assert.Equal(mismatch, Assert.Single(report.MismatchesByTable()));
    }

    [Fact]
    public async Task On_a_native_database_a_renamed_constraint_or_index_is_drift()
    {
        await Runner().MigrateAsync();
        await Database.ExecuteAsync("ALTER TABLE resources RENAME CONSTRAINT ck_resources_sensitivity TO resources_sensitivity_check; ALTER INDEX ix_mcp_tools_name RENAME TO mcp_tools_name_idx");

        var drift = (await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded).VerifyAsync()).Drift.Select(f => f.Difference.ToString()).ToList();

        Assert.Equal(2, drift.Count);
        Assert.Contains("table resources: constraint ck_resources_sensitivity is named resources_sensitivity_check (same definition)", drift);
        Assert.Contains("table mcp_tools: index ix_mcp_tools_name is named mcp_tools_name_idx (same definition)", drift);
    }

    [Fact]
    public void Psql_restrict_lines_are_dropped_and_any_other_meta_command_is_refused()
    {
        var sql = V1Dumps.ToServerSql("\\restrict abc\nCREATE TABLE t (id int);\n\\unrestrict abc\n", "x.sql");
        Assert.Equal("\nCREATE TABLE t (id int);\n\n", sql);

        var error = Assert.Throws<InvalidOperationException>(() => V1Dumps.ToServerSql("SELECT 1;\n\\connect other\n", "x.sql"));
        Assert.Equal("x.sql line 2: '\\connect other' needs psql; expected a schema-only dump of plain SQL", error.Message);
        Assert.Throws<InvalidOperationException>(() => V1Dumps.ToServerSql("COPY public.users (id) FROM stdin;\n", "x.sql"));
    }
}
