using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// A migration's statements are bounded by statement_timeout (--statement-timeout, 30 min by
/// default), not by the client's command timeout of 30 s, which would cut an index build short.
/// </summary>
public sealed class RunnerTimeoutTests : EmptyDatabaseTest, IDisposable
{
    private readonly MigrationFolder folder = new MigrationFolder()
        .Add(1, "slow", "SELECT pg_sleep(2);\nCREATE TABLE slow (id int);", "DROP TABLE slow;");

    public void Dispose() => folder.Dispose();

    // A client that gives up on a command after one second.
    private NpgsqlDataSource ImpatientClient() =>
        SarkDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { CommandTimeout = 1 });

    [Fact]
    public async Task A_statement_longer_than_the_clients_command_timeout_runs_to_its_end()
    {
        await using var dataSource = ImpatientClient();

        var outcome = await new MigrationRunner(dataSource, folder.Load()).MigrateAsync();

        Assert.Equal(1, outcome.ToVersion);
        Assert.True(outcome.Steps[0].Elapsed >= TimeSpan.FromSeconds(2), $"took {outcome.Steps[0].Elapsed}");
        Assert.True(await Database.ScalarAsync<bool>("SELECT to_regclass('slow') IS NOT NULL"));
    }

    [Fact]
    public async Task The_statement_timeout_still_stops_a_statement_that_runs_too_long()
    {
        await using var dataSource = ImpatientClient();
        var runner = new MigrationRunner(dataSource, folder.Load(), new MigrationRunnerOptions { StatementTimeout = TimeSpan.FromMilliseconds(500) });

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync());

        Assert.StartsWith("001_slow.up.sql failed and was rolled back: canceling statement due to statement timeout (SQLSTATE 57014", error.Message);
        Assert.EndsWith("(statement_timeout reached; raise MigrationRunnerOptions.StatementTimeout)", error.Message);
    }
}
