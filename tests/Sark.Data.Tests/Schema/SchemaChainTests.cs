using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>The product's own chain, 001 to the head: every version goes up, down and up again cleanly.</summary>
public sealed class SchemaChainTests : EmptyDatabaseTest
{

    private MigrationRunner Runner() => new(Database.DataSource, MigrationSet.Embedded);

    [Fact]
    public async Task Every_version_goes_up_down_and_up_to_an_identical_catalog()
    {
        var runner = Runner();
        var snapshots = new List<IReadOnlyList<string>> { await CatalogSnapshot.TakeAsync(Database) };
        for (var version = 1; version <= runner.Migrations.Head; version++)
        {
            await runner.MigrateAsync(version);
            snapshots.Add(await CatalogSnapshot.TakeAsync(Database));
        }

        for (var version = runner.Migrations.Head; version >= 1; version--)
        {
            await runner.RollbackAsync(version - 1, allowDataLoss: true);
            Assert.Equal(snapshots[version - 1], await CatalogSnapshot.TakeAsync(Database));
            await runner.MigrateAsync(version);
            Assert.Equal(snapshots[version], await CatalogSnapshot.TakeAsync(Database));
            await runner.RollbackAsync(version - 1, allowDataLoss: true);
        }

        Assert.Equal(0, (await runner.GetStatusAsync()).CurrentVersion);
    }

    [Fact]
    public async Task Down_from_the_newest_version_to_empty_leaves_nothing_behind()
    {
        var runner = Runner();
        await runner.MigrateAsync();
        Assert.NotEmpty(await CatalogSnapshot.TakeAsync(Database));

        await runner.RollbackAsync(0, allowDataLoss: true);

        Assert.Empty(await CatalogSnapshot.TakeAsync(Database));
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typname <> 'sark_migrations' AND t.typname <> '_sark_migrations'"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("SELECT count(*) FROM sark_migrations"));
    }
}
