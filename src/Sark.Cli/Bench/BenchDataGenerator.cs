using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Sark.Cli.Bench;

/// <summary>
/// Writes a <see cref="BenchDataset"/>'s rows by binary COPY: resources over the three protocols,
/// ten capabilities each, federation nodes, and cost rows and federated requests' audit events in
/// time order over the 90 days before the data set's creation. Deterministic for a scale and seed, apart from the tag in every key.
/// </summary>
internal sealed class BenchDataGenerator(BenchDataset dataset, IProgress<(string Table, long Done, long Total)>? progress)
{
    private const int ProgressEvery = 50_000;

    private static readonly string[] CapabilityNames =
    [
        "read_file", "list_items", "search", "get_status", "create_record",
        "update_record", "send_message", "delete_record", "execute_command", "manage_credentials",
    ];

    private static readonly string[] Models = ["small-model", "medium-model", "large-model"];

    private const string InputSchema = """{"type": "object", "properties": {"id": {"type": "string"}, "limit": {"type": "integer"}}, "required": ["id"]}""";

    // A placeholder in PEM armour: the federation registry (a later issue) parses real certificates;
    // these rows only need the column's size and shape for lookups.
    private const string PlaceholderCertificate = "-----BEGIN CERTIFICATE-----\nYmVuY2htYXJrIHBsYWNlaG9sZGVy\n-----END CERTIFICATE-----\n";

    private readonly Random random = new(dataset.Seed);

    public static string Protocol(int resource) => (resource % 10) switch
    {
        < 5 => "mcp",
        < 8 => "http",
        _ => "grpc",
    };

    public async Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await WriteResourcesAsync(connection, cancellationToken).ConfigureAwait(false);
        await WriteCapabilitiesAsync(connection, cancellationToken).ConfigureAwait(false);
        await WriteFederationNodesAsync(connection, cancellationToken).ConfigureAwait(false);
        await WriteCostRowsAsync(connection, cancellationToken).ConfigureAwait(false);
        await new BenchAuditGenerator(dataset, random, progress).WriteAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteResourcesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string copy = "COPY resources (id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at) FROM STDIN (FORMAT BINARY)";
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        for (var n = 1; n <= dataset.Resources; n++)
        {
            var protocol = Protocol(n);
            var (endpoint, metadata) = Describe(n, protocol);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.ResourceId(n), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Invariant($"{protocol}-service-{n}"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(protocol, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(endpoint, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Sensitivity(40, 75, 95), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(metadata, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            Report("resources", n, dataset.Resources);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private (string Endpoint, string Metadata) Describe(int n, string protocol)
    {
        var owner = BenchDataset.Team(1 + (n % dataset.Teams));
        switch (protocol)
        {
            case "mcp":
                var transport = (n % 3) switch { 0 => "stdio", 1 => "http", _ => "sse" };
                var endpoint = transport == "stdio" ? Invariant($"npx @bench/server-{n}") : Invariant($"https://mcp-{n}.bench.example/{transport}");
                return (endpoint, Invariant($$"""{"transport": "{{transport}}", "owner": "{{owner}}", "version": "1.{{n % 10}}.0", "tags": ["bench", "mcp"]}"""));
            case "http":
                return (Invariant($"https://api-{n}.bench.example/v1"),
                    Invariant($$"""{"base_path": "/v1", "auth": "bearer", "owner": "{{owner}}", "openapi_url": "https://api-{{n}}.bench.example/openapi.json"}"""));
            default:
                return (Invariant($"grpc://svc-{n}.bench.example:443"),
                    Invariant($$"""{"package": "bench.v1", "service": "Service{{n}}", "owner": "{{owner}}", "tls": true}"""));
        }
    }

    private async Task WriteCapabilitiesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string copy = "COPY capabilities (id, resource_id, name, description, input_schema, output_schema, sensitivity_level, metadata, created_at, updated_at) FROM STDIN (FORMAT BINARY)";
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        long done = 0;
        for (var n = 1; n <= dataset.Resources; n++)
        {
            for (var j = 1; j <= BenchDataset.CapabilitiesPerResource; j++)
            {
                var name = CapabilityNames[(j - 1) % CapabilityNames.Length];
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.CapabilityId(n, j), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.ResourceId(n), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(name, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($"{name} on {Protocol(n)}-service-{n}"), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(InputSchema, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync("{}", NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Sensitivity(45, 80, 95), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($$"""{"timeout_ms": {{j * 1000}}, "idempotent": {{(j % 2 == 0 ? "true" : "false")}}}"""), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                Report("capabilities", ++done, dataset.Capabilities);
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteFederationNodesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string copy = "COPY federation_nodes (node_id, name, endpoint, trust_anchor_cert, enabled, trusted_since, rate_limit_per_hour, metadata) FROM STDIN (FORMAT BINARY)";
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        for (var k = 1; k <= dataset.FederationNodes; k++)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.NodeId(k), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Invariant($"bench node {k}"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Invariant($"https://node-{k}.bench.example"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(PlaceholderCertificate, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(k % 10 != 0, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(10_000, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Invariant($$"""{"org": "org-{{k}}"}"""), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteCostRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string copy = """COPY cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, metadata) FROM STDIN (FORMAT BINARY)""";
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        var total = dataset.CostRows;
        var start = dataset.CreatedAt.AddDays(-BenchDataset.DaysOfCostRows);
        var step = TimeSpan.FromDays(BenchDataset.DaysOfCostRows).Ticks / total;
        for (long i = 0; i < total; i++)
        {
            // In time order, as a live system writes them: what the BRIN index on "timestamp" expects.
            var resource = random.Next(1, dataset.Resources + 1);
            var estimated = Math.Round(random.Next(1, 50_000) / 1_000_000m, 6);
            var actual = Math.Round(estimated * (0.8m + random.Next(0, 41) / 100m), 6);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(start.AddTicks(i * step), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.PrincipalId(random.Next(1, dataset.Principals + 1)), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.ResourceId(resource), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(dataset.CapabilityId(resource, random.Next(1, BenchDataset.CapabilitiesPerResource + 1)), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(estimated, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(actual, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Invariant($$"""{"model": "{{Models[resource % Models.Length]}}", "tokens": {{random.Next(10, 4000)}}}"""), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            Report("cost rows", i + 1, total);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    // Cumulative percentages: below the first is low, then medium, high, and the rest critical.
    private string Sensitivity(int low, int medium, int high) => random.Next(100) switch
    {
        var r when r < low => "low",
        var r when r < medium => "medium",
        var r when r < high => "high",
        _ => "critical",
    };

    private void Report(string table, long done, long total)
    {
        if (done % ProgressEvery == 0 || done == total)
        {
            progress?.Report((table, done, total));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
