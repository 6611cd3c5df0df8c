using System.Globalization;
using NpgsqlTypes;
using Sark.Data.Audit;

namespace Sark.Cli.Bench;

/// <summary>
/// The audit trail's operations: one event appended, a batch of events appended by binary COPY,
/// and a federated request's trace read by its correlation id. The events written carry
/// correlation ids starting with the data set's written prefix, removed after each operation.
/// </summary>
internal static class BenchAuditOperations
{
    /// <summary>Events per call of the batch operation: a collector flushing what it gathered.</summary>
    public const int BatchSize = 1000;

    private static long written;

    public static readonly BenchOperation Append = new(
        "audit-append", "one audit event appended, its own transaction (AuditLog.AppendAsync)", BenchTarget.P99(2), false,
        AuditRows.InsertSql, [], (data, random) => [Event(data, random)],
        data => BenchOperations.Script(data, AppendVariables, AppendScript()))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Audit.AppendAsync((AuditEvent)values[0], cancellationToken),
    };

    private const string AppendVariables =
        "\\set p random(1, {Principals})\n\\set n random(1, {FederationNodes})\n\\set r random(1, 1000000000000000)";

    // pgbench runs the store's own INSERT, all 23 columns, with what a call binds: the event's
    // fields as Event() draws them, NULL where it leaves them out. Replaced from $23 down, so that
    // $1 never matches the start of $10 to $19.
    private static string AppendScript()
    {
        string[] values =
        [
            "gen_random_uuid()", "now()", "'tool_invoked'", "'low'", "NULL", "'user-' || :p::text || '@bench.example'", "NULL",
            "'tool-1'", "NULL", "NULL", "NULL", "NULL", "'req'", "'{}'::jsonb", "NULL", "'org-' || :n::text", "'mcp'",
            "'{Prefix}c-1-1'", "'{Prefix}w-pgbench-' || :client_id::text || '-' || :r::text", "'{Prefix}node-' || :n::text",
            "'{Prefix}node-' || :n::text", "NULL", "NULL",
        ];
        var sql = BenchOperations.OneLine(AuditRows.InsertSql);
        for (var i = values.Length; i >= 1; i--)
        {
            sql = sql.Replace("$" + i.ToString(CultureInfo.InvariantCulture), values[i - 1], StringComparison.Ordinal);
        }

        return sql + ";";
    }

    public static readonly BenchOperation BatchAppend = new(
        "audit-batch-append", $"{BatchSize:N0} audit events appended by one binary COPY (AuditLog.AppendBatchAsync)", BenchTarget.PerSecond(50_000), false,
        AuditRows.CopySql, [],
        (data, random) => [Enumerable.Range(0, BatchSize).Select(_ => Event(data, random)).ToList()],
        PgbenchScript: null)
    {
        UnitsPerCall = BatchSize,
        StoreCall = (stores, values, cancellationToken) => stores.Audit.AppendBatchAsync((List<AuditEvent>)values[0], cancellationToken),
    };

    public static readonly BenchOperation Correlation = new(
        "audit-correlation", "every hop of one federated request, by its correlation id (AuditLog.ByCorrelationAsync)", BenchTarget.P95(5), true,
        AuditLog.TraceSql, [NpgsqlDbType.Varchar, NpgsqlDbType.Integer],
        (data, random) => [data.CorrelationId(random.NextInt64(1, data.Correlations + 1)), AuditLog.MaxTraceEvents + 1],
        data => BenchOperations.Script(data, "\\set k random(1, {Correlations})",
            BenchOperations.OneLine(AuditLog.TraceSql).Replace("$1", "'{Prefix}corr-' || :k::text", StringComparison.Ordinal)
                .Replace("$2", (AuditLog.MaxTraceEvents + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) + ";"))
    {
        StoreCall = (stores, values, cancellationToken) => stores.Audit.ByCorrelationAsync((string)values[0], cancellationToken),
    };

    // A tool call seen on this node for a request from another: the shape of most of the trail.
    private static AuditEvent Event(BenchDataset data, Random random)
    {
        var resource = random.Next(1, data.Resources + 1);
        var node = random.Next(1, data.FederationNodes + 1);
        return new AuditEvent
        {
            EventType = AuditEventType.ToolInvoked,
            Severity = AuditSeverity.Low,
            UserEmail = string.Create(CultureInfo.InvariantCulture, $"user-{random.Next(1, data.Principals + 1)}@bench.example"),
            ToolName = "tool-1",
            RequestId = "req",
            PrincipalOrg = string.Create(CultureInfo.InvariantCulture, $"org-{node}"),
            ResourceProtocol = BenchDataGenerator.Protocol(resource),
            CapabilityId = data.CapabilityId(resource, 1),
            CorrelationId = string.Create(CultureInfo.InvariantCulture, $"{data.WrittenPrincipalPrefix}{Interlocked.Increment(ref written)}"),
            SourceNode = data.NodeId(node),
            TargetNode = data.NodeId(node),
        };
    }
}
