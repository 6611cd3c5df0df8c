using Npgsql;
using Sark.Data.Errors;

namespace Sark.Cli.Bench;

/// <summary>
/// The monthly cost_tracking partitions the generated rows need. Migration 007 creates only the
/// current and the next month; older rows would all land in the DEFAULT partition, which no real
/// database of this age has, so the figures would be for the wrong layout. The partitions are
/// named and bounded as 007 and the maintenance job name theirs, and are left in place by cleanup:
/// an empty partition costs nothing, and maintenance owns them from then on.
/// </summary>
internal static class BenchPartitions
{
    // Creates each missing month from $1 to $2 (UTC), unless rows of that month already wait in the
    // DEFAULT partition (creating it would then fail; those rows and ours stay there). Run in its own
    // short transaction under a lock timeout: it locks cost_tracking, which live writers use.
    private const string EnsureSql = """
        SET LOCAL lock_timeout = '5s';
        DO $$
        DECLARE
            month_start timestamp := date_trunc('month', (current_setting('sark_bench.from')::timestamptz) AT TIME ZONE 'UTC');
            last_month timestamp := date_trunc('month', (current_setting('sark_bench.to')::timestamptz) AT TIME ZONE 'UTC');
            lower_bound timestamptz;
            upper_bound timestamptz;
            name text;
        BEGIN
            WHILE month_start <= last_month LOOP
                lower_bound := month_start AT TIME ZONE 'UTC';
                upper_bound := (month_start + interval '1 month') AT TIME ZONE 'UTC';
                name := 'cost_tracking_p' || to_char(month_start, 'YYYYMM');
                IF to_regclass(format('%I.%I', current_schema(), name)) IS NULL
                   AND NOT EXISTS (SELECT 1 FROM cost_tracking_default WHERE "timestamp" >= lower_bound AND "timestamp" < upper_bound) THEN
                    EXECUTE format('CREATE TABLE %I PARTITION OF cost_tracking FOR VALUES FROM (%L) TO (%L)',
                        name, to_char(month_start, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                        to_char(month_start + interval '1 month', 'YYYY-MM-DD HH24:MI:SS') || '+00');
                END IF;
                month_start := month_start + interval '1 month';
            END LOOP;
        END
        $$;
        """;

    public static async Task EnsureAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        using (var range = new NpgsqlCommand("SELECT set_config('sark_bench.from', $1, true), set_config('sark_bench.to', $2, true)", connection, transaction))
        {
            range.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            range.Parameters.Add(new NpgsqlParameter<string> { TypedValue = to.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            await range.ExecuteNonQueryAsync(cancellationToken);
        }

        using (var ensure = new NpgsqlCommand(EnsureSql, connection, transaction))
        {
            try
            {
                await ensure.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new SarkException(SarkErrorKind.PermissionDenied,
                    $"cost_tracking has no partition for some month of the benchmark's 90 days, and this role may not create one ({ex.MessageText}); run the benchmark as the role that owns cost_tracking (the one that migrated the database)", ex);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
