using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Maintenance;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Maintenance;

/// <summary>
/// The migration that range-partitions audit_events: every row and index kept (the legacy table is
/// attached, not rewritten, and its indexes are attached, not rebuilt), and the down gives the
/// plain table back with every row, its primary key on id and the same indexes.
/// </summary>
public sealed class AuditPartitionMigrationTests : EmptyDatabaseTest
{
    private static readonly int Partitioned = MigrationSet.Embedded.Migrations.Single(m => m.Id.EndsWith("_audit_events_partitioned", StringComparison.Ordinal)).Version;

    // Name and definition of every index, "ON ONLY" read as "ON" (a partitioned table's indexes print so).
    private const string IndexesSql = """
        SELECT string_agg(c.relname || ' ' || regexp_replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON '), E'\n' ORDER BY c.relname)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'audit_events'::regclass
        """;

    // What the rows hold, independent of where they are stored.
    private const string RowsSql = """
        SELECT count(*) || ' ' || md5(string_agg(a::text, ',' ORDER BY id)) FROM audit_events a
        """;

    private MigrationRunner Runner() => new(Database.DataSource, MigrationSet.Embedded);

    private async Task InsertAsync(int count, string ago)
    {
        await Database.ExecuteAsync($"""
            INSERT INTO audit_events (id, "timestamp", event_type, severity, user_email, tool_name, request_id, details, correlation_id)
            SELECT gen_random_uuid(), now() - {ago} - g * interval '1 minute', 'tool_invoked', 'low',
                   'u' || g || '@example.org', 'tool' || (g % 7), 'req-' || g, jsonb_build_object('n', g), 'corr-' || (g % 5)
            FROM generate_series(1, {count}) AS g
            """);
    }

    [Fact]
    public async Task Conversion_keeps_every_row_and_index_without_rewriting_the_table_or_its_indexes()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        await InsertAsync(500, "interval '2 years'");
        await InsertAsync(500, "interval '1 hour'");
        var rows = await Database.ScalarAsync<string>(RowsSql);
        var indexes = await Database.ScalarAsync<string>(IndexesSql);
        var storage = await Database.ScalarAsync<string>(
            "SELECT string_agg(relfilenode::text, ',' ORDER BY relfilenode) FROM pg_class WHERE oid = 'audit_events'::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'audit_events'::regclass)");

        await Runner().MigrateAsync(Partitioned);

