using Sark.Data.Registry;
using Sark.Testing;
using static Sark.Data.Tests.Registry.RegistryRows;

namespace Sark.Data.Tests.Registry;

/// <summary>Many writers at once: one consistent state, exact counters, no error reaching the caller.</summary>
public sealed class ResourceStoreConcurrencyTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private const int Writers = 16;

    private readonly TestDatabase database = fixture.Database;
    private readonly ResourceStore store = new(fixture.Database.DataSource);

    // Writer w reports capabilities shared-0..shared-4 at a level of its own, plus own-w-0..own-w-(w % 5):
    // the sets overlap, differ, and each is recognisable.
    private static ResourceRegistration Version(string id, int writer)
    {
        var level = (SensitivityLevel)(writer % 4 + 1);
        var capabilities = Enumerable.Range(0, 5).Select(i => Capability($"shared-{i}", level))
            .Concat(Enumerable.Range(0, writer % 5 + 1).Select(i => Capability($"own-{writer}-{i}", (SensitivityLevel)((writer + i) % 4 + 1))))
            .ToArray();
        return Resource(id, capabilities) with { Protocol = writer % 2 == 0 ? "mcp" : "http", Sensitivity = level, Endpoint = $"endpoint of writer {writer}" };
    }

    [Fact]
    public async Task Sixteen_concurrent_upserts_of_one_resource_leave_exactly_one_writers_version()
    {
        for (var round = 0; round < 3; round++)
        {
            var id = $"contended-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                await start.Task;
                return await store.UpsertAsync(Version(id, w));
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(tasks);

            Assert.Single(results, r => r.Resource == ResourceChange.Inserted);
            var resource = await store.GetAsync(id);
            var writer = int.Parse(resource.Endpoint.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            var expected = Version(id, writer);
            var stored = await CapabilityRowsAsync(database, id);
            Assert.Equal(expected.Capabilities.Select(c => c.Name).Order(StringComparer.Ordinal), stored.Select(r => r.Name).Order(StringComparer.Ordinal));
            Assert.All(stored, row => Assert.Equal(expected.Capabilities.Single(c => c.Name == row.Name).Sensitivity!.Value.ToText(), row.Sensitivity));
            Assert.Equal(expected.Protocol, resource.Protocol);
            Assert.Equal(expected.Sensitivity, resource.Sensitivity);
            Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
        }
    }

    [Fact]
    public async Task Statistics_match_a_recount_after_concurrent_upserts_of_many_resources()
    {
        // Different resources whose capabilities fall in the same statistics groups, in every order:
        // the triggers only append, so no writer waits for another and none is retried.
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var results = new List<UpsertResult>();
            for (var i = 0; i < 12; i++)
            {
                results.Add(await store.UpsertAsync(Version($"spread-{w}-{i % 4}", (w + i) % Writers)));
            }

            return results;
        })).ToList();
        var all = (await Task.WhenAll(tasks)).SelectMany(r => r).ToList();

        Assert.Equal(Writers * 12, all.Count);
        Assert.All(all, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
        var statistics = await store.GetStatisticsAsync();
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM resources"), statistics.TotalResources);
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM capabilities"), statistics.TotalCapabilities);
        Assert.Equal(
            await database.ScalarAsync<long>("SELECT count(*) FROM capabilities c JOIN resources r ON r.id = c.resource_id WHERE r.protocol = 'http' AND c.sensitivity_level = 'critical'"),
            statistics.Counts.Where(c => c is { Protocol: "http", Sensitivity: SensitivityLevel.Critical }).Sum(c => c.Capabilities));
    }

    [Fact]
    public async Task Reading_the_statistics_folds_the_counter_rows_once_they_pile_up_and_changes_no_count()
    {
        for (var i = 0; i < 150; i++)
        {
            await store.UpsertAsync(Version($"pile-{i}", i % Writers));
        }

        var rows = await database.ScalarAsync<long>("SELECT count(*) FROM registry_counts");
        Assert.True(rows > ResourceStore.CompactAboveRows, $"{rows} rows: too few to fold");
        var before = await store.GetStatisticsAsync();
        var groups = await database.ScalarAsync<long>("SELECT count(*) FROM (SELECT DISTINCT protocol, sensitivity_level FROM registry_counts) g");
        Assert.Equal(groups, await database.ScalarAsync<long>("SELECT count(*) FROM registry_counts"));
        Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
        Assert.Equal(before.Counts, (await store.GetStatisticsAsync()).Counts);
    }
}
