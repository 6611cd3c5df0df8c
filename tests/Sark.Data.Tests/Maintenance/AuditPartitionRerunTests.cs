using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Maintenance;

/// <summary>
/// 015 runs outside a transaction, statement by statement, and the journal row is written only
/// after its last one: a process killed after any statement leaves the statements before it
/// committed and 015 unrecorded. Each case replays that state (the first <c>n</c> statements run
/// by hand, as a run killed right after them would leave them) and checks that the next
/// <c>sark db migrate</c> completes the conversion and records it.
/// </summary>
public sealed class AuditPartitionRerunTests : EmptyDatabaseTest
{
    private static readonly Migration Partitioned = MigrationSet.Embedded.Migrations.Single(m => m.Id.EndsWith("_audit_events_partitioned", StringComparison.Ordinal));

    private static IReadOnlyList<string> Statements => SqlStatementSplitter.Split(Partitioned.Up.Sql);

    public static TheoryData<int> StatementsRunBeforeTheKill()
    {
        var data = new TheoryData<int>();
        for (var n = 1; n <= Statements.Count; n++)
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatementsRunBeforeTheKill))]
    public async Task A_run_killed_after_any_statement_is_completed_by_the_next_migrate(int statementsRun)
    {
        var runner = new MigrationRunner(Database.DataSource, MigrationSet.Embedded);
        await runner.MigrateAsync(Partitioned.Version - 1);
        await Database.ExecuteAsync("""
            INSERT INTO audit_events (id, "timestamp", event_type, correlation_id)
            SELECT gen_random_uuid(), now() - g * interval '1 hour', 'tool_invoked', 'corr-' || (g % 3) FROM generate_series(1, 40) AS g
            """);

        // The statements before the kill, each on its own as the runner sends them; each must pass.
        await using (var connection = await Database.OpenAsync())
        {
            foreach (var statement in Statements.Take(statementsRun))
            {
                await using var command = new Npgsql.NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(Partitioned.Version - 1, (await runner.GetStatusAsync()).CurrentVersion);

        // Up to 015 itself: later migrations are not this test's subject.
        await runner.MigrateAsync(Partitioned.Version);

        Assert.Equal(Partitioned.Version, (await runner.GetStatusAsync()).CurrentVersion);
        Assert.Equal("p", await Database.ScalarAsync<string>("SELECT relkind::text FROM pg_class WHERE oid = 'audit_events'::regclass"));
        Assert.Equal(40L, await Database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
        Assert.Equal(40L, await Database.ScalarAsync<long>("SELECT count(*) FROM ONLY audit_events_legacy"));
        Assert.Equal("id,timestamp", await Database.ScalarAsync<string>("""
            SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = 'audit_events'::regclass AND i.indisprimary
            """));
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_index WHERE indrelid IN ('audit_events'::regclass, 'audit_events_legacy'::regclass) AND NOT indisvalid"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_invalid'"));
    }
}
