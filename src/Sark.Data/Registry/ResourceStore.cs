using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Errors;

namespace Sark.Data.Registry;

/// <summary>
/// The registry of resources and their capabilities (SPEC §5): an atomic upsert of what an adapter
/// discovered, lookups, keyset-paginated listings, metadata containment search and cross-protocol
/// statistics. Input is checked before a connection is opened: bad input is a
/// <see cref="UsageException"/> and nothing is written. Database errors are translated by SQLSTATE
/// (<see cref="PostgresErrors.Translate"/>). <c>Find…</c> returns null for a missing resource,
/// <c>Get…</c> throws a <see cref="SarkErrorKind.NotFound"/> error.
/// </summary>
public sealed partial class ResourceStore(NpgsqlDataSource dataSource, ILogger<ResourceStore>? logger = null)
{
    /// <summary>Transactions an upsert runs at most when deadlocks or serialization failures keep rolling it back.</summary>
    public const int MaxUpsertAttempts = 6;

    private readonly NpgsqlDataSource dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>
    /// Stores <paramref name="registration"/> and exactly its capabilities in one transaction:
    /// inserts what is new, updates what changed (sensitivity included), removes stored
    /// capabilities it no longer lists, and writes nothing that is already as given (so
    /// <c>updated_at</c> moves only on a real change; <c>created_at</c> never does). Capabilities
    /// are matched by name; a stored one keeps its id. Concurrent upserts of one resource queue on
    /// on an advisory lock of the resource id, so the last one to commit is what is stored, whole.
    /// The statistics triggers only append rows (migration 010), so writers of different resources
    /// never wait for each other there. A deadlock or serialization failure (with writers outside this store) is retried up to
    /// <see cref="MaxUpsertAttempts"/> transactions in all, with a short random pause.
    /// </summary>
    public async Task<UpsertResult> UpsertAsync(ResourceRegistration registration, CancellationToken cancellationToken = default)
    {
        var checkedRegistration = RegistrationCheck.Check(registration);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await UpsertOnceAsync(checkedRegistration, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (attempt < MaxUpsertAttempts && PostgresErrors.KindOf(ex) == SarkErrorKind.Transient)
            {
                var pause = TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt));
                RegistryLog.UpsertRetried(logger, checkedRegistration.Id, attempt, (ex as PostgresException)?.SqlState ?? "", (long)pause.TotalMilliseconds);
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw PostgresErrors.Translate(ex, $"upserting resource '{checkedRegistration.Id}'");
            }
        }
    }

    /// <summary>The advisory lock class of registry writers ('SRG1'); the object key is hashtext(resource id).</summary>
    internal const int ResourceLockClass = 0x53524731;

    // Writers of one resource queue here, whether or not the row exists yet; then lock its row, if
    // it exists, so a writer outside this store waits too.
    private const string LockResourceSql = "SELECT NULL::text FROM pg_advisory_xact_lock($1, hashtext($2))";

    private const string CurrentProtocolSql = "SELECT protocol FROM resources WHERE id = $1 FOR UPDATE";

    // Writes the row only when a column differs, so updated_at moves only on a real change.
    private const string UpsertResourceSql = """
        INSERT INTO resources AS r (id, name, protocol, endpoint, sensitivity_level, metadata)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id) DO UPDATE
            SET name = excluded.name, protocol = excluded.protocol, endpoint = excluded.endpoint,
                sensitivity_level = excluded.sensitivity_level, metadata = excluded.metadata
            WHERE (r.name, r.protocol, r.endpoint, r.sensitivity_level, r.metadata)
                  IS DISTINCT FROM (excluded.name, excluded.protocol, excluded.endpoint, excluded.sensitivity_level, excluded.metadata)
        RETURNING (xmax = 0) AS inserted
        """;

    private const string StoredCapabilityNamesSql = "SELECT name FROM capabilities WHERE resource_id = $1";

    private const string RemoveCapabilitiesSql = """
        DELETE FROM capabilities WHERE resource_id = $1 AND name = ANY($2) RETURNING name
        """;

    // Only rows that differ are written, so the others keep updated_at and fire no counter change.
    private const string UpdateCapabilitiesSql = """
        UPDATE capabilities AS c
        SET description = u.description, input_schema = u.input_schema, output_schema = u.output_schema,
            sensitivity_level = u.sensitivity_level, metadata = u.metadata
        FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[], $7::jsonb[])
             AS u(name, description, input_schema, output_schema, sensitivity_level, metadata)
        WHERE c.resource_id = $1 AND c.name = u.name
          AND (c.description, c.input_schema, c.output_schema, c.sensitivity_level, c.metadata)
              IS DISTINCT FROM (u.description, u.input_schema, u.output_schema, u.sensitivity_level, u.metadata)
        RETURNING c.name
        """;

    private const string InsertCapabilitiesSql = """
        INSERT INTO capabilities (resource_id, id, name, description, input_schema, output_schema, sensitivity_level, metadata)
        SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::jsonb[])
             AS u(id, name, description, input_schema, output_schema, sensitivity_level, metadata)
        RETURNING name
        """;

    private async Task<UpsertResult> UpsertOnceAsync(CheckedRegistration r, int attempt, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);

        await NamesAsync(connection, transaction, LockResourceSql, cancellationToken, ResourceLockClass, r.Id).ConfigureAwait(false);
        var current = await NamesAsync(connection, transaction, CurrentProtocolSql, cancellationToken, r.Id).ConfigureAwait(false);

        ResourceChange change;
        var upsert = new NpgsqlCommand(UpsertResourceSql, connection, transaction);
        await using (upsert.ConfigureAwait(false))
        {
            upsert.Parameters.Add(new() { Value = r.Id });
            upsert.Parameters.Add(new() { Value = r.Name });
            upsert.Parameters.Add(new() { Value = r.Protocol });
            upsert.Parameters.Add(new() { Value = r.Endpoint });
            upsert.Parameters.Add(new() { Value = r.Sensitivity });
            upsert.Parameters.Add(new() { Value = r.Metadata, NpgsqlDbType = NpgsqlDbType.Jsonb });
            var inserted = await upsert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            change = inserted switch { true => ResourceChange.Inserted, false => ResourceChange.Updated, _ => ResourceChange.Unchanged };
        }

        var stored = new HashSet<string>(StringComparer.Ordinal);
        if (current.Count > 0)
        {
            var read = new NpgsqlCommand(StoredCapabilityNamesSql, connection, transaction);
            await using var readDisposal = read.ConfigureAwait(false);
            read.Parameters.Add(new() { Value = r.Id });
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stored.Add(reader.GetString(0));
            }
        }

        var given = r.Capabilities.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var toRemove = stored.Where(name => !given.Contains(name)).ToArray();
        var toCompare = r.Capabilities.Where(c => stored.Contains(c.Name)).ToList();
        var toInsert = r.Capabilities.Where(c => !stored.Contains(c.Name)).ToList();

        var removed = toRemove.Length == 0 ? [] : await NamesAsync(connection, transaction, RemoveCapabilitiesSql, cancellationToken, r.Id, toRemove).ConfigureAwait(false);
        var updated = toCompare.Count == 0 ? [] : await NamesAsync(connection, transaction, UpdateCapabilitiesSql, cancellationToken, r.Id,
            Column(toCompare, c => c.Name), Column(toCompare, c => c.Description), Json(toCompare, c => c.InputSchema),
            Json(toCompare, c => c.OutputSchema), Column(toCompare, c => c.Sensitivity), Json(toCompare, c => c.Metadata)).ConfigureAwait(false);
        var added = toInsert.Count == 0 ? [] : await NamesAsync(connection, transaction, InsertCapabilitiesSql, cancellationToken, r.Id,
            Column(toInsert, c => c.Id), Column(toInsert, c => c.Name), Column(toInsert, c => c.Description), Json(toInsert, c => c.InputSchema),
            Json(toInsert, c => c.OutputSchema), Column(toInsert, c => c.Sensitivity), Json(toInsert, c => c.Metadata)).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var changed = updated.ToHashSet(StringComparer.Ordinal);
        var unchanged = toCompare.Select(c => c.Name).Where(name => !changed.Contains(name));
        return new UpsertResult(r.Id, change, Sorted(added), Sorted(updated), Sorted(removed), Sorted(unchanged), attempt);
    }

    private static async Task<List<string>> NamesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandDisposal = command.ConfigureAwait(false);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        var names = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }

        return names;
    }

    private static NpgsqlParameter Column(List<CapabilityRow> rows, Func<CapabilityRow, string?> value) =>
        new() { Value = rows.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Json(List<CapabilityRow> rows, Func<CapabilityRow, string> value) =>
        new() { Value = rows.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb };

    private static string[] Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];
}
