using Sark.Data.Schema.Catalog;
using Sark.Data.Schema;
using Sark.Testing.V1;
using Sark.Testing;
using Sark.V1Import.Adoption;

namespace Sark.V1Import.Tests.Adoption;

/// <summary>
/// The ORM variant's exceptions are the real ORM database's differences, member by member: the
/// real dump (orm.sql) is adopted, and the same dump changed in a way the v1 ORM never produces is
/// refused naming what changed, with nothing written, exactly as for the Alembic variant.
/// </summary>
public sealed class OrmAdoptionExactnessTests : EmptyDatabaseTest
{
    private DatabaseAdopter Adopter() => new(Database.DataSource, MigrationSet.Embedded);

    [Fact]
    public async Task The_real_orm_dump_uses_every_listed_exception_once_and_has_no_other_difference()
    {
        await V1Databases.BuildOrmAsync(Database);

        var report = await Adopter().InspectAsync();

        Assert.Equal((AdoptionOutcome.Adoptable, V1Variant.Orm), (report.Outcome, report.Variant));
        var tolerated = report.Tolerated.Select(f => f.Difference).ToList();
        Assert.All(OrmShape.Differences, o => Assert.Single(tolerated, o.Explains));
        var labels = tolerated.Where(d => d.Kind == DifferenceKind.EnumLabels).Select(d => d.Subject).Order(StringComparer.Ordinal);
        Assert.Equal(OrmShape.EnumLabels.Keys.Order(StringComparer.Ordinal), labels);
        Assert.Equal(OrmShape.Differences.Count + OrmShape.EnumLabels.Count, tolerated.Count);
    }

    public static TheoryData<string, string> ChangesTheOrmNeverMakes => new()
    {
        // The hostile tester's changes, each accepted when the ORM rules excused differences by kind.
        { "DROP INDEX ix_mcp_tools_name", "mcp_tools: index ix_mcp_tools_name missing (expected CREATE INDEX ix_mcp_tools_name ON mcp_tools USING btree (name))" },
        { "DROP INDEX ix_audit_events_timestamp", "audit_events: index ix_audit_events_timestamp missing (expected CREATE INDEX ix_audit_events_timestamp ON audit_events USING btree (\"timestamp\"))" },
        { "ALTER TABLE mcp_servers ALTER name DROP NOT NULL", "mcp_servers: nullability of name is NULL, expected NOT NULL" },
        { "ALTER TABLE mcp_tools ALTER server_id DROP NOT NULL", "mcp_tools: nullability of server_id is NULL, expected NOT NULL" },
        { "ALTER TABLE mcp_tools ALTER requires_approval SET DEFAULT true", "mcp_tools: default of requires_approval is true, expected false" },
        { "CREATE UNIQUE INDEX ix_evil ON mcp_tools (name)", "mcp_tools: index ix_evil not expected (CREATE UNIQUE INDEX ix_evil ON mcp_tools USING btree (name))" },

        // More of the same: each was excused by kind too.
        { "ALTER TABLE mcp_tools ALTER description TYPE varchar(100)", "mcp_tools: column type of description is character varying(100), expected text" },
        { "ALTER TABLE audit_events ALTER action_parameters TYPE json", "audit_events: column action_parameters not expected (json)" },
        { "CREATE UNIQUE INDEX idx_mcp_tools_unique_name ON mcp_tools (name)", "mcp_tools: index idx_mcp_tools_unique_name not expected (CREATE UNIQUE INDEX idx_mcp_tools_unique_name ON mcp_tools USING btree (name))" },
        { "DROP INDEX ix_audit_events_resource_type; CREATE UNIQUE INDEX ix_audit_events_resource_type ON audit_events (resource_type)",
            "audit_events: index ix_audit_events_resource_type not expected (CREATE UNIQUE INDEX ix_audit_events_resource_type ON audit_events USING btree (resource_type))" },
        { "ALTER INDEX ix_mcp_tools_name RENAME TO mcp_tools_name_idx", "mcp_tools: index ix_mcp_tools_name is named mcp_tools_name_idx (same definition)" },
        { "ALTER TYPE transporttype RENAME VALUE 'HTTP' TO 'http'",
            "(types and functions): type transporttype: labels (http, STDIO, SSE), expected (http, stdio, sse)" },
        { "CREATE TYPE scratch_kind AS ENUM ('a')", "(types and functions): type scratch_kind: not expected" },

        // Refused before too; kept so that the exact rules are seen to keep refusing them.
        { "ALTER TABLE mcp_tools DROP CONSTRAINT mcp_tools_server_id_fkey",
            "mcp_tools: constraint mcp_tools_server_id_fkey missing (expected FOREIGN KEY (server_id) REFERENCES mcp_servers(id) ON DELETE CASCADE)" },
        { "ALTER TABLE mcp_servers ADD CONSTRAINT ck_mcp_servers_name CHECK (name <> '')",
            "mcp_servers: constraint ck_mcp_servers_name not expected (CHECK (((name)::text <> ''::text)))" },
        { "ALTER TABLE api_keys ALTER rate_limit TYPE bigint", "api_keys: column type of rate_limit is bigint, expected integer" },
    };

    [Theory]
    [MemberData(nameof(ChangesTheOrmNeverMakes))]
    public async Task An_orm_database_changed_in_a_way_the_orm_never_makes_is_refused_and_nothing_is_written(string change, string mismatch)
    {
        await V1Databases.BuildOrmAsync(Database);
        await Database.ExecuteAsync(change);
        var before = await CatalogSnapshot.TakeAsync(Database);

        var report = await Adopter().AdoptAsync(dryRun: false);

        Assert.Equal((AdoptionOutcome.Refused, V1Variant.Orm, false), (report.Outcome, report.Variant, report.Applied));
        Assert.Equal(mismatch, Assert.Single(report.MismatchesByTable()));

        // No journal, no adoption record, no gateway_audit_events, no rename: the catalog is as it was.
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_migrations') IS NOT NULL"));
        Assert.False(await Database.ScalarAsync<bool>("SELECT to_regclass('sark_adoption') IS NOT NULL"));
        Assert.Equal(before, await CatalogSnapshot.TakeAsync(Database));
        Assert.Equal("policies_current_version_id_fkey", await Database.ScalarAsync<string>(
            "SELECT conname::text FROM pg_constraint WHERE conrelid = 'policies'::regclass AND contype = 'f'"));
    }
}
