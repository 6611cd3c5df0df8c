using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Sark.Cli.Bench;

/// <summary>
/// The benchmark's audit trail: federated requests of three hops each (the request leaving one
/// node, its authorization and the tool call on another), sharing a correlation id
/// <c>bench-&lt;tag&gt;-corr-k</c>, in time order over the cost rows' 90 days; by binary COPY like
/// the other tables. Ids come from the data set's random generator, so they are the same for a
/// scale and seed. The enum columns are sent as text: an enum's binary form is its label's bytes,
/// and naming the enum type would need Npgsql to have loaded it, which a data source that connected
/// before the schema was migrated (the quickstart's) has not.
/// </summary>
internal sealed class BenchAuditGenerator(BenchDataset dataset, Random random, IProgress<(string Table, long Done, long Total)>? progress)
{
    private const int ProgressEvery = 50_000;

    private static readonly (string Type, string Severity)[] Hops =
    [
        ("cross_org_request", "low"), ("cross_org_authorization", "medium"), ("tool_invoked", "low"),
    ];

    public async Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string copy = """
            COPY audit_events (id, "timestamp", event_type, severity, user_email, tool_name, decision, request_id, details,
                               principal_org, resource_protocol, capability_id, correlation_id, source_node, target_node)
            FROM STDIN (FORMAT BINARY)
            """;
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerDisposal = importer.ConfigureAwait(false);
        var start = dataset.CreatedAt.AddDays(-BenchDataset.DaysOfCostRows);
        var step = TimeSpan.FromDays(BenchDataset.DaysOfCostRows).Ticks / dataset.Correlations;
        long done = 0;
        for (long k = 1; k <= dataset.Correlations; k++)
        {
            var resource = random.Next(1, dataset.Resources + 1);
            var capability = random.Next(1, BenchDataset.CapabilitiesPerResource + 1);
            var source = random.Next(1, dataset.FederationNodes + 1);
            var target = 1 + (source % dataset.FederationNodes);
            var principal = random.Next(1, dataset.Principals + 1);
            var at = start.AddTicks((k - 1) * step);
            for (var hop = 0; hop < Hops.Length; hop++)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(NextId(), NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(at.AddMilliseconds(hop * 3), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Hops[hop].Type, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Hops[hop].Severity, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($"user-{principal}@org-{source}.bench.example"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($"tool-{capability}"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(hop == 1 ? "allow" : null, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($"req-{k}-{hop}"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($$"""{"hop": {{hop + 1}}}"""), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(Invariant($"org-{source}"), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(BenchDataGenerator.Protocol(resource), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.CapabilityId(resource, capability), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.CorrelationId(k), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.NodeId(source), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(dataset.NodeId(target), NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                if (++done % ProgressEvery == 0 || done == dataset.AuditEvents)
                {
                    progress?.Report(("audit events", done, dataset.AuditEvents));
                }
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private Guid NextId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
