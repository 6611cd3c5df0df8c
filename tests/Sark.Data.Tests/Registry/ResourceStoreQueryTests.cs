using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Paging;
using Sark.Data.Registry;
using Sark.Testing;
using static Sark.Data.Tests.Registry.RegistryRows;

namespace Sark.Data.Tests.Registry;

/// <summary>Listings, search and plans, on a database of 10,000 resources made once for the class.</summary>
public sealed class ResourceStoreQueryTests(ResourceStoreQueryTests.LargeRegistry fixture) : IClassFixture<ResourceStoreQueryTests.LargeRegistry>
{
    private readonly TestDatabase database = fixture.Database;
    private readonly ResourceStore store = new(fixture.Database.DataSource);

    /// <summary>10,000 resources (team-1..team-100 in metadata, every 10th http), 3 capabilities each, analysed.</summary>
    public sealed class LargeRegistry : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateMigratedAsync();
            await Database.ExecuteAsync("""
                INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level, metadata)
                SELECT 'q-' || lpad(n::text, 5, '0'), 'resource ' || n, CASE WHEN n % 10 = 0 THEN 'http' ELSE 'mcp' END, 'npx r' || n,
                       (ARRAY['low','medium','high','critical'])[n % 4 + 1],
                       jsonb_build_object('transport', (ARRAY['stdio','http','sse'])[n % 3 + 1], 'owner', 'team-' || (n % 100 + 1),
                                          'version', '1.' || (n % 10) || '.0', 'tags', jsonb_build_array('bench', 'mcp'))
                FROM generate_series(1, 10000) n;
                INSERT INTO capabilities (id, resource_id, name, sensitivity_level)
                SELECT 'q-' || lpad(n::text, 5, '0') || ':c' || k, 'q-' || lpad(n::text, 5, '0'), 'c' || k, (ARRAY['low','medium','high','critical'])[(n + k) % 4 + 1]
                FROM generate_series(1, 10000) n, generate_series(1, 3) k;
                """);

            // VACUUM moves the GIN index's pending entries into the index, as autovacuum would.
            await Database.ExecuteAsync("VACUUM ANALYZE resources");
            await Database.ExecuteAsync("VACUUM ANALYZE capabilities");
        }

        public Task DisposeAsync() => Database.DisposeAsync().AsTask();
    }

    [Fact]
    public async Task Containment_search_uses_the_gin_index_and_pages_in_id_order()
    {
        var plan = await database.ScalarAsync<string>(
            "EXPLAIN (FORMAT JSON) " + ResourceStore.SearchSql.Replace("$1::jsonb", "'{\"owner\": \"team-7\"}'::jsonb").Replace("$2::text", "NULL::text").Replace("$2", "NULL").Replace("$3", "101"));
        Assert.Contains("\"Index Name\": \"ix_resources_metadata_gin\"", plan);
        Assert.DoesNotContain("resources_pkey", plan);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchByMetadataAsync("""{"owner": "team-7"}""", 30, cursor);
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(100, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.All(seen, id => Assert.Equal(6, (int.Parse(id[2..], System.Globalization.CultureInfo.InvariantCulture) % 100)));
    }

    [Fact]
    public async Task Listing_covers_every_row_exactly_once_while_rows_are_inserted()
    {
        var before = (await database.ScalarAsync<long>("SELECT count(*) FROM resources WHERE protocol = 'http'"));
        var seen = new List<string>();
        string? cursor = null;
        var round = 0;
        do
        {
            var page = await store.ListAsync("http", limit: 97, cursor: cursor);
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;

            // Rows that sort before and after the cursor arrive between pages.
            round++;
            await store.UpsertAsync(Resource($"q-00000-early-{round}") with { Protocol = "http" });
            await store.UpsertAsync(Resource($"q-99999-late-{round}") with { Protocol = "http" });
        }
        while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        var original = seen.Where(id => !id.Contains("-early-", StringComparison.Ordinal) && !id.Contains("-late-", StringComparison.Ordinal)).ToList();
        Assert.Equal(before, original.Count);
        Assert.DoesNotContain(seen, id => id.Contains("-early-", StringComparison.Ordinal));
        Assert.Contains(seen, id => id.Contains("-late-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listing_filters_by_protocol_and_sensitivity()
    {
        var page = await store.ListAsync("mcp", SensitivityLevel.Critical, limit: 1000);
        Assert.All(page.Items, r => Assert.Equal(("mcp", SensitivityLevel.Critical), (r.Protocol, r.Sensitivity)));
        Assert.NotNull(page.NextCursor);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(page.Items[0].Metadata).RootElement.ValueKind);
    }

    [Fact]
    public async Task High_sensitivity_capabilities_come_across_protocols_and_by_protocol()
    {
        var page = await store.ListHighSensitivityCapabilitiesAsync(limit: 1000);
        Assert.Equal(1000, page.Items.Count);
        Assert.All(page.Items, c => Assert.True(c.Sensitivity >= SensitivityLevel.High));
        Assert.Contains(page.Items, c => c.Protocol == "http");
        Assert.Contains(page.Items, c => c.Protocol == "mcp");

        var critical = await store.ListHighSensitivityCapabilitiesAsync(SensitivityLevel.Critical, "http", 1000);
        Assert.All(critical.Items, c => Assert.Equal(("http", SensitivityLevel.Critical), (c.Protocol, c.Sensitivity)));
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM capabilities c JOIN resources r ON r.id = c.resource_id WHERE r.protocol = 'http' AND c.sensitivity_level = 'critical' AND c.id LIKE 'q-%'"),
            critical.Items.Count(c => c.Id.StartsWith("q-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Capabilities_of_a_resource_come_by_name()
    {
        var capabilities = await store.ListCapabilitiesAsync("q-00042");
        Assert.Equal(["c1", "c2", "c3"], capabilities.Select(c => c.Name));
        Assert.All(capabilities, c => Assert.Equal("mcp", c.Protocol));
    }

    [Fact]
    public async Task A_tampered_or_foreign_cursor_is_refused()
    {
        var page = await store.ListAsync("mcp", limit: 5);
        var cursor = page.NextCursor!;
        var tampered = cursor[..5] + (cursor[5] == 'A' ? 'B' : 'A') + cursor[6..];
        Assert.Contains("is not a cursor a page returned", (await Assert.ThrowsAsync<UsageException>(() => store.ListAsync("mcp", cursor: tampered))).Message);
        Assert.Contains("another listing or other filters", (await Assert.ThrowsAsync<UsageException>(() => store.ListAsync("http", cursor: cursor))).Message);
        Assert.Contains("another listing or other filters", (await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("{}", cursor: cursor))).Message);
        Assert.Contains("another listing or other filters", (await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync(cursor: cursor))).Message);

        var search = await store.SearchByMetadataAsync("""{"transport": "stdio"}""", 5);
        await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("""{"transport": "sse"}""", 5, search.NextCursor));
        Assert.Equal(5, (await store.SearchByMetadataAsync("""{ "transport":"stdio" }""", 5, search.NextCursor)).Items.Count);
        Assert.Equal(PageCursor.MaxPageSize, (await store.ListAsync(limit: PageCursor.MaxPageSize)).Items.Count);
    }

    [Fact]
    public async Task Statistics_equal_a_recount()
    {
        var statistics = await store.GetStatisticsAsync();
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM resources"), statistics.TotalResources);
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM capabilities"), statistics.TotalCapabilities);
        Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
        Assert.Equal(statistics.Counts.OrderBy(c => c.Protocol, StringComparer.Ordinal).ThenBy(c => c.Sensitivity), statistics.Counts);
    }
}
