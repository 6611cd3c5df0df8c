using System.Globalization;
using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Maintenance;
using Sark.Data.Rollups;
using Sark.Testing;

namespace Sark.Data.Tests.Maintenance;

/// <summary>A fresh migrated database per test (maintenance changes partitions), with helpers to read them.</summary>
public abstract class MaintenanceTestDatabase : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    /// <summary>The first instant of the current UTC month by the database's clock.</summary>
    protected DateTimeOffset CurrentMonth { get; private set; }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateMigratedAsync();
        var month = await Database.ScalarAsync<DateTime>("SELECT date_trunc('month', now() AT TIME ZONE 'UTC')");
        CurrentMonth = new DateTimeOffset(DateTime.SpecifyKind(month, DateTimeKind.Utc));
    }

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();

    protected MaintenanceJob Job(MaintenanceOptions? options = null, params MaintenanceStep[] steps) =>
        new(Database.DataSource, options ?? new MaintenanceOptions(), steps.Length > 0 ? steps : MaintenanceSteps.Standard(new FederationRegistry(Database.DataSource), new CostLedger(Database.DataSource), new CostRollups(Database.DataSource)));

    protected static string Month(string table, DateTimeOffset month) => table + "_p" + month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    protected static string Literal(DateTimeOffset instant) => "'" + instant.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "+00'";

    /// <summary>The partitions of <paramref name="table"/>, by name.</summary>
    protected Task<string> PartitionsAsync(string table) => Database.ScalarAsync<string>($"""
        SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '')
        FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = '{table}'::regclass
        """);

    /// <summary>Creates a monthly partition the way 007 does, for a month in the past.</summary>
    protected Task CreatePartitionAsync(string table, DateTimeOffset month) => Database.ExecuteAsync(
        $"CREATE TABLE {Month(table, month)} PARTITION OF {table} FOR VALUES FROM ({Literal(month)}) TO ({Literal(month.AddMonths(1))})");

    protected Task InsertCostAsync(DateTimeOffset at, int count = 1) => Database.ExecuteAsync($"""
        INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, actual_cost)
        SELECT {Literal(at)}, 'maint-principal', 'maint-resource', 'maint-capability', 0.5 FROM generate_series(1, {count})
        """);

    protected Task<long> CountAsync(string relation) => Database.ScalarAsync<long>($"SELECT count(*) FROM {relation}");

    protected Task<bool> ExistsAsync(string relation) => Database.ScalarAsync<bool>($"SELECT to_regclass('{relation}') IS NOT NULL");
}
