using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Sark.Cli.Bench;

/// <summary>
/// What to measure and how long (from <c>--quick</c>/<c>--full</c> and the other options).
/// <c>Scale</c> is the resources to generate, or null to use whatever data set exists (quickstart),
/// else to generate at <c>DefaultScale</c>.
/// </summary>
internal sealed record BenchSettings(
    string Mode, int? Scale, int DefaultScale, TimeSpan WarmUp, int Seconds, int Concurrency, int Writers,
    IReadOnlyList<BenchOperation> Operations, IReadOnlyDictionary<string, double> Targets, bool WithPgbench);

/// <summary>
/// One benchmark run on the chosen database: takes the locks (<see cref="BenchControl"/>), makes
/// sure the data is there, then measures each operation and runs pgbench on the same statement.
/// The database must be at the newest schema version. Besides rows, the benchmark creates only its
/// own <c>sark_bench</c> schema (its record, see <see cref="BenchDataStore"/>; this needs CREATE
/// on the database) and cost_tracking's missing monthly partitions (<see cref="BenchPartitions"/>).
/// </summary>
internal static partial class BenchSession
{
    public static async Task<BenchRun> RunAsync(
        NpgsqlDataSource dataSource, NpgsqlConnectionStringBuilder connection, BenchSettings settings, Action<string> progress,
        IProgress<(string Table, long Done, long Total)>? rows, CancellationToken cancellationToken)
    {
        await using var locked = await BenchControl.OpenAsync(dataSource, requireNewest: true, cancellationToken);
        var control = locked.Connection;
        var clock = Stopwatch.StartNew();
        var (dataset, generated) = await BenchDataStore.EnsureAsync(control, settings.Scale, settings.DefaultScale, progress, rows, cancellationToken);
        double? generationSeconds = generated ? clock.Elapsed.TotalSeconds : null;
        if (!generated)
        {
            progress($"using the benchmark data made on {dataset.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {dataset.Describe()}");
        }

        // The write operation inserts at now(): its month's partition must exist like the others'.
        await BenchPartitions.EnsureAsync(control, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, cancellationToken);
        var (pgbench, floorNote) = settings.WithPgbench ? await PgbenchFloor.FindAsync(connection, cancellationToken) : (null, null);
        await PgbenchFloor.EndLeftoversAsync(control, cancellationToken);

        // Rows an interrupted run's write operation left: the data set is measured as generated.
        await RemoveWrittenRowsAsync(control, dataset, cancellationToken);
        var environment = await BenchEnvironment.ReadAsync(control, pgbench?.Version, cancellationToken);
        var sampler = new OperationSampler(dataSource, dataset);
        var results = new List<OperationResult>();
        foreach (var operation in settings.Operations)
        {
            var clients = operation.Clients ?? (operation.IsRead ? settings.Concurrency : settings.Writers);
            progress($"measuring {operation.Name}: {clients} client(s) for {settings.Seconds} s{(pgbench is null ? "" : ", then pgbench for as long")}");
            IReadOnlyList<string> indexes = operation.IsRead ? await IndexesUsedAsync(control, operation, dataset, cancellationToken) : [];
            if (operation.Prepare is { } prepare)
            {
                await prepare(sampler.Stores, dataset, cancellationToken);
            }

            var ours = await sampler.RunAsync(operation, clients, settings.WarmUp, TimeSpan.FromSeconds(settings.Seconds), dataset.Seed, cancellationToken);

            // Before pgbench, whose calls write to the same rows.
            var check = operation.Check is { } checkTotals ? await checkTotals(control, dataset, cancellationToken) : null;
            var floor = pgbench is null ? null
                : operation.PgbenchScript is null ? PgbenchResult.Failed("pgbench has no binary COPY")
                : await pgbench.RunAsync(operation, dataset, clients, settings.Seconds, cancellationToken);
            if (!operation.IsRead)
            {
                await RemoveWrittenRowsAsync(control, dataset, CancellationToken.None);
            }

            var target = settings.Targets.TryGetValue(operation.Name, out var given) ? operation.Target.WithValue(given) : operation.Target;
            results.Add(new OperationResult(operation, clients, ours, target, floor, indexes) { Check = check });
        }

        return new BenchRun(settings.Mode, settings.Concurrency, settings.Writers, settings.Seconds, dataset, generationSeconds, environment, results, settings.WithPgbench, floorNote);
    }

    /// <summary>The indexes the operation's plan uses, from EXPLAIN with parameters drawn as a call draws them.</summary>
    public static async Task<IReadOnlyList<string>> IndexesUsedAsync(NpgsqlConnection connection, BenchOperation operation, BenchDataset dataset, CancellationToken cancellationToken)
    {
        using var explain = operation.CreateCommand(connection);
        explain.CommandText = "EXPLAIN " + operation.Sql;
        var values = operation.Draw(dataset, new Random(dataset.Seed));
        for (var i = 0; i < values.Length; i++)
        {
            explain.Parameters[i].Value = values[i];
        }

        var indexes = new SortedSet<string>(StringComparer.Ordinal);
        await using var reader = await explain.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            foreach (Match match in IndexInPlan().Matches(reader.GetString(0)))
            {
                indexes.Add(match.Groups[1].Value);
            }
        }

        await reader.CloseAsync();
        return await PartitionedIndexNamesAsync(connection, indexes, cancellationToken);
    }

    // A plan on a partitioned table names each partition's index; the report names the table's own
    // index (ix_audit_events_correlation_id, not ix_audit_events_legacy_correlation_id), as the docs do.
    private static async Task<IReadOnlyList<string>> PartitionedIndexNamesAsync(NpgsqlConnection connection, SortedSet<string> indexes, CancellationToken cancellationToken)
    {
        using var roots = new NpgsqlCommand(
            "SELECT DISTINCT coalesce((SELECT relname FROM pg_class WHERE oid = pg_partition_root(to_regclass(quote_ident(n)))), n) FROM unnest($1::text[]) AS n ORDER BY 1",
            connection);
        roots.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. indexes] });
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await using var reader = await roots.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    // The write operations' rows go again after each is measured: the data set stays as generated.
    private static readonly string[] WrittenRows =
    [
        "DELETE FROM cost_tracking WHERE starts_with(principal_id, $1)",
        "DELETE FROM cost_charges WHERE starts_with(principal_id, $1)",
        "DELETE FROM budget_reservations WHERE starts_with(principal_id, $1)",
        "DELETE FROM principal_budgets WHERE starts_with(principal_id, $1)",
        "DELETE FROM audit_events WHERE starts_with(correlation_id, $1)",
    ];

    private static async Task RemoveWrittenRowsAsync(NpgsqlConnection connection, BenchDataset dataset, CancellationToken cancellationToken)
    {
        foreach (var sql in WrittenRows)
        {
            using var delete = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = dataset.WrittenPrincipalPrefix });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // "Index Scan using ix on t", "Index Only Scan using ix on t", "Bitmap Index Scan on ix".
    [GeneratedRegex(@"(?:Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) ""?([A-Za-z0-9_]+)""?")]
    private static partial Regex IndexInPlan();
}
