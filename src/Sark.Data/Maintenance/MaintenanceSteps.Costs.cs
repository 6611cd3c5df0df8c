using Sark.Data.Costs;
using Sark.Data.Rollups;

namespace Sark.Data.Maintenance;

public static partial class MaintenanceSteps
{
    /// <summary>
    /// Holds past their expiry marked expired (they stopped counting against the limits when they
    /// expired; this only tidies them), then charge ids and finished holds older than the ledger's
    /// retention deleted (<see cref="CostLedger.DefaultLedgerRetention"/>: a retry after it is a new charge).
    /// </summary>
    public static MaintenanceStep Reservations(CostLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return new("reservations", async (context, cancellationToken) =>
        {
            var expired = await ledger.ExpireReservationsAsync(cancellationToken).ConfigureAwait(false);
            if (expired > 0)
            {
                context.Report(MaintenanceActionKinds.RowsUpdated, "budget_reservations", expired,
                    $"{context.Step}: marked {expired} hold(s) past their expiry as expired");
            }

            var pruned = await ledger.PruneLedgerAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (pruned > 0)
            {
                context.Report(MaintenanceActionKinds.RowsDeleted, "cost_charges", pruned,
                    $"{context.Step}: deleted {pruned} charge id(s) and finished hold(s) older than {CostLedger.DefaultLedgerRetention.TotalDays:0} days");
            }
        });
    }

    /// <summary>
    /// The hourly and daily cost rollups recomputed over their trailing window (late rows counted
    /// once) and mv_daily_cost_summary refreshed concurrently; skipped, and said so, while another
    /// refresher holds the rollup lock. DDL-free, under the job's lock timeout.
    /// </summary>
    public static MaintenanceStep Rollups(CostRollups rollups)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        return new("rollups", async (context, cancellationToken) =>
        {
            var report = await rollups.RefreshAsync(new CostRollupOptions { LockTimeout = context.Options.LockTimeout }, cancellationToken).ConfigureAwait(false);
            if (report.Skipped)
            {
                context.Report(MaintenanceActionKinds.Skipped, "cost_rollup_hourly", null,
                    $"{context.Step}: skipped, another rollup refresh is running ({report.HeldBy})");
                return;
            }

            var from = report.RecomputedFrom is { } start ? $"from {start.UtcDateTime:yyyy-MM-dd}" : "the whole history";
            context.Report(MaintenanceActionKinds.RollupsRefreshed, "cost_rollup_hourly", report.CostRowsRead,
                $"{context.Step}: recomputed {from} ({report.CostRowsRead} cost row(s) read, {report.HourlyBuckets} hourly and {report.DailyBuckets} daily bucket(s)){(report.ViewRefreshed ? ", mv_daily_cost_summary refreshed" : "")} in {report.Duration.TotalSeconds:0.0} s");
        });
    }
}
