using Sark.Data.Errors;
using Sark.Data.Registry;
using Sark.Testing;
using static Sark.Data.Tests.Registry.RegistryRows;

namespace Sark.Data.Tests.Registry;

/// <summary>Bad input is one usage error naming the value, and nothing is written.</summary>
public sealed class ResourceStoreBadInputTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;
    private readonly ResourceStore store = new(fixture.Database.DataSource);

    public static TheoryData<string, ResourceRegistration> BadRegistrations => new()
    {
        { "protocol of resource 'bad' 'MCP' is not a protocol", Resource("bad") with { Protocol = "MCP" } },
        { "protocol of resource 'bad' 'my-proto' is not a protocol", Resource("bad") with { Protocol = "my-proto" } },
        { "is not a protocol", Resource("bad") with { Protocol = "mcp\n" } },
        { "is not a protocol", Resource("bad") with { Protocol = new string('a', 51) } },
        { "sensitivity of resource 'bad' 9 is not a sensitivity level", Resource("bad") with { Sensitivity = (SensitivityLevel)9 } },
        { "sensitivity of capability 'c' of resource 'bad' 0 is not a sensitivity level", Resource("bad", Capability("c", (SensitivityLevel)0)) },
        { "metadata of resource 'bad' '[1, 2]' is a JSON array; expected a JSON object", Resource("bad") with { Metadata = "[1, 2]" } },
        { "metadata of resource 'bad' '{oops' is not valid JSON", Resource("bad") with { Metadata = "{oops" } },
        { "input schema of capability 'c' of resource 'bad' '\"text\"' is a JSON string", Resource("bad", new CapabilityRegistration("c") { InputSchema = "\"text\"" }) },
        { "output schema of capability 'c' of resource 'bad' 'null' is a JSON null", Resource("bad", new CapabilityRegistration("c") { OutputSchema = "null" }) },
        { "metadata of capability 'c' of resource 'bad' '3' is a JSON number", Resource("bad", new CapabilityRegistration("c") { Metadata = "3" }) },
        { "endpoint of resource 'bad' is empty or blank", Resource("bad") with { Endpoint = "  " } },
        { "endpoint of resource 'bad' 'xxxx", Resource("bad") with { Endpoint = new string('x', 1001) } },
        { "resource id is empty or blank", Resource(" ") },
        { "resource id '", Resource(new string('r', 256)) },
        { "name of resource 'bad' is empty or blank", Resource("bad") with { Name = "" } },
        { "capability name of resource 'bad' is empty or blank", Resource("bad", Capability("\t")) },
        { "capability name 'c' appears more than once for resource 'bad'", Resource("bad", Capability("c"), Capability("d"), Capability("c")) },
        { "capability id 'x' is given to more than one capability", Resource("bad", Capability("c") with { Id = "x" }, Capability("d") with { Id = "x" }) },
        { "the default id", Resource(new string('r', 200), Capability(new string('c', 60))) },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task A_bad_registration_is_refused_before_anything_is_written(string expected, ResourceRegistration registration)
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => store.UpsertAsync(registration));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task Bad_arguments_of_every_query_are_usage_errors()
    {
        await Assert.ThrowsAsync<UsageException>(() => store.FindAsync(""));
        await Assert.ThrowsAsync<UsageException>(() => store.GetAsync(new string('x', 256)));
        await Assert.ThrowsAsync<UsageException>(() => store.ListAsync("Bad"));
        await Assert.ThrowsAsync<UsageException>(() => store.ListAsync(sensitivity: (SensitivityLevel)7));
        await Assert.ThrowsAsync<UsageException>(() => store.ListAsync(limit: 0));
        await Assert.ThrowsAsync<UsageException>(() => store.ListAsync(cursor: "garbage"));
        Assert.Contains("is a JSON array", (await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("[]"))).Message);
        await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("{", 10));
        await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync(null!));
        await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("{}", 1001));
        await Assert.ThrowsAsync<UsageException>(() => store.ListCapabilitiesAsync(" "));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync((SensitivityLevel)0));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync(protocol: "HTTP"));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync(limit: -1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.UpsertAsync(null!));
        Assert.Contains("'HIGH' is not a sensitivity level", Assert.Throws<UsageException>(() => RegistryValues.ParseSensitivity("HIGH")).Message);
    }
}
