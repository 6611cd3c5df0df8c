using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Rollups;

namespace Sark.Data.Maintenance;

/// <summary>
/// The steps <see cref="MaintenanceJob"/> runs, in order: partitions ahead (and DEFAULT rows moved
/// out) before retention, so rows found in a DEFAULT partition reach a monthly partition that
/// retention can drop whole; then the stores' own clean-ups.
/// </summary>
public static partial class MaintenanceSteps
{
    /// <summary>The time-partitioned tables: cost rows and the audit trail.</summary>
    public static readonly IReadOnlyList<string> PartitionedTables = ["cost_tracking", "audit_events"];

    /// <summary>Monthly partitions ahead for every time-partitioned table, DEFAULT rows moved out.</summary>
    public static MaintenanceStep Partitions { get; } = new("partitions", async (context, cancellationToken) =>
    {
        foreach (var table in PartitionedTables)
        {
            await TimePartitions.RunAsync(context, table, cancellationToken).ConfigureAwait(false);
        }
    });

    /// <summary>Partitions wholly older than each table's retention period dropped.</summary>
    public static MaintenanceStep Retention { get; } = new("retention", async (context, cancellationToken) =>
    {
        await PartitionRetention.RunAsync(context, "cost_tracking", context.Options.CostRetention, cancellationToken).ConfigureAwait(false);
        await PartitionRetention.RunAsync(context, "audit_events", context.Options.AuditRetention, cancellationToken).ConfigureAwait(false);
    });

    /// <summary>Federation request counters of hours that started more than a day ago deleted.</summary>
    public static MaintenanceStep RequestCounters(FederationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new("request-counters", async (context, cancellationToken) =>
        {
            if (!await PartitionCatalog.ExistsAsync(context.Connection, "federation_request_counts", cancellationToken).ConfigureAwait(false))
            {
                context.Report(MaintenanceActionKinds.Skipped, "federation_request_counts", null,
                    $"{context.Step}: federation_request_counts does not exist in this database (run 'sark db migrate'); nothing deleted");
                return;
            }

            var rows = await registry.CleanupRequestCountsAsync(TimeSpan.FromDays(1), cancellationToken).ConfigureAwait(false);
            if (rows > 0)
            {
                context.Report(MaintenanceActionKinds.RowsDeleted, "federation_request_counts", rows,
                    $"{context.Step}: deleted {rows} federation request counter row(s) older than a day");
            }
        });
    }

    /// <summary>Every standard step, in order. A host adding its own appends to (or inserts into) this list.</summary>
    public static IReadOnlyList<MaintenanceStep> Standard(FederationRegistry registry, CostLedger ledger, CostRollups rollups) =>
    [
        Partitions,
        Retention,
        RequestCounters(registry),
        Reservations(ledger),
        Rollups(rollups),
    ];
}
