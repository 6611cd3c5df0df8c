using System.Globalization;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Cli.Bench;

/// <summary>
/// Where the benchmark's data lives between runs. The record of it is <c>sark_bench.datasets</c>,
/// a schema of the benchmark's own outside SARK's tables (so schema checks never see it); the rows
/// themselves are in SARK's tables, each key starting with the data set's prefix. Every method runs
/// on the caller's connection, which holds the benchmark lock (see <see cref="BenchSession"/>).
/// </summary>
internal static class BenchDataStore
{
    private const string CreateRecordSql = """
        CREATE SCHEMA IF NOT EXISTS sark_bench;
        CREATE TABLE IF NOT EXISTS sark_bench.datasets (
            schema_name text        NOT NULL PRIMARY KEY,
            tag         text        NOT NULL,
            scale       integer     NOT NULL,
            seed        integer     NOT NULL,
            generator   integer     NOT NULL,
            created_at  timestamptz NOT NULL,
            vacuumed_at timestamptz);
        """;

    private const string FindSql = """
        SELECT tag, scale, seed, generator, created_at, vacuumed_at IS NOT NULL FROM sark_bench.datasets
        WHERE schema_name = current_schema()
        """;

    private const string RecordSql = """
        INSERT INTO sark_bench.datasets (schema_name, tag, scale, seed, generator, created_at)
        VALUES (current_schema(), $1, $2, $3, $4, $5)
        """;

    // Each count goes through the key prefix: rows of other data sets or of SARK itself never count.
    // Generated cost rows have principals '<prefix>p-…' ($2) and generated audit events correlation
    // ids '<prefix>corr-…' ($3); what the write operations write ('<prefix>w-…') does not count.
    private const string CountSql = """
        SELECT (SELECT count(*) FROM resources WHERE starts_with(id, $1)),
               (SELECT count(*) FROM capabilities WHERE starts_with(id, $1)),
               (SELECT count(*) FROM federation_nodes WHERE starts_with(node_id, $1)),
               (SELECT count(*) FROM cost_tracking WHERE starts_with(principal_id, $2)),
               (SELECT count(*) FROM audit_events WHERE starts_with(correlation_id, $3))
        """;

    /// <summary>The data set recorded for the working schema, or null.</summary>
    public static async Task<BenchDataset?> FindAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using (var exists = new NpgsqlCommand("SELECT to_regclass('sark_bench.datasets') IS NOT NULL", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }
        }

