using Npgsql;
using Sark.Data.Errors;

namespace Sark.Cli.Bench;

/// <summary>What <c>sark bench --cleanup</c> removed, per table.</summary>
internal sealed record BenchCleanupResult(BenchDataset? Dataset, long Resources, long Capabilities, long FederationNodes, long CostRows, long AuditEvents);

/// <summary>
/// Removes exactly the rows of the recorded data set (by their key prefix) and its record, in one
/// transaction; every other row stays, in the same tables too. Refuses when a capability that is
/// not the benchmark's belongs to one of its resources: deleting the resource would cascade to it.
/// </summary>
internal static class BenchCleanup
{
    private const string ForeignCapabilitiesSql = """
        SELECT count(*), min(id) FROM capabilities WHERE starts_with(resource_id, $1) AND NOT starts_with(id, $1)
        """;

    // Capabilities before resources, so the cascade from resources finds none left to delete.
    private static readonly (string Table, string Sql)[] Deletes =
    [
        ("cost rows", "DELETE FROM cost_tracking WHERE starts_with(principal_id, $1)"),
        ("charge ids", "DELETE FROM cost_charges WHERE starts_with(principal_id, $1)"),
        ("reservations", "DELETE FROM budget_reservations WHERE starts_with(principal_id, $1)"),
        ("budgets", "DELETE FROM principal_budgets WHERE starts_with(principal_id, $1)"),
        ("capabilities", "DELETE FROM capabilities WHERE starts_with(id, $1)"),
        ("resources", "DELETE FROM resources WHERE starts_with(id, $1)"),
        ("federation nodes", "DELETE FROM federation_nodes WHERE starts_with(node_id, $1)"),

        // Audit events are append-only for SARK's callers; these are the benchmark's own rows.
        ("audit events", "DELETE FROM audit_events WHERE starts_with(correlation_id, $1)"),
    ];

    private const string ForgetSql = """
        DELETE FROM sark_bench.datasets WHERE schema_name = current_schema();
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM sark_bench.datasets) THEN
                DROP TABLE sark_bench.datasets;
                DROP SCHEMA sark_bench;
            END IF;
        END
        $$;
        """;

    public static async Task<BenchCleanupResult> RunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await BenchDataStore.FindAsync(connection, cancellationToken) is not { } dataset)
        {
            return new BenchCleanupResult(null, 0, 0, 0, 0, 0);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        using (var foreign = Command(ForeignCapabilitiesSql, connection, transaction, dataset.Prefix))
        {
            await using var reader = await foreign.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) is var count and > 0)
            {
                throw new SarkException(SarkErrorKind.Conflict,
                    $"{BenchDataset.Count(count, "capability")} that {(count == 1 ? "is" : "are")} not the benchmark's (such as '{reader.GetString(1)}') belong{(count == 1 ? "s" : "")} to its resources (ids starting '{dataset.Prefix}r-'); deleting those resources would delete them too, so nothing was removed; move or delete them first");
            }
        }

        var removed = new long[Deletes.Length];
        for (var i = 0; i < Deletes.Length; i++)
        {
            using var delete = Command(Deletes[i].Sql, connection, transaction, dataset.Prefix);
            removed[i] = await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        using (var forget = new NpgsqlCommand(ForgetSql, connection, transaction))
        {
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new BenchCleanupResult(dataset, removed[5], removed[4], removed[6], removed[0], removed[7]);
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction, string prefix)
    {
        var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        return command;
    }
}
