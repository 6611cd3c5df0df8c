namespace Sark.Data.Rollups;

/// <summary>The statements of the rollup refresh.</summary>
public sealed partial class CostRollups
{
    // The first statement of the REPEATABLE READ transaction, so the state, the id watermark and
    // every bucket recomputed below come from one snapshot.
    // clock_timestamp() runs after the snapshot was taken: every id up to max(id) was taken before it.
    private const string StateSql = """
        SELECT s.exact_through, s.max_rolled_id, (SELECT max(id) FROM cost_tracking),
               s.late_scan_id, s.candidate_id, s.candidate_at, clock_timestamp()
        FROM cost_rollup_state AS s
        WHERE s.singleton
        FOR UPDATE
        """;

    // Days before the window holding rows that may have arrived since a refresh counted its days
    // (ids above late_scan_id, which trails max_rolled_id: see 014): found through each
    // partition's primary key (id, "timestamp"). Recomputing a day already right changes nothing.
    private const string LateDaysSql = """
        SELECT DISTINCT date_trunc('day', "timestamp", 'UTC')
        FROM cost_tracking
        WHERE ($1::bigint IS NULL OR id > $1) AND "timestamp" < $2
        ORDER BY 1
        """;

    private const string DeleteHourlySql = "DELETE FROM cost_rollup_hourly WHERE bucket >= $1 AND bucket < $2";

    private const string DeleteDailySql = "DELETE FROM cost_rollup_daily WHERE bucket >= $1 AND bucket < $2";

    // cost and protocol as mv_daily_cost_summary defines them. The bounds prune partitions. The
    // resource is joined after grouping (protocol depends on the resource alone): one lookup per
    // bucket instead of one per cost row.
    private const string InsertHourlySql = """
        WITH written AS (
            INSERT INTO cost_rollup_hourly
                (bucket, principal_id, resource_id, capability_id, protocol, currency,
                 invocation_count, costed_count, total_cost, min_cost, max_cost)
            SELECT b.bucket, b.principal_id, b.resource_id, b.capability_id, coalesce(r.protocol, 'unknown'), b.currency,
                   b.invocation_count, b.costed_count, b.total_cost, b.min_cost, b.max_cost
            FROM (
                SELECT date_trunc('hour', ct."timestamp", 'UTC') AS bucket, ct.principal_id, ct.resource_id, ct.capability_id, ct.currency,
                       count(*) AS invocation_count, count(coalesce(ct.actual_cost, ct.estimated_cost)) AS costed_count,
                       coalesce(sum(coalesce(ct.actual_cost, ct.estimated_cost)), 0) AS total_cost,
                       min(coalesce(ct.actual_cost, ct.estimated_cost)) AS min_cost, max(coalesce(ct.actual_cost, ct.estimated_cost)) AS max_cost
                FROM cost_tracking AS ct
                WHERE ct."timestamp" >= $1 AND ct."timestamp" < $2
                GROUP BY 1, 2, 3, 4, 5
            ) AS b
            LEFT JOIN resources AS r ON r.id = b.resource_id
            RETURNING invocation_count
        )
        SELECT count(*), coalesce(sum(invocation_count), 0)::bigint FROM written
        """;

    // Days from the hours just written: the hourly buckets of a recomputed range are whole days.
    private const string InsertDailySql = """
        INSERT INTO cost_rollup_daily
            (bucket, principal_id, resource_id, capability_id, protocol, currency,
             invocation_count, costed_count, total_cost, min_cost, max_cost)
        SELECT date_trunc('day', bucket, 'UTC'), principal_id, resource_id, capability_id, protocol, currency,
               sum(invocation_count), sum(costed_count), sum(total_cost), min(min_cost), max(max_cost)
        FROM cost_rollup_hourly
        WHERE bucket >= $1 AND bucket < $2
        GROUP BY 1, 2, 3, 4, 5, 6
        """;

    private const string SaveStateSql = """
        UPDATE cost_rollup_state
        SET exact_through = $1, max_rolled_id = $2, refreshed_at = now(), recomputed_from = $3,
            late_scan_id = $4, candidate_id = $5, candidate_at = $6
        WHERE singleton
        """;

    // Who holds the rollup lock, for the report of a refresh that skipped.
    private const string HolderSql = """
        SELECT format('pid %s (application_name %L, connected %s)', a.pid, a.application_name,
                      to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"'))
        FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
        LIMIT 1
        """;
}
