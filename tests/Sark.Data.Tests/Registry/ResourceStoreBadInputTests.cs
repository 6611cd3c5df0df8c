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
        // Values PostgreSQL cannot store: refused as usage errors before a connection opens, not database errors.
        { "resource id 'a\\u0000b' holds a NUL character", Resource("a\0b") },
        { "name of resource 'bad' 'x\\u0000' holds a NUL character", Resource("bad") with { Name = "x\0" } },
        { "endpoint of resource 'bad' 'npx\\u0000' holds a NUL character", Resource("bad") with { Endpoint = "npx\0" } },
        { "description of capability 'c' of resource 'bad' holds a NUL character", Resource("bad", Capability("c") with { Description = "d\0" }) },
        { "metadata of resource 'bad' '{\"a\": \"\\u0000\"}' holds the escape \\u0000", Resource("bad") with { Metadata = """{"a": "\u0000"}""" } },
        { "metadata of resource 'bad' '{\"a\": \"\\ud800\"}' holds a lone surrogate escape", Resource("bad") with { Metadata = """{"a": "\ud800"}""" } },
        { "input schema of capability 'c' of resource 'bad' '{\"\\u0000\": 1}' holds the escape \\u0000", Resource("bad", new CapabilityRegistration("c") { InputSchema = """{"\u0000": 1}""" }) },
        { "metadata of resource 'bad' '{\"n\": 1e999999}' holds the number '1e999999'", Resource("bad") with { Metadata = """{"n": 1e999999}""" } },
        { "metadata of resource 'bad' '{\"n\": 0.5e-16383}' holds the number '0.5e-16383'", Resource("bad") with { Metadata = """{"n": 0.5e-16383}""" } },
        { "metadata of resource 'bad' '{\"a\": {\"k\": 1, \"k\": 2}}' has the key 'k' twice in one object", Resource("bad") with { Metadata = """{"a": {"k": 1, "k": 2}}""" } },
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

    // Kept out of the theory: a lone surrogate in a test case's name would not survive the runner's reports.
    [Fact]
    public async Task Text_with_a_lone_surrogate_is_refused_before_anything_is_written()
    {
        var name = await Assert.ThrowsAsync<UsageException>(() => store.UpsertAsync(Resource("bad", Capability("c\ud800"))));
        Assert.Contains("capability name of resource 'bad' 'c\\ud800' holds a lone surrogate", name.Message);
        var description = await Assert.ThrowsAsync<UsageException>(() => store.UpsertAsync(Resource("bad", Capability("c") with { Description = "\udc00" })));
        Assert.Contains("description of capability 'c' of resource 'bad' holds a lone surrogate", description.Message);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    // The checks above refuse only what PostgreSQL refuses: its limits themselves are stored.
    [Fact]
    public async Task Values_at_the_limits_of_what_PostgreSQL_stores_are_accepted()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", RegistryValues.MaxIdLength));
        var registration = Resource("edge", new CapabilityRegistration("c") { Id = "edge-c", Description = "\u0001 ok \U0001F600" })
            with { Name = emoji, Metadata = """{"big": 99999e131067, "small": 0.5e-16382, "zero": 0e1073741822, "ctl": "\u0001", "pair": "\ud83d\ude00"}""" };
        try
        {
            await store.UpsertAsync(registration);
            Assert.Equal(emoji, (await store.GetAsync("edge")).Name);
            Assert.Equal(1L, await database.ScalarAsync<long>("""SELECT count(*) FROM resources WHERE metadata @> '{"pair": "\ud83d\ude00"}'"""));
            Assert.Equal(1L, (await store.SearchByMetadataAsync("""{"pair": "\ud83d\ude00"}""")).Items.Count);
        }
        finally
        {
            await database.ExecuteAsync("DELETE FROM resources"); // the other tests count on an empty table
        }
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
        Assert.Contains("holds the escape \\u0000", (await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("""{"a": "\u0000"}"""))).Message);
        Assert.Contains("lone surrogate escape", (await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("""{"a": "\udc00"}"""))).Message);
        Assert.Contains("holds the number '1e131072'", (await Assert.ThrowsAsync<UsageException>(() => store.SearchByMetadataAsync("""{"n": 1e131072}"""))).Message);
        Assert.Contains("holds a NUL character", (await Assert.ThrowsAsync<UsageException>(() => store.FindAsync("a\0"))).Message);
        Assert.Contains("holds a NUL character", (await Assert.ThrowsAsync<UsageException>(() => store.ListCapabilitiesAsync("\0x"))).Message);
        await Assert.ThrowsAsync<UsageException>(() => store.ListCapabilitiesAsync(" "));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync((SensitivityLevel)0));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync(protocol: "HTTP"));
        await Assert.ThrowsAsync<UsageException>(() => store.ListHighSensitivityCapabilitiesAsync(limit: -1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.UpsertAsync(null!));
        Assert.Contains("'HIGH' is not a sensitivity level", Assert.Throws<UsageException>(() => RegistryValues.ParseSensitivity("HIGH")).Message);
    }
}
