using Npgsql;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.V1Import.Tests;

/// <summary>The v1→v2 tool lets no bare PostgresException out: a host gets the translator's kind.</summary>
public sealed class UnhandledDatabaseErrorTests
{
    [Fact]
    public async Task A_dry_run_as_a_role_that_may_not_read_the_v1_tables_is_permission_denied()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var role = await LimitedRole.CreateAsync(database);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => new Planner(role.DataSource).PlanAsync());

        Assert.Equal(SarkErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task An_execute_as_a_role_that_may_not_write_is_permission_denied_and_writes_nothing()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var role = await LimitedRole.CreateAsync(database);
        await database.ExecuteAsync($"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role.Name}");

        var error = await Assert.ThrowsAsync<DatabaseException>(() => new Importer(role.DataSource).ExecuteAsync());

        Assert.Equal(SarkErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }
}
