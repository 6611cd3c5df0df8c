using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Errors;

/// <summary>
/// A database error the runner does not handle itself reaches a host as a SarkException with its
/// kind (the SQLSTATE translator), never as a bare PostgresException.
/// </summary>
public sealed class UnhandledDatabaseErrorTests
{
    [Fact]
    public async Task Migrating_as_a_role_that_cannot_create_tables_is_permission_denied_with_the_server_error_inside()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        await database.ExecuteAsync("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        await using var role = await LimitedRole.CreateAsync(database);
        var runner = new MigrationRunner(role.DataSource, MigrationSet.Embedded);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => runner.MigrateAsync());

        Assert.Equal(SarkErrorKind.PermissionDenied, error.Kind);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.StartsWith("permission denied for schema public (SQLSTATE 42501", error.Message);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task Reading_the_status_of_a_journal_the_role_may_not_read_is_permission_denied()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var role = await LimitedRole.CreateAsync(database);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => new MigrationRunner(role.DataSource, MigrationSet.Embedded).GetStatusAsync());

        Assert.Equal(SarkErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("permission denied for table sark_migrations", error.Message);
    }
}
