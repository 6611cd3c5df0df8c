using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Data.Schema.Catalog;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// 009 builds the audit_events indexes that 007 used to build without CONCURRENTLY: databases that
/// ran the first 007 stay valid and keep their indexes, and an interrupted 009 resumes cleanly.
/// </summary>
public sealed class AuditEventIndexMigrationTests : EmptyDatabaseTest
{
    private const int BeforeIndexes = 8;

    private const string IndexStateSql = """
        SELECT coalesce(string_agg(c.relname || '=' || CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END, ',' ORDER BY c.relname), '')
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'audit_events'::regclass
          AND c.relname ~ '^ix_audit_events_(correlation_id|principal_org|source_node|target_node|capability_id)'
        """;

    private const string AllValid =
        "ix_audit_events_capability_id=valid,ix_audit_events_correlation_id=valid,ix_audit_events_principal_org=valid,"
        + "ix_audit_events_source_node=valid,ix_audit_events_target_node=valid";

    // The indexes 009 is about (011 adds two and drops 004's ix_audit_events_timestamp). Once
    // audit_events is partitioned, the same index objects live on as the legacy partition's
    // partitions of the parent's indexes, so each name maps to that index's oid.
    private const string IndexOidsSql = """
        SELECT string_agg(c.relname || ':' || coalesce(legacy.inhrelid, c.oid), ',' ORDER BY c.relname)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        LEFT JOIN (SELECT h.inhparent, h.inhrelid FROM pg_inherits h JOIN pg_index li ON li.indexrelid = h.inhrelid
                   WHERE li.indrelid = to_regclass('audit_events_legacy')) AS legacy ON legacy.inhparent = c.oid
        WHERE i.indrelid = 'audit_events'::regclass AND c.relname <> 'audit_events_pkey'
          AND c.relname NOT IN ('ix_audit_events_timestamp_id', 'ix_audit_events_user_email', 'ix_audit_events_timestamp')
        """;

    /// <summary>The embedded chain up to 008, with 007 as it was first written (it built the indexes itself).</summary>
    private static MigrationSet ChainWithFirst007()
    {
        var files = MigrationSet.Embedded.Migrations
            .Where(m => m.Version <= BeforeIndexes)
            .SelectMany(m => new[]
            {
                (m.Up.FileName, m.Version == 7 ? Fixtures.Read("007_federation.before_009.up.sql") : m.Up.Sql),
                (m.Down.FileName, m.Down.Sql),
            });
        return MigrationSet.FromFiles(files);
    }

    private MigrationRunner Runner(MigrationSet? migrations = null, MigrationRunnerOptions? options = null) =>
        new(Database.DataSource, migrations ?? MigrationSet.Embedded, options);

    /// <summary>The catalog of a fresh database migrated by this binary to <paramref name="version"/> (default: head).</summary>
    private static async Task<IReadOnlyList<string>> FreshCatalogAsync(int? version = null)
    {
        await using var fresh = await TestDatabase.CreateEmptyAsync();
        await new MigrationRunner(fresh.DataSource, MigrationSet.Embedded).MigrateAsync(version);
        return await CatalogSnapshot.TakeAsync(fresh);
    }

    [Fact]
    public async Task A_database_that_ran_the_first_007_is_accepted_and_009_keeps_its_indexes()
    {
        await Runner(ChainWithFirst007()).MigrateAsync();
        var oidsBefore = await Database.ScalarAsync<string>(IndexOidsSql);
        Assert.Equal(AllValid, await Database.ScalarAsync<string>(IndexStateSql));

        var status = await Runner().GetStatusAsync();
        Assert.Null(Runner().FindProblem(status));
        Assert.Equal(MigrationState.Applied, status.Entries.Single(e => e.Version == 7).State);

        // Documented: until 009 runs, verify sees the first 007's indexes as extra, and nothing else.
        var beforeIndexes = await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded).VerifyAsync();
        Assert.Equal(
            ["ix_audit_events_capability_id", "ix_audit_events_correlation_id", "ix_audit_events_principal_org", "ix_audit_events_source_node", "ix_audit_events_target_node"],
            beforeIndexes.Drift.Select(f => f.Difference).Where(d => d is { Kind: DifferenceKind.ExtraIndex, Table: "audit_events" }).Select(d => d.Subject).Order());
        Assert.Equal(5, beforeIndexes.Drift.Count());

