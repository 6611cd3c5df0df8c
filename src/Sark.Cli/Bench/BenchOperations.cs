using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Sark.Cli.Bench;

/// <summary>
/// One measured operation: a statement a SARK component runs, its parameters drawn at random from
/// the data set, its target, and the same statement as a pgbench script (pgbench variables are
/// numbers, so there the key is built from a random number inside the statement).
/// </summary>
/// <param name="Name">Its name on the command line (<c>--only</c>) and in reports and target files.</param>
/// <param name="Description">What it does, in a few words.</param>
/// <param name="Target">The seeds' target, or the stricter one.</param>
/// <param name="IsRead">Reads run with <c>--concurrency</c> clients; the write always with one.</param>
/// <param name="Sql">The statement, with $1… parameters.</param>
/// <param name="Types">The parameters' types, in order.</param>
/// <param name="Draw">The parameter values for one call.</param>
/// <param name="PgbenchScript">The pgbench script running the same statement.</param>
internal sealed record BenchOperation(
    string Name,
    string Description,
    BenchTarget Target,
    bool IsRead,
    string Sql,
    NpgsqlDbType[] Types,
    Func<BenchDataset, Random, object[]> Draw,
    Func<BenchDataset, string> PgbenchScript)
{
    /// <summary>Rows or events one call handles: 1, or a batch's size (throughput targets count these).</summary>
    public int UnitsPerCall { get; init; } = 1;

    /// <summary>A command for this operation on <paramref name="connection"/>, its parameters typed and unset.</summary>
    public NpgsqlCommand CreateCommand(NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(Sql, connection);
        foreach (var type in Types)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
        }

        return command;
    }
}

/// <summary>The operations of SPEC §7, with the seeds' targets.</summary>
internal static class BenchOperations
{
    public static readonly BenchOperation ResourceById = new(
        "resource-by-id", "one resource by its id", BenchTarget.P95(5), true,
        "SELECT id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at FROM resources WHERE id = $1",
        [NpgsqlDbType.Varchar],
        (data, random) => [data.ResourceId(random.Next(1, data.Resources + 1))],
        data => Script(data, "\\set n random(1, {Resources})",
            "SELECT id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at FROM resources WHERE id = '{Prefix}r-' || :n::text;"));

    public static readonly BenchOperation CapabilitiesOfResource = new(
        "capabilities-of-resource", "the capabilities of one resource, by name", BenchTarget.P95(10), true,
        "SELECT id, name, description, input_schema, output_schema, sensitivity_level, metadata FROM capabilities WHERE resource_id = $1 ORDER BY name",
        [NpgsqlDbType.Varchar],
        (data, random) => [data.ResourceId(random.Next(1, data.Resources + 1))],
        data => Script(data, "\\set n random(1, {Resources})",
            "SELECT id, name, description, input_schema, output_schema, sensitivity_level, metadata FROM capabilities WHERE resource_id = '{Prefix}r-' || :n::text ORDER BY name;"));

    // Resources and capabilities per protocol; capabilities are counted per resource first, so the
    // join is 1:1 and no count(DISTINCT …) sort is needed.
    private const string AggregationSql = """
        SELECT r.protocol, count(*) AS resources, coalesce(sum(c.capabilities), 0) AS capabilities
        FROM resources r
        LEFT JOIN (SELECT resource_id, count(*) AS capabilities FROM capabilities GROUP BY resource_id) c ON c.resource_id = r.id
        GROUP BY r.protocol ORDER BY r.protocol
        """;

    public static readonly BenchOperation ProtocolAggregation = new(
        "protocol-aggregation", "resources and capabilities per protocol, across all protocols", BenchTarget.P95(50), true,
        AggregationSql, [], (_, _) => [], _ => OneLine(AggregationSql) + ";");

    public static readonly BenchOperation HighSensitivitySearch = new(
        "high-sensitivity-search", "a page of 100 high or critical capabilities across protocols, after a random cursor", BenchTarget.P95(25), true,
        "SELECT c.id, c.resource_id, c.name, c.sensitivity_level, r.protocol FROM capabilities c JOIN resources r ON r.id = c.resource_id WHERE c.sensitivity_level IN ('high', 'critical') AND c.id > $1 ORDER BY c.id LIMIT 100",
        [NpgsqlDbType.Varchar],
        (data, random) => [data.CapabilityId(random.Next(1, data.Resources + 1), random.Next(1, BenchDataset.CapabilitiesPerResource + 1))],
        data => Script(data, "\\set n random(1, {Resources})\n\\set j random(1, 10)",
            "SELECT c.id, c.resource_id, c.name, c.sensitivity_level, r.protocol FROM capabilities c JOIN resources r ON r.id = c.resource_id WHERE c.sensitivity_level IN ('high', 'critical') AND c.id > '{Prefix}c-' || :n::text || '-' || :j::text ORDER BY c.id LIMIT 100;"));

