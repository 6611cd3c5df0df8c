using System.Globalization;

namespace Sark.Cli.Bench;

/// <summary>
/// The benchmark's generated data: its size, the seed it was made from, and the tag that every one
/// of its row keys starts with (<c>bench-&lt;tag&gt;-</c>), so cleanup can remove exactly these rows
/// and nothing else. Recorded in <c>sark_bench.datasets</c>, one row per working schema.
/// </summary>
/// <param name="Tag">Eight random hex digits, chosen when the data is generated.</param>
/// <param name="Scale">Resources; the other tables are sized from it (see the counts).</param>
/// <param name="Seed">The random generator's seed: the same scale and seed give the same rows, apart from the tag in every key and the timestamps.</param>
/// <param name="Generator">The generator's version; data of another version is refused.</param>
/// <param name="CreatedAt">When the data was generated (cost rows cover the 90 days before it).</param>
internal sealed record BenchDataset(string Tag, int Scale, int Seed, int Generator, DateTimeOffset CreatedAt)
{
    /// <summary>Bumped whenever the generated rows change shape, so old data is refused, not misread.</summary>
    public const int CurrentGenerator = 2;

    /// <summary>The seed every run uses (recorded, so a report says which data it measured).</summary>
    public const int DefaultSeed = 20261130;

    public const int CapabilitiesPerResource = 10;

    public const int CostRowsPerResource = 100;

    public const int DaysOfCostRows = 90;

    public const int AuditEventsPerResource = 10;

    /// <summary>Events of one federated request: sent by one node, authorized and run by another.</summary>
    public const int HopsPerCorrelation = 3;

    /// <summary>Whether the tables were vacuumed and analysed after the data was generated.</summary>
    public bool Vacuumed { get; init; }

    public string Prefix => $"bench-{Tag}-";

    public int Resources => Scale;

    public int Capabilities => Scale * CapabilitiesPerResource;

    public long CostRows => (long)Scale * CostRowsPerResource;

    public int FederationNodes => Math.Max(1, Scale / 100);

    /// <summary>Audit events, in whole requests of <see cref="HopsPerCorrelation"/> hops, over the same 90 days as the cost rows.</summary>
    public long AuditEvents => Correlations * HopsPerCorrelation;

    public long Correlations => (long)Scale * AuditEventsPerResource / HopsPerCorrelation;

    /// <summary>Principals the cost rows are spread over.</summary>
    public int Principals => Math.Max(1, Scale / 10);

    /// <summary>Owner teams in resources.metadata; about ten resources each, the containment search's key.</summary>
    public int Teams => Math.Max(1, Scale / 10);

    public string ResourceId(int n) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}r-{n}");

    public string CapabilityId(int resource, int j) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}c-{resource}-{j}");

    public string CorrelationId(long k) => string.Create(CultureInfo.InvariantCulture, $"{GeneratedCorrelationPrefix}{k}");

    /// <summary>Correlation ids of the generated audit events.</summary>
    public string GeneratedCorrelationPrefix => $"{Prefix}corr-";

    public string NodeId(int k) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}node-{k}");

    public string PrincipalId(int k) => string.Create(CultureInfo.InvariantCulture, $"{GeneratedPrincipalPrefix}{k}");

    /// <summary>Principals of the generated cost rows.</summary>
    public string GeneratedPrincipalPrefix => $"{Prefix}p-";

    public static string Team(int k) => string.Create(CultureInfo.InvariantCulture, $"team-{k}");

    /// <summary>
    /// Principals of the cost rows, and correlation ids of the audit events, that the write
    /// operations write while they are measured; they are removed after each, so the generated
    /// data stays the same from run to run.
    /// </summary>
    public string WrittenPrincipalPrefix => $"{Prefix}w-";

    /// <summary>What a reader sees of the data: "1,000 resources, 10,000 capabilities, …".</summary>
    public string Describe() =>
        $"{Count(Resources, "resource")}, {Count(Capabilities, "capability")}, {Count(CostRows, "cost row")} over {DaysOfCostRows} days, {Count(FederationNodes, "federation node")}, {Count(AuditEvents, "audit event")}";

    /// <summary>"1 resource", "2 resources", "1 capability", "3 capabilities".</summary>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? noun : noun.EndsWith('y') ? noun[..^1] + "ies" : noun + "s")}");
}