        var outcome = await Runner().MigrateAsync();

        // 009 and whatever came after it.
        Assert.Equal(
            Enumerable.Range(9, MigrationSet.Embedded.Head - 8).Select(v => $"applied {MigrationSet.Embedded[v].Id}"),
            outcome.Steps.Select(s => s.ToString()).Select(s => s[..s.IndexOf(" in ", StringComparison.Ordinal)]));
        Assert.Equal(oidsBefore, await Database.ScalarAsync<string>(IndexOidsSql));
        Assert.False((await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded).VerifyAsync()).HasDrift);
        Assert.Equal(await FreshCatalogAsync(), await CatalogSnapshot.TakeAsync(Database));

        // Today's downs take it back as far as any other database.
        await Runner().RollbackAsync(6, allowDataLoss: true);
        Assert.Equal(await FreshCatalogAsync(6), await CatalogSnapshot.TakeAsync(Database));
    }

    [Fact]
    public async Task Version_7_no_longer_indexes_audit_events_and_009_builds_the_indexes_valid()
    {
        await Runner().MigrateAsync(BeforeIndexes);
        Assert.Equal("", await Database.ScalarAsync<string>(IndexStateSql));

        await Runner().MigrateAsync();

        Assert.Equal(AllValid, await Database.ScalarAsync<string>(IndexStateSql));
    }

    [Fact]
    public async Task An_interrupted_009_leaves_an_invalid_index_that_the_next_run_replaces()
    {
        await Runner().MigrateAsync(BeforeIndexes);

        // An open writing transaction makes CREATE INDEX CONCURRENTLY wait for it after the index
        // is already in the catalog; lock_timeout then cancels the build, as an interruption would,
        // leaving the index INVALID.
        await using var writer = await Database.OpenAsync();
        await using var open = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO audit_events (id, event_type) VALUES (gen_random_uuid(), 'tool_invoked')", writer, open))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            Runner(options: new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMilliseconds(500) }).MigrateAsync());
        Assert.Contains($"{MigrationSet.Embedded[9].Up.FileName} failed at statement", error.Message);
        Assert.Equal("ix_audit_events_correlation_id=invalid", await Database.ScalarAsync<string>(IndexStateSql));
        Assert.Equal(BeforeIndexes, (await Runner().GetStatusAsync()).CurrentVersion);

        await open.CommitAsync();
        await Runner().MigrateAsync();

        Assert.Equal(AllValid, await Database.ScalarAsync<string>(IndexStateSql));
        Assert.Equal(MigrationSet.Embedded.Head, (await Runner().GetStatusAsync()).CurrentVersion);
        Assert.Equal(await FreshCatalogAsync(), await CatalogSnapshot.TakeAsync(Database));
    }

    [Fact]
    public async Task While_009_builds_an_index_audit_events_still_takes_new_rows()
    {
        await Runner().MigrateAsync(BeforeIndexes);

        // An open writing transaction holds 009's build in its wait for older transactions, the
        // longest phase on a busy table: a writer arriving now must not queue behind it.
        await using var writer = await Database.OpenAsync();
        await using var open = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO audit_events (id, event_type) VALUES (gen_random_uuid(), 'tool_invoked')", writer, open))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var migrate = Runner(options: new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMinutes(2) }).MigrateAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%CREATE INDEX CONCURRENTLY%'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "009 never started waiting for the open writer");
            await Task.Delay(50);
        }

        await using (var late = await Database.OpenAsync())
        await using (var insert = new NpgsqlCommand(
            "SET statement_timeout = '5s'; INSERT INTO audit_events (id, event_type) VALUES (gen_random_uuid(), 'tool_invoked')", late))
        {
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        Assert.False(migrate.IsCompleted);
        await open.CommitAsync();
        await migrate;

        Assert.Equal(AllValid, await Database.ScalarAsync<string>(IndexStateSql));
        Assert.Equal(2L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
    }
}
