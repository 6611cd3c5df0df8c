using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Federation;
using Sark.Data.Registry;

namespace Sark.Cli.Bench;

/// <summary>
/// One measured operation: a statement a SARK component runs, its parameters drawn at random from
/// the data set, its target, and the same statement as a pgbench script (pgbench variables are
/// numbers, so there the key is built from a random number inside the statement). An operation
/// with a <see cref="StoreCall"/> is measured as a call of the library's store, which runs
/// <see cref="Sql"/>; one without runs <see cref="Sql"/> itself.
/// </summary>
/// <param name="Name">Its name on the command line (<c>--only</c>) and in reports and target files.</param>
/// <param name="Description">What it does, in a few words.</param>
/// <param name="Target">The seeds' target, or the stricter one.</param>
/// <param name="IsRead">Reads run with <c>--concurrency</c> clients; the write always with one.</param>
/// <param name="Sql">The statement, with $1… parameters.</param>
/// <param name="Types">The parameters' types, in order.</param>
/// <param name="Draw">The parameter values for one call: the statement's, for a read (EXPLAIN uses them too).</param>
/// <param name="PgbenchScript">The pgbench script running the same statement; null when pgbench cannot (a COPY).</param>
internal sealed record BenchOperation(
    string Name,
    string Description,
    BenchTarget Target,
    bool IsRead,
    string Sql,
    NpgsqlDbType[] Types,
    Func<BenchDataset, Random, object[]> Draw,
    Func<BenchDataset, string>? PgbenchScript)
{
    /// <summary>The store call a component makes, given the drawn values; null to run <see cref="Sql"/> directly.</summary>
    public Func<BenchStores, object[], CancellationToken, Task>? StoreCall { get; init; }

    /// <summary>Rows or events one call handles: 1, or a batch's size (throughput targets count these).</summary>
    public int UnitsPerCall { get; init; } = 1;

    /// <summary>Clients calling at once whatever <c>--concurrency</c> says; null: <c>--concurrency</c> for a read, 1 for a write.</summary>
    public int? Clients { get; init; }

    /// <summary>Runs once before the operation is measured: the rows its calls need (a budget to charge).</summary>
    public Func<BenchStores, BenchDataset, CancellationToken, Task>? Prepare { get; init; }

    /// <summary>Checks the database after the measured calls (exact totals); a failed check fails the operation.</summary>
    public Func<NpgsqlConnection, BenchDataset, CancellationToken, Task<BenchCheck>>? Check { get; init; }

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

/// <summary>
/// The operations of SPEC §7 and the issues' stricter targets. The registry's, federation's and
/// audit's are calls of their stores (<see cref="BenchStores"/>), so the figures are what a
/// component gets; pgbench runs the statements those stores send.
/// </summary>
internal static class BenchOperations
{
    private static readonly string[] Protocols = ["mcp", "http", "grpc"];

    public static readonly BenchOperation ResourceById = new(
        "resource-by-id", "one resource by its id (ResourceStore.FindAsync)", BenchTarget.P99(1), true,
        ResourceStore.FindSql, [NpgsqlDbType.Varchar],
        (data, random) => [data.ResourceId(random.Next(1, data.Resources + 1))],
        data => Script(data, "\\set n random(1, {Resources})", Literal(ResourceStore.FindSql, "'{Prefix}r-' || :n::text")))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Registry.FindAsync((string)values[0], cancellationToken),
    };

    public static readonly BenchOperation CapabilitiesOfResource = new(
        "capabilities-of-resource", "the capabilities of one resource, by name (ResourceStore.ListCapabilitiesAsync)", BenchTarget.P99(2), true,
        ResourceStore.CapabilitiesOfSql, [NpgsqlDbType.Varchar],
        (data, random) => [data.ResourceId(random.Next(1, data.Resources + 1))],
        data => Script(data, "\\set n random(1, {Resources})", Literal(ResourceStore.CapabilitiesOfSql, "'{Prefix}r-' || :n::text")))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Registry.ListCapabilitiesAsync((string)values[0], cancellationToken),
    };

    public static readonly BenchOperation ProtocolAggregation = new(
        "protocol-aggregation", "resources and capabilities per protocol and sensitivity (ResourceStore.GetStatisticsAsync)", BenchTarget.P95(20), true,
        ResourceStore.StatisticsSql, [], (_, _) => [], _ => OneLine(ResourceStore.StatisticsSql) + ";\n")
    {
        StoreCall = (stores, _, cancellationToken) => stores.Registry.GetStatisticsAsync(cancellationToken),
    };

    // The statement ListHighSensitivityCapabilitiesAsync builds for a first page of one protocol.
    private const string HighSensitivitySql = $"""
        SELECT {ResourceStore.CapabilityColumns}
        FROM capabilities c JOIN resources r ON r.id = c.resource_id
        WHERE c.sensitivity_level = ANY($1) AND r.protocol = $2
        ORDER BY c.id LIMIT $3
        """;

    public static readonly BenchOperation HighSensitivitySearch = new(
        "high-sensitivity-search", "the first 100 high or critical capabilities of one protocol (ResourceStore.ListHighSensitivityCapabilitiesAsync)", BenchTarget.P95(25), true,
        HighSensitivitySql, [NpgsqlDbType.Array | NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Integer],
        (_, random) => [new[] { "high", "critical" }, Protocols[random.Next(Protocols.Length)], 101],
        data => Script(data, "\\set p random(1, 3)",
            OneLine(HighSensitivitySql).Replace("$1", "ARRAY['high', 'critical']", StringComparison.Ordinal)
                .Replace("$2", "(ARRAY['mcp', 'http', 'grpc'])[:p]", StringComparison.Ordinal).Replace("$3", "101", StringComparison.Ordinal) + ";"))
    {
        StoreCall = (stores, values, cancellationToken) =>
            stores.Registry.ListHighSensitivityCapabilitiesAsync(SensitivityLevel.High, (string)values[1], 100, cancellationToken: cancellationToken),
    };

    public static readonly BenchOperation MetadataContainment = new(
        "metadata-containment", "up to 100 resources whose metadata contains {\"owner\": team} (ResourceStore.SearchByMetadataAsync, GIN index)", BenchTarget.P95(5), true,
        ResourceStore.SearchSql, [NpgsqlDbType.Jsonb, NpgsqlDbType.Text, NpgsqlDbType.Integer],
        (data, random) => [$$"""{"owner": "{{BenchDataset.Team(random.Next(1, data.Teams + 1))}}"}""", DBNull.Value, 101],
        data => Script(data, "\\set k random(1, {Teams})",
            OneLine(ResourceStore.SearchSql).Replace("$1::jsonb", "('{\"owner\": \"team-' || :k::text || '\"}')::jsonb", StringComparison.Ordinal)
                .Replace("$2", "NULL", StringComparison.Ordinal).Replace("$3", "101", StringComparison.Ordinal) + ";"))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Registry.SearchByMetadataAsync((string)values[0], 100, cancellationToken: cancellationToken),
    };

    public static readonly BenchOperation FederationLookup = new(
        "federation-lookup", "one federation node by its node_id (FederationRegistry.FindAsync)", BenchTarget.P99(1), true,
        FederationRegistry.FindSql, [NpgsqlDbType.Varchar],
        (data, random) => [data.NodeId(random.Next(1, data.FederationNodes + 1))],
        data => Script(data, "\\set k random(1, {FederationNodes})", Literal(FederationRegistry.FindSql, "'{Prefix}node-' || :k::text")))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Federation.FindAsync((string)values[0], cancellationToken),
    };

    public static readonly IReadOnlyList<BenchOperation> All =
    [
        ResourceById, CapabilitiesOfResource, ProtocolAggregation, HighSensitivitySearch, MetadataContainment, FederationLookup,
        BenchCostOperations.Charge, BenchCostOperations.ChargeConcurrent, BenchCostOperations.Ingest,
        BenchAuditOperations.Append, BenchAuditOperations.BatchAppend, BenchAuditOperations.Correlation,
    ];

    /// <summary>What <c>sark quickstart</c> measures: three reads, a few seconds.</summary>
    public static readonly IReadOnlyList<BenchOperation> Quickstart = [ResourceById, CapabilitiesOfResource, MetadataContainment];

    public static string Names => string.Join(", ", All.Select(o => o.Name));

    // The tag and sizes are this program's own values (hex digits and numbers): safe inside the literal.
    internal static string Script(BenchDataset data, string variables, string statement) =>
        Fill(variables, data) + "\n" + Fill(statement, data) + "\n";

    private static string Fill(string text, BenchDataset data) => text
        .Replace("{Prefix}", data.Prefix, StringComparison.Ordinal)
        .Replace("{Resources}", data.Resources.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Teams}", data.Teams.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Principals}", data.Principals.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{FederationNodes}", data.FederationNodes.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{Correlations}", data.Correlations.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    // pgbench reads one statement per line unless it ends with a backslash; a multi-line query goes on one line.
    internal static string OneLine(string sql) => string.Join(' ', sql.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    // A store's statement with its one parameter, $1, replaced by a pgbench expression.
    private static string Literal(string sql, string expression) => OneLine(sql).Replace("$1", expression, StringComparison.Ordinal) + ";";
}
