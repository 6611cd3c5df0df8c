using Sark.Data.Errors;
using Sark.Data.Registry;
using Sark.Testing;
using static Sark.Data.Tests.Registry.RegistryRows;

namespace Sark.Data.Tests.Registry;

public sealed class ResourceStoreUpsertTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;
    private readonly ResourceStore store = new(fixture.Database.DataSource);

    [Fact]
    public async Task Upsert_adds_changes_and_removes_capabilities_and_reports_each()
    {
        var first = await store.UpsertAsync(Resource("up-1", Capability("read"), Capability("write"), Capability("old")));
        Assert.Equal(ResourceChange.Inserted, first.Resource);
        Assert.Equal(["old", "read", "write"], first.Added);
        Assert.Empty(first.Updated);
        Assert.Empty(first.Removed);

        var second = await store.UpsertAsync(Resource("up-1", Capability("read"), Capability("write", SensitivityLevel.High), Capability("new")));
        Assert.Equal(ResourceChange.Unchanged, second.Resource);
        Assert.Equal(["new"], second.Added);
        Assert.Equal(["write"], second.Updated);
        Assert.Equal(["old"], second.Removed);
        Assert.Equal(["read"], second.Unchanged);
        Assert.True(second.ChangedAnything);

        var rows = await CapabilityRowsAsync(database, "up-1");
        Assert.Equal(["new", "read", "write"], rows.Select(r => r.Name));
        Assert.Equal("high", rows.Single(r => r.Name == "write").Sensitivity);
        Assert.Equal("up-1:new", rows.Single(r => r.Name == "new").Id);
        Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
    }

    [Fact]
    public async Task An_unchanged_upsert_writes_nothing_and_keeps_updated_at()
    {
        var registration = Resource("up-2", Capability("read"), Capability("write"));
        await store.UpsertAsync(registration);
        await database.ExecuteAsync("UPDATE resources SET updated_at = '2020-01-01Z', created_at = '2019-01-01Z' WHERE id = 'up-2'; UPDATE capabilities SET updated_at = '2020-01-01Z' WHERE resource_id = 'up-2'");

        // Same content, other JSON spelling: jsonb compares values, not text.
        var again = await store.UpsertAsync(registration with { Metadata = """{ "transport" :  "stdio" }""" });
        Assert.False(again.ChangedAnything);
        Assert.Equal(["read", "write"], again.Unchanged);
        var resource = await store.GetAsync("up-2");
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), resource.UpdatedAt);
        Assert.All(await CapabilityRowsAsync(database, "up-2"), row => Assert.Equal(2020, row.UpdatedAt.Year));

        var changed = await store.UpsertAsync(registration with { Sensitivity = SensitivityLevel.Critical });
        Assert.Equal(ResourceChange.Updated, changed.Resource);
        Assert.Empty(changed.Updated);
        resource = await store.GetAsync("up-2");
        Assert.Equal(SensitivityLevel.Critical, resource.Sensitivity);
        Assert.True(resource.UpdatedAt.Year > 2020);
        Assert.Equal(2019, resource.CreatedAt.Year);
        Assert.All(await CapabilityRowsAsync(database, "up-2"), row => Assert.Equal(2020, row.UpdatedAt.Year));
    }

    [Fact]
    public async Task A_stored_capability_keeps_its_id_and_a_given_id_is_used_for_new_ones()
    {
        await store.UpsertAsync(Resource("up-3"));
        await database.ExecuteAsync("INSERT INTO capabilities (id, resource_id, name) VALUES ('6f1c1a52-0000-0000-0000-000000000001', 'up-3', 'imported')");

        var result = await store.UpsertAsync(Resource("up-3", Capability("imported") with { Id = "ignored-for-existing" }, Capability("fresh") with { Id = "cap-fresh" }));
        Assert.Equal(["imported"], result.Updated);
        var rows = await CapabilityRowsAsync(database, "up-3");
        Assert.Equal("6f1c1a52-0000-0000-0000-000000000001", rows.Single(r => r.Name == "imported").Id);
        Assert.Equal("cap-fresh", rows.Single(r => r.Name == "fresh").Id);
    }

    [Fact]
    public async Task Capabilities_without_a_level_are_classified()
    {
        await store.UpsertAsync(Resource("up-4",
            new CapabilityRegistration("get_password"), new CapabilityRegistration("DeleteUser"), new CapabilityRegistration("monkey"),
            new CapabilityRegistration("weather") { InputSchema = """{"properties": {"api_token": {"type": "string"}}}""" },
            new CapabilityRegistration("list_keys") { Sensitivity = SensitivityLevel.Low }));
        var levels = (await store.ListCapabilitiesAsync("up-4")).ToDictionary(c => c.Name, c => c.Sensitivity);
        Assert.Equal(SensitivityLevel.Critical, levels["get_password"]);
        Assert.Equal(SensitivityLevel.High, levels["DeleteUser"]);
        Assert.Equal(SensitivityLevel.Medium, levels["monkey"]);
        Assert.Equal(SensitivityLevel.Critical, levels["weather"]);
        Assert.Equal(SensitivityLevel.Low, levels["list_keys"]); // a given level is kept
    }

    [Fact]
    public async Task Changing_the_protocol_moves_the_counts_of_its_capabilities()
    {
        await store.UpsertAsync(Resource("up-5", Capability("a"), Capability("b", SensitivityLevel.Critical)));
        var moved = await store.UpsertAsync(Resource("up-5", Capability("a"), Capability("b", SensitivityLevel.Critical)) with { Protocol = "grpc_web" });
        Assert.Equal(ResourceChange.Updated, moved.Resource);
        var statistics = await store.GetStatisticsAsync();
        Assert.Contains(statistics.Counts, c => c is { Protocol: "grpc_web", Sensitivity: SensitivityLevel.Critical, Capabilities: 1 });
        Assert.Contains(statistics.ByProtocol, p => p is { Protocol: "grpc_web", Resources: 1, Capabilities: 2 });
        Assert.Equal(0L, await database.ScalarAsync<long>(CountMismatchSql));
    }

    [Fact]
    public async Task A_capability_id_taken_by_another_resource_is_a_conflict_and_nothing_is_written()
    {
        await store.UpsertAsync(Resource("up-6", Capability("x") with { Id = "shared-id" }));
        var error = await Assert.ThrowsAsync<DatabaseException>(() => store.UpsertAsync(Resource("up-7", Capability("y") with { Id = "shared-id" })));
        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Null(await store.FindAsync("up-7"));
    }

    [Fact]
    public async Task Get_of_a_missing_resource_is_not_found_and_find_is_null()
    {
        Assert.Null(await store.FindAsync("no-such-resource"));
        var error = await Assert.ThrowsAsync<SarkException>(() => store.GetAsync("no-such-resource"));
        Assert.Equal(SarkErrorKind.NotFound, error.Kind);
        Assert.Contains("'no-such-resource'", error.Message);
        var capabilities = await Assert.ThrowsAsync<SarkException>(() => store.ListCapabilitiesAsync("no-such-resource"));
        Assert.Equal(SarkErrorKind.NotFound, capabilities.Kind);
    }
}