    public static readonly BenchOperation MetadataContainment = new(
        "metadata-containment", "up to 100 resources whose metadata contains {\"owner\": team} (GIN index)", BenchTarget.P95(15), true,
        "SELECT id, name, protocol, endpoint FROM resources WHERE metadata @> $1 LIMIT 100",
        [NpgsqlDbType.Jsonb],
        (data, random) => [$$"""{"owner": "{{BenchDataset.Team(random.Next(1, data.Teams + 1))}}"}"""],
        data => Script(data, "\\set k random(1, {Teams})",
            "SELECT id, name, protocol, endpoint FROM resources WHERE metadata @> ('{\"owner\": \"team-' || :k::text || '\"}')::jsonb LIMIT 100;"));

    public static readonly BenchOperation CostInsert = new(
        "cost-insert", "one cost row written (its own transaction)", BenchTarget.P95(3), false,
        "INSERT INTO cost_tracking (principal_id, resource_id, capability_id, estimated_cost, actual_cost, metadata) VALUES ($1, $2, $3, $4, $5, $6)",
        [NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Varchar, NpgsqlDbType.Numeric, NpgsqlDbType.Numeric, NpgsqlDbType.Jsonb],
        (data, random) =>
        {
            var resource = random.Next(1, data.Resources + 1);
            return
            [
                data.WrittenPrincipalPrefix + random.Next(1, data.Principals + 1).ToString(CultureInfo.InvariantCulture),
                data.ResourceId(resource), data.CapabilityId(resource, random.Next(1, BenchDataset.CapabilitiesPerResource + 1)),
                0.0012m, 0.0013m, """{"model": "bench"}""",
            ];
        },
        data => Script(data, "\\set p random(1, {Principals})\n\\set n random(1, {Resources})\n\\set j random(1, 10)",
            "INSERT INTO cost_tracking (principal_id, resource_id, capability_id, estimated_cost, actual_cost, metadata) VALUES ('{Prefix}w-' || :p::text, '{Prefix}r-' || :n::text, '{Prefix}c-' || :n::text || '-' || :j::text, 0.0012, 0.0013, '{\"model\": \"bench\"}');"));

    public static readonly BenchOperation FederationLookup = new(
        "federation-lookup", "one federation node by its node_id", BenchTarget.P95(5), true,
        "SELECT id, node_id, name, endpoint, trust_anchor_cert, enabled, rate_limit_per_hour, metadata FROM federation_nodes WHERE node_id = $1",
        [NpgsqlDbType.Varchar],
        (data, random) => [data.NodeId(random.Next(1, data.FederationNodes + 1))],
        data => Script(data, "\\set k random(1, {FederationNodes})",
            "SELECT id, node_id, name, endpoint, trust_anchor_cert, enabled, rate_limit_per_hour, metadata FROM federation_nodes WHERE node_id = '{Prefix}node-' || :k::text;"));

    public static readonly IReadOnlyList<BenchOperation> All =
        [ResourceById, CapabilitiesOfResource, ProtocolAggregation, HighSensitivitySearch, MetadataContainment, CostInsert, FederationLookup];

    /// <summary>What <c>sark quickstart</c> measures: three reads, a few seconds.</summary>
    public static readonly IReadOnlyList<BenchOperation> Quickstart = [ResourceById, CapabilitiesOfResource, MetadataContainment];

    public static string Names => string.Join(", ", All.Select(o => o.Name));

    // The tag and sizes are this program's own values (hex digits and numbers): safe inside the literal.
    private static string Script(BenchDataset data, string variables, string statement) =>
        Fill(variables, data) + "\n" + Fill(statement, data) + "\n";

    private static string Fill(string text, BenchDataset data) => text
        .Replace("{Prefix}", data.Prefix, StringComparison.Ordinal)
        .Replace("{Resources}", data.Resources.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Teams}", data.Teams.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Principals}", data.Principals.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{FederationNodes}", data.FederationNodes.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    // pgbench reads one statement per line unless it ends with a backslash; a multi-line query goes on one line.
    private static string OneLine(string sql) => string.Join(' ', sql.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
