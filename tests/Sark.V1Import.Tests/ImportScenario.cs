using Sark.Testing;
using Sark.Testing.V1;

namespace Sark.V1Import.Tests;

/// <summary>A database at head with v1 tables of one variant, and the tool's four modes against it.</summary>
internal sealed class ImportScenario : IAsyncDisposable
{
    private ImportScenario(TestDatabase database, bool orm)
    {
        Database = database;
        Rows = new V1Rows(database, orm);
    }

    public TestDatabase Database { get; }

    public V1Rows Rows { get; }

    public static async Task<ImportScenario> CreateAsync(bool orm = false) => new(await V1Rows.CreateDatabaseAsync(orm), orm);

    public Task<DryRunReport> DryRunAsync() => new Planner(Database.DataSource).PlanAsync();

    public Task<ImportResult> ExecuteAsync(int batchSize = 1000, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new Importer(Database.DataSource, new ImportOptions { BatchSize = batchSize }) { Progress = progress }.ExecuteAsync(cancellationToken);

    public Task<ValidationReport> ValidateAsync() => new Validator(Database.DataSource).ValidateAsync();

    public Task<RollbackReport> RollbackAsync(bool dryRun = false, bool force = false) =>
        new Rollback(Database.DataSource).RollBackAsync(dryRun, force);

    public Task<string> DumpV2Async() => V1Rows.DumpV2Async(Database);

    /// <summary>Two servers (stdio, http) with two tools each, plus an sse server without tools.</summary>
    public async Task SeedBasicAsync()
    {
        await Rows.AddServerAsync(Ids.Server(1), "files", "stdio", "npx files", null, "high", extraMetadata: """{"region": "eu", "status": "overridden"}""");
        await Rows.AddServerAsync(Ids.Server(2), "weather", "http", null, "https://weather.example/mcp", "low");
        await Rows.AddServerAsync(Ids.Server(3), "events", "sse", "ignored-cmd", "https://events.example/sse", "critical");
        await Rows.AddToolAsync(Ids.Tool(11), Ids.Server(1), "read_file", sensitivity: "medium");
        await Rows.AddToolAsync(Ids.Tool(12), Ids.Server(1), "delete_file", sensitivity: "critical", requiresApproval: true);
        await Rows.AddToolAsync(Ids.Tool(21), Ids.Server(2), "forecast", sensitivity: "low");
        await Rows.AddToolAsync(Ids.Tool(22), Ids.Server(2), "alerts", parameters: """{"type": "object", "properties": {"area": {"type": "string"}}}""");
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

/// <summary>Readable fixed ids: server n is ...0000n, tool n is ...1000n.</summary>
internal static class Ids
{
    public static Guid Server(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:D12}");

    public static Guid Tool(int n) => Guid.Parse($"00000000-0000-0000-0001-{n:D12}");
}