        using var find = new NpgsqlCommand(FindSql, connection);
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new BenchDataset(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)) { Vacuumed = reader.GetBoolean(5) }
            : null;
    }

    /// <summary>
    /// The data set to measure: the recorded one when it has the asked scale, seed and generator and
    /// all its rows; a new one when none is recorded, or in place of the benchmark's own data of
    /// another scale (removed as <c>--cleanup</c> removes it); otherwise (another generator or seed,
    /// rows missing) a refusal that says what to do.
    /// </summary>
    /// <param name="connection">The control connection, holding the benchmark lock.</param>
    /// <param name="scale">The scale asked for, or null to take a recorded data set of any scale.</param>
    /// <param name="defaultScale">The scale to generate at when <paramref name="scale"/> is null.</param>
    /// <param name="progress">Hears what is being done, a line at a time.</param>
    /// <param name="rows">Hears how far each table's COPY is.</param>
    /// <param name="cancellationToken">Stops the work; an interrupted generation leaves nothing.</param>
    public static async Task<(BenchDataset Dataset, bool Generated)> EnsureAsync(
        NpgsqlConnection connection, int? scale, int defaultScale, Action<string> progress, IProgress<(string Table, long Done, long Total)>? rows,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(connection, cancellationToken) is { } existing)
        {
            await CheckUsableAsync(connection, existing, cancellationToken);
            if (scale is null || scale == existing.Scale)
            {
                // Vacuumed after it was committed: an interruption in between leaves that to this run.
                if (!existing.Vacuumed)
                {
                    await VacuumAsync(connection, progress, cancellationToken);
                }

                return (existing, false);
            }

            progress(string.Create(CultureInfo.InvariantCulture, $"replacing the benchmark data of scale {existing.Scale:N0} with scale {scale:N0} (only the benchmark's own rows)"));
            await BenchCleanup.RunAsync(connection, cancellationToken);
        }

        var tag = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var dataset = new BenchDataset(tag, scale ?? defaultScale, BenchDataset.DefaultSeed, BenchDataset.CurrentGenerator, createdAt);
        await BenchPartitions.EnsureAsync(connection, dataset.CreatedAt.AddDays(-BenchDataset.DaysOfCostRows), dataset.CreatedAt, cancellationToken);
        progress($"generating benchmark data: {dataset.Describe()}");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // One transaction: an interrupted generation leaves nothing behind, not even its record.
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            using (var create = new NpgsqlCommand(CreateRecordSql, connection, transaction))
            {
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    throw new SarkException(SarkErrorKind.PermissionDenied,
                        $"the benchmark keeps the record of its data in a schema of its own, sark_bench, and this role may not create it ({ex.MessageText}); grant it CREATE on the database, or run the benchmark as the database's owner", ex);
                }
            }

            using (var record = new NpgsqlCommand(RecordSql, connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = dataset.Tag });
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = dataset.Scale });
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = dataset.Seed });
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = dataset.Generator });
                record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = dataset.CreatedAt });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await new BenchDataGenerator(dataset, rows).WriteAsync(connection, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await VacuumAsync(connection, progress, cancellationToken);
        progress(string.Create(CultureInfo.InvariantCulture, $"benchmark data generated in {clock.Elapsed.TotalSeconds:0.0} s (kept for later runs; 'sark bench --cleanup' removes it)"));
        return (dataset, true);
    }

    private const string NotOwnedSql = """
        SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_class
        WHERE oid = ANY (ARRAY['resources', 'capabilities', 'federation_nodes', 'cost_tracking']::regclass[])
          AND NOT pg_has_role(relowner, 'USAGE')
        """;

    // Vacuumed as well as analysed: index-only scans need the visibility map a live table has.
    // PostgreSQL vacuums only tables the role owns, and only warns about the others: said here.
    private static async Task VacuumAsync(NpgsqlConnection connection, Action<string> progress, CancellationToken cancellationToken)
    {
        using (var owned = new NpgsqlCommand(NotOwnedSql, connection))
        {
            if (await owned.ExecuteScalarAsync(cancellationToken) is string notOwned)
            {
                progress($"not vacuumed: this role does not own {notOwned} (PostgreSQL vacuums only a table's owner's); the figures are for the tables as autovacuum leaves them");
                return;
            }
        }

        progress("vacuuming and analysing the benchmark's tables");
        using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) resources, capabilities, federation_nodes, cost_tracking, audit_events, registry_counts", connection) { CommandTimeout = 0 })
        {
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        using var done = new NpgsqlCommand("UPDATE sark_bench.datasets SET vacuumed_at = now() WHERE schema_name = current_schema()", connection);
        await done.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task CheckUsableAsync(NpgsqlConnection connection, BenchDataset existing, CancellationToken cancellationToken)
    {
        var made = string.Create(CultureInfo.InvariantCulture, $"{existing.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        if (existing.Generator != BenchDataset.CurrentGenerator || existing.Seed != BenchDataset.DefaultSeed)
        {
            throw new SarkException(SarkErrorKind.Conflict,
                $"the benchmark data here was made on {made} by another version of the generator (generator {existing.Generator}, seed {existing.Seed}; this sark writes generator {BenchDataset.CurrentGenerator}, seed {BenchDataset.DefaultSeed}); remove it with 'sark bench --cleanup' and run again");
        }

        using var count = new NpgsqlCommand(CountSql, connection);
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = existing.Prefix });
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = existing.GeneratedPrincipalPrefix });
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = existing.GeneratedCorrelationPrefix });
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var found = (Resources: reader.GetInt64(0), Capabilities: reader.GetInt64(1), Nodes: reader.GetInt64(2), CostRows: reader.GetInt64(3), AuditEvents: reader.GetInt64(4));
        if (found != (existing.Resources, existing.Capabilities, existing.FederationNodes, existing.CostRows, existing.AuditEvents))
        {
            throw new SarkException(SarkErrorKind.Conflict,
                $"the benchmark data here (made on {made}) is incomplete: {found.Resources:N0} of {existing.Resources:N0} resources, {found.Capabilities:N0} of {existing.Capabilities:N0} capabilities, {found.Nodes:N0} of {existing.FederationNodes:N0} federation nodes, {found.CostRows:N0} of {existing.CostRows:N0} cost rows, {found.AuditEvents:N0} of {existing.AuditEvents:N0} audit events; remove it with 'sark bench --cleanup' and run again");
        }
    }
}
