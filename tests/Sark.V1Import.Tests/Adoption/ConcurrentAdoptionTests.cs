using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;
using Sark.Testing.V1;
using Sark.Testing;
using Sark.V1Import.Adoption;

namespace Sark.V1Import.Tests.Adoption;

/// <summary>
/// Two <c>sark db adopt</c> that both inspected the database before either recorded anything: the
/// test holds the migration lock until both wait for it, so both really are between inspection and
/// baseline when it lets go. One adopts; the other finds the journal the first wrote and answers as
/// an adopt started afterwards does ("already managed", exit 0), since the database is adopted.
/// </summary>
public sealed class ConcurrentAdoptionTests : EmptyDatabaseTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private NpgsqlDataSource Named(string applicationName) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = applicationName }.ConnectionString);

    /// <summary>Waits until the session named <paramref name="applicationName"/> polls for the migration lock.</summary>
    private async Task WaitUntilPollingAsync(string applicationName)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await Database.ScalarAsync<bool>(
            $"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '{applicationName}' AND query LIKE '%pg_try_advisory_lock%')"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{applicationName} never asked for the migration lock");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Of_two_adopts_racing_for_the_lock_one_adopts_and_the_other_reports_the_database_already_managed()
    {
        await V1Databases.BuildAlembicAsync(Database, 5);
        await using var first = Named("adopt-first");
        await using var second = Named("adopt-second");
        var options = new MigrationRunnerOptions { LockWait = Patience };
        var adopts = new List<Task<AdoptionReport>>();
        await using (var holder = await Database.OpenAsync())
        {
            await AdvisoryLock.AcquireAsync(holder, AdvisoryLock.Migrations, TimeSpan.Zero, CancellationToken.None);
            adopts.Add(Task.Run(() => new DatabaseAdopter(first, MigrationSet.Embedded, options).AdoptAsync(dryRun: false)));
            await WaitUntilPollingAsync("adopt-first");
            adopts.Add(Task.Run(() => new DatabaseAdopter(second, MigrationSet.Embedded, options).AdoptAsync(dryRun: false)));
            await WaitUntilPollingAsync("adopt-second");
            await AdvisoryLock.ReleaseAsync(holder, AdvisoryLock.Migrations, CancellationToken.None);
        }

        var reports = await Task.WhenAll(adopts).WaitAsync(Patience);

        var outcomes = reports.Select(r => $"{r.Outcome}/{r.Applied}/{r.BaselineVersion}").Order(StringComparer.Ordinal);
        Assert.Equal(["Adoptable/True/5", "AlreadyManaged/False/5"], outcomes);
        Assert.Equal(5L, await Database.ScalarAsync<long>("SELECT count(*) FROM sark_migrations WHERE kind = 'baseline'"));
        Assert.Equal(1L, await Database.ScalarAsync<long>("SELECT count(*) FROM sark_adoption"));
    }
}