        Assert.Equal("p", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(rows, await Database.ScalarAsync<string>(RowsSql));
        // The same indexes under the same names, the primary key now (id, "timestamp").
        var expected = indexes.Replace("audit_events_pkey CREATE UNIQUE INDEX audit_events_pkey ON public.audit_events USING btree (id)",
            "audit_events_pkey CREATE UNIQUE INDEX audit_events_pkey ON public.audit_events USING btree (id, \"timestamp\")", StringComparison.Ordinal);
        Assert.NotEqual(indexes, expected);
        Assert.Equal(expected, await Database.ScalarAsync<string>(IndexesSql));
        // Every file of the old table and its indexes is still in use: attached, nothing rebuilt.
        Assert.Equal(1000L, await Database.ScalarAsync<long>("SELECT count(*) FROM ONLY audit_events_legacy"));
        var legacyStorage = await Database.ScalarAsync<string>("""
            SELECT string_agg(relfilenode::text, ',' ORDER BY relfilenode) FROM pg_class
            WHERE oid = 'audit_events_legacy'::regclass
               OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'audit_events_legacy'::regclass AND indexrelid <> 'audit_events_legacy_id_timestamp_key'::regclass)
            """);
        Assert.Equal(storage, legacyStorage);
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_index WHERE indrelid IN ('audit_events'::regclass, 'audit_events_legacy'::regclass) AND NOT indisvalid"));
        // A new event goes through the parent as before.
        await Database.ExecuteAsync("INSERT INTO audit_events (id, event_type) VALUES (gen_random_uuid(), 'user_login')");
        Assert.Equal(1001L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
    }

    [Fact]
    public async Task Down_restores_the_plain_table_with_the_rows_of_every_partition()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        await InsertAsync(300, "interval '3 months'");
        var indexes = await Database.ScalarAsync<string>(IndexesSql);
        var tableFile = await Database.ScalarAsync<long>("SELECT relfilenode::bigint FROM pg_class WHERE oid = 'audit_events'::regclass");
        await Runner().MigrateAsync(Partitioned);
        await new MaintenanceJob(Database.DataSource, new MaintenanceOptions { MonthsAhead = 6 }, [MaintenanceSteps.Partitions]).RunAsync();
        // Rows in the legacy partition, in a monthly partition and in the DEFAULT partition.
        await Database.ExecuteAsync("""
            INSERT INTO audit_events (id, "timestamp", event_type) SELECT gen_random_uuid(), now() + interval '5 months', 'user_login' FROM generate_series(1, 20);
            INSERT INTO audit_events (id, "timestamp", event_type) SELECT gen_random_uuid(), now() + interval '30 years', 'user_logout' FROM generate_series(1, 3);
            """);
        Assert.Equal(20L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE tableoid::regclass::text NOT IN ('audit_events_legacy', 'audit_events_default')"));
        Assert.Equal(3L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events_default"));
        var rows = await Database.ScalarAsync<string>(RowsSql);

        await Runner().RollbackAsync(Partitioned - 1, allowDataLoss: false);

        Assert.Equal("r", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(rows, await Database.ScalarAsync<string>(RowsSql));
        Assert.Equal(indexes, await Database.ScalarAsync<string>(IndexesSql));
        Assert.Equal(tableFile, await Database.ScalarAsync<long>("SELECT relfilenode::bigint FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'audit_events\\_%' AND relkind IN ('r', 'p')"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conrelid = 'audit_events'::regclass AND contype = 'c'"));

        // And up again: the conversion runs on what the down left.
        await Runner().MigrateAsync(Partitioned);
        Assert.Equal(rows, await Database.ScalarAsync<string>(RowsSql));
    }

    [Fact]
    public async Task Down_after_retention_dropped_the_legacy_partition_builds_the_table_from_the_others()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        var indexes = await Database.ScalarAsync<string>(IndexesSql);
        await Runner().MigrateAsync(Partitioned);
        await new MaintenanceJob(Database.DataSource, new MaintenanceOptions { MonthsAhead = 6 }, [MaintenanceSteps.Partitions]).RunAsync();
        await Database.ExecuteAsync("""
            INSERT INTO audit_events (id, "timestamp", event_type) SELECT gen_random_uuid(), now() + interval '4 months', 'user_login' FROM generate_series(1, 10);
            DROP TABLE audit_events_legacy;
            """);

        await Runner().RollbackAsync(Partitioned - 1, allowDataLoss: false);

        Assert.Equal("r", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(10L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
        Assert.Equal(indexes, await Database.ScalarAsync<string>(IndexesSql));
    }

    [Fact]
    public async Task A_table_with_rows_newer_than_now_converts_and_keeps_them_in_the_legacy_partition()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        await InsertAsync(10, "interval '-3 years'");

        await Runner().MigrateAsync(Partitioned);

        Assert.Equal(10L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events_legacy WHERE \"timestamp\" > now() + interval '2 years'"));
        // The legacy partition reaches past the newest row, and partitions ahead leave its months alone.
        Assert.True(await Database.ScalarAsync<bool>("""
            SELECT substring(pg_get_expr(relpartbound, oid) FROM 'TO \(''([^'']+)''\)')::timestamptz > (SELECT max("timestamp") FROM audit_events)
            FROM pg_class WHERE relname = 'audit_events_legacy'
            """));
        var report = await new MaintenanceJob(Database.DataSource, new MaintenanceOptions(), [MaintenanceSteps.Partitions]).RunAsync();
        Assert.DoesNotContain(report.Actions, a => a.Target.StartsWith("audit_events", StringComparison.Ordinal));
        Assert.False(report.HasFailures);
    }

    [Fact]
    public async Task An_interrupted_conversion_is_not_recorded_and_the_next_run_finishes_it()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        await InsertAsync(50, "interval '1 day'");

        // An open writing transaction makes the CONCURRENTLY build wait for it with the index already
        // in the catalog; lock_timeout cancels it, as an interruption would, leaving it INVALID.
        await using var writer = await Database.OpenAsync();
        await using var open = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO audit_events (id, event_type) VALUES (gen_random_uuid(), 'tool_invoked')", writer, open))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() =>
            new MigrationRunner(Database.DataSource, MigrationSet.Embedded, new MigrationRunnerOptions { LockTimeout = TimeSpan.FromMilliseconds(500) }).MigrateAsync());
        Assert.Contains($"{MigrationSet.Embedded[Partitioned].Up.FileName} failed at statement", error.Message);
        Assert.Equal(Partitioned - 1, (await Runner().GetStatusAsync()).CurrentVersion);
        Assert.Equal("r", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.False(await Database.ScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'audit_events_legacy_id_timestamp_key'::regclass"));

        await open.CommitAsync();
        await Runner().MigrateAsync(Partitioned);

        Assert.Equal("p", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(51L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_invalid'"));
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_index WHERE indrelid IN ('audit_events'::regclass, 'audit_events_legacy'::regclass) AND NOT indisvalid"));
    }

    [Fact]
    public async Task Reading_the_trail_uses_the_indexes_and_prunes_partitions_outside_the_time_range()
    {
        await Runner().MigrateAsync(Partitioned - 1);
        await InsertAsync(2000, "interval '30 days'");
        await Runner().MigrateAsync(Partitioned);
        await new MaintenanceJob(Database.DataSource, new MaintenanceOptions { MonthsAhead = 5 }, [MaintenanceSteps.Partitions]).RunAsync();
        await Database.ExecuteAsync("ANALYZE audit_events");
        var month = await Database.ScalarAsync<DateTime>("SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months'");
        var partition = "audit_events_p" + month.ToString("yyyyMM", System.Globalization.CultureInfo.InvariantCulture);

        // AuditLog's trace by correlation id, and a page of a time range, as AuditQueryPlan writes them.
        var trace = await PlanAsync(Sark.Data.Audit.AuditLog.TraceSql.Replace("$1", "'corr-rare'", StringComparison.Ordinal).Replace("$2", "100", StringComparison.Ordinal));
        var page = await PlanAsync($"""
            SELECT id FROM audit_events WHERE "timestamp" >= '{month:yyyy-MM-dd}T00:00:00Z' AND "timestamp" < '{month:yyyy-MM-dd}T12:00:00Z'
            ORDER BY "timestamp" DESC, id DESC LIMIT 51
            """);

        Assert.Contains("ix_audit_events_legacy_correlation_id", trace, StringComparison.Ordinal);
        Assert.Contains(partition, page, StringComparison.Ordinal);
        Assert.DoesNotContain("audit_events_legacy", page, StringComparison.Ordinal);
        Assert.DoesNotContain("audit_events_default", page, StringComparison.Ordinal);
    }

    private async Task<string> PlanAsync(string sql)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = new NpgsqlCommand("SET enable_seqscan = off; EXPLAIN (COSTS OFF) " + sql, connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }
        while (await reader.NextResultAsync());

        return string.Join('\n', lines);
    }
}
