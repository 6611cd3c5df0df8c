using Npgsql;

namespace Sark.Data.Rollups;

// Which cost rows a refresh's snapshot is sure to see: the late-row search of the next refresh
// starts above late_scan_id, so late_scan_id may only cover ids whose rows this snapshot saw (or
// that were rolled back). The argument, with "allocated" meaning handed out by the identity:
//
// 1. Ids are allocated in increasing order (the identity of cost_tracking, CACHE 1, one sequence
//    for every session); a transaction is open from its xact_start until its commit or rollback
//    is visible to new snapshots (PostgreSQL clears a backend's xact_start only after the
//    transaction has left the proc array, and takes no id for a transaction before its start).
// 2. The watermark W, read in its own statement before the refresh: W is the largest id visible
//    to that statement and at is clock_timestamp() in it. Every id <= W was allocated no later
//    than the row W was, which committed before that statement's snapshot, which precedes at. So
//    every transaction holding an id <= W started before at.
// 3. The horizon H, read after W and before the refresh's snapshot: the earliest xact_start of
//    the transactions open in this database (or the statement's start when none is). If at < H,
//    every transaction that started before at had ended before H was read, so every row with an
//    id <= W is committed (or rolled back) before the refresh's snapshot, which therefore sees it.
// 4. The refresh recomputes every day holding a row above the previous late_scan_id (the late
//    days) or inside the window, and the rows up to the previous late_scan_id were counted by
//    earlier refreshes, so after it every row with an id <= W is counted: late_scan_id becomes W. A row whose transaction was still open at the refresh (the in-flight row the
//    naive max(id) would lose) blocks step 3 instead; late_scan_id stays put and the next
//    refresh after its commit finds it by id.
// 5. The candidate (the largest id the previous refresh saw, when it saw it) is the same
//    argument across refreshes: if it was seen before this refresh's H it becomes late_scan_id
//    too (this refresh's late-day search, from the previous late_scan_id, counts its rows).
//
// Assumed: ids come from the identity (rows inserted with ids of their own need RecomputeFrom,
// see docs/runbook.md), and xact_start and clock_timestamp() read one server clock that is not
// stepped back meanwhile. Each statement below is its own transaction, so pg_stat_activity
// (cached for a transaction's length) is read afresh by every poll.
// A transaction whose start this session cannot see (another role's, without pg_read_all_stats)
// or a prepared transaction makes H unknown (NULL): nothing settles while one is open, which costs
// speed, never a row. exact_through is unchanged: it keeps using the visible starts (see 014).
// A refresh whose late_scan_id would otherwise stay NULL (after a first run or a rebuild: the
// next refresh would read the whole history for late rows) waits up to the lock timeout for the
// transactions older than W to end, as CREATE INDEX CONCURRENTLY waits for older snapshots.
public sealed partial class CostRollups
{
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(50);

    // Its own statement, before the horizon and before the refresh's snapshot (step 2 above).
    private const string WatermarkSql = "SELECT (SELECT max(id) FROM cost_tracking), clock_timestamp()";

    // Read without a lock before the refresh's transaction: it decides only whether to wait. The
    // rollup lock is held, so no other refresher changes it meanwhile.
    private const string PriorStateSql = "SELECT late_scan_id, candidate_at FROM cost_rollup_state WHERE singleton";

    // exact_through as 014 defines it, and the horizon H of step 3. A client session in a
    // transaction (holding its virtualxid lock) whose xact_start is hidden from this role makes H
    // NULL: unknown. Other roles' sessions show no xact_start without pg_read_all_stats.
    private const string HorizonSql = """
        WITH visible AS (
            SELECT min(xact_start) AS oldest FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND backend_type = 'client backend' AND xact_start IS NOT NULL
        )
        SELECT least(statement_timestamp(), v.oldest),
               CASE WHEN EXISTS (SELECT 1 FROM pg_stat_activity AS a JOIN pg_locks AS l ON l.pid = a.pid AND l.locktype = 'virtualxid'
                                 WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.xact_start IS NULL
                                   AND coalesce(a.backend_type, 'client backend') = 'client backend')
                    THEN NULL
                    ELSE least(statement_timestamp(), v.oldest) END
        FROM visible AS v
        """;

    // A prepared transaction has left its session (no xact_start) but not committed: H unknown.
    // Read after HorizonSql: a transaction that prepared after that read was open during it.
    private const string PreparedSql = "SELECT EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE database = current_database())";

    /// <summary>What a refresh learned before its snapshot (see the argument above).</summary>
    private readonly record struct Settlement(DateTimeOffset ExactThrough, DateTimeOffset? Horizon, long? WatermarkId, DateTimeOffset WatermarkAt)
    {
        /// <summary>W when every row with an id up to it is visible to the coming snapshot; else null.</summary>
        public long? SettledId => WatermarkId is { } id && Settles(WatermarkAt) ? id : null;

        /// <summary>Whether every id allocated by <paramref name="seenAt"/> is visible to the coming snapshot.</summary>
        public bool Settles(DateTimeOffset? seenAt) => seenAt is { } at && Horizon is { } horizon && at < horizon;
    }

    private static async Task<Settlement> SettleAsync(NpgsqlConnection connection, CostRollupOptions options, CancellationToken cancellationToken)
    {
        long? watermarkId;
        DateTimeOffset watermarkAt;
        using (var watermark = new NpgsqlCommand(WatermarkSql, connection))
        {
            var reader = await watermark.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            watermarkId = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            watermarkAt = reader.GetFieldValue<DateTimeOffset>(1);
        }

        var (wait, candidateAt) = await PriorStateAsync(connection, cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + options.LockTimeout;
        while (true)
        {
            var settlement = await HorizonAsync(connection, watermarkId, watermarkAt, cancellationToken).ConfigureAwait(false);
            if (!wait || watermarkId is null || settlement.SettledId is not null || settlement.Settles(candidateAt)
                || DateTimeOffset.UtcNow + SettlePoll > deadline)
            {
                return settlement;
            }

            await Task.Delay(SettlePoll, cancellationToken).ConfigureAwait(false);
        }
    }

    // Wait: unless W or the candidate settles now, the next refresh would search the whole
    // history for late rows (no late_scan_id yet).
    private static async Task<(bool Wait, DateTimeOffset? CandidateAt)> PriorStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var prior = new NpgsqlCommand(PriorStateSql, connection);
        var reader = await prior.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return (false, null);
        }

        return (reader.IsDBNull(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static async Task<Settlement> HorizonAsync(NpgsqlConnection connection, long? watermarkId, DateTimeOffset watermarkAt, CancellationToken cancellationToken)
    {
        DateTimeOffset exactThrough;
        DateTimeOffset? horizon;
        using (var read = new NpgsqlCommand(HorizonSql, connection))
        {
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            exactThrough = reader.GetFieldValue<DateTimeOffset>(0);
            horizon = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        }

        using (var prepared = new NpgsqlCommand(PreparedSql, connection))
        {
            if ((bool)(await prepared.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                horizon = null;
            }
        }

        return new Settlement(exactThrough, horizon, watermarkId, watermarkAt);
    }
}
