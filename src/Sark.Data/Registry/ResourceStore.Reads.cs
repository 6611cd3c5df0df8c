using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Registry;

public sealed partial class ResourceStore
{
    private const string ResourceColumns = "id, name, protocol, endpoint, sensitivity_level, metadata, created_at, updated_at";

    internal const string CapabilityColumns =
        "c.id, c.resource_id, r.protocol, c.name, c.description, c.input_schema, c.output_schema, c.sensitivity_level, c.metadata, c.created_at, c.updated_at";

    internal const string FindSql = $"SELECT {ResourceColumns} FROM resources WHERE id = $1";

    /// <summary>The resource <paramref name="id"/>, or null when there is none.</summary>
    public async Task<Resource?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        RegistryValues.CheckText(id, "resource id", RegistryValues.MaxIdLength);
        var found = await QueryAsync(FindSql, ReadResource, "looking up a resource", cancellationToken, id).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <summary>The resource <paramref name="id"/>; a <see cref="SarkErrorKind.NotFound"/> error when there is none.</summary>
    public async Task<Resource> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);

    /// <summary>
    /// A page of resources ordered by id (the primary key), optionally only those of
    /// <paramref name="protocol"/> and/or at <paramref name="sensitivity"/>. Keyset pagination:
    /// a row inserted while paging shows up only if it sorts after the cursor, and no row is seen twice.
    /// </summary>
    public Task<Page<Resource>> ListAsync(
        string? protocol = null, SensitivityLevel? sensitivity = null, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        if (protocol is not null)
        {
            RegistryValues.CheckProtocol(protocol);
        }

        var level = sensitivity is { } given ? RegistryValues.CheckSensitivity(given).ToText() : null;
        PageCursor.CheckLimit(limit);
        var scope = $"resources|protocol={protocol}|sensitivity={level}";
        var after = cursor is null ? null : PageCursor.Decode(cursor, scope, 1)[0];

        var conditions = new List<string>();
        var values = new List<object>();
        Add(conditions, values, protocol, "protocol = ${0}");
        Add(conditions, values, level, "sensitivity_level = ${0}");
        Add(conditions, values, after, "id > ${0}");
        values.Add(limit + 1);
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        var sql = $"SELECT {ResourceColumns} FROM resources {where} ORDER BY id LIMIT ${values.Count}";
        return PageAsync(sql, ReadResource, r => r.Id, scope, limit, "listing resources", cancellationToken, [.. values]);
    }

    // MATERIALIZED: with ORDER BY id and a LIMIT the planner would otherwise walk the primary key
    // and test every row's metadata, hoping to meet enough matches early; a rare value then reads
    // the whole table. The GIN index finds the matches first; sorting them is cheap. The price: a
    // filter that matches most rows sorts all its matches (a seq scan) where the primary key walk
    // would have stopped early; a containment search is meant to narrow, so that case is rare.
    internal const string SearchSql = $"""
        WITH matched AS MATERIALIZED (
            SELECT {ResourceColumns} FROM resources WHERE metadata @> $1::jsonb AND ($2::text IS NULL OR id > $2)
        )
        SELECT {ResourceColumns} FROM matched ORDER BY id LIMIT $3
        """;

    /// <summary>
    /// A page of resources whose metadata contains <paramref name="metadataFilter"/> (a JSON object,
    /// <c>metadata @&gt; filter</c>: every key and value in it, nested objects and array elements
    /// included), ordered by id, found through the GIN index on metadata.
    /// </summary>
    public Task<Page<Resource>> SearchByMetadataAsync(string metadataFilter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        var filter = RegistryValues.CheckJsonObject(
            metadataFilter ?? throw new UsageException("metadata filter is missing; expected a JSON object such as {\"transport\": \"stdio\"}"), "metadata filter");
        PageCursor.CheckLimit(limit);
        using var document = JsonDocument.Parse(filter);
        var canonical = JsonSerializer.Serialize(document.RootElement);
        var scope = $"resources-metadata|{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var after = cursor is null ? null : PageCursor.Decode(cursor, scope, 1)[0];
        return PageAsync(SearchSql, ReadResource, r => r.Id, scope, limit, "searching resources by metadata", cancellationToken,
            new NpgsqlParameter { Value = filter, NpgsqlDbType = NpgsqlDbType.Jsonb },
            new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            limit + 1);
    }

    internal const string CapabilitiesOfSql = $"""
        SELECT {CapabilityColumns}
        FROM capabilities c JOIN resources r ON r.id = c.resource_id
        WHERE c.resource_id = $1 ORDER BY c.name
        """;

    /// <summary>
    /// Every capability of resource <paramref name="resourceId"/>, ordered by name; a
    /// <see cref="SarkErrorKind.NotFound"/> error when the resource does not exist.
    /// </summary>
    public async Task<IReadOnlyList<Capability>> ListCapabilitiesAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        RegistryValues.CheckText(resourceId, "resource id", RegistryValues.MaxIdLength);
        var capabilities = await QueryAsync(CapabilitiesOfSql, ReadCapability, "listing capabilities", cancellationToken, resourceId).ConfigureAwait(false);
        if (capabilities.Count == 0 && await FindAsync(resourceId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw NotFound(resourceId);
        }

        return capabilities;
    }

    /// <summary>
    /// A page of capabilities at <paramref name="minimum"/> or above (default high, so high and
    /// critical) across every protocol, or only those whose resource has
    /// <paramref name="protocol"/>; ordered by capability id.
    /// </summary>
    public Task<Page<Capability>> ListHighSensitivityCapabilitiesAsync(
        SensitivityLevel minimum = SensitivityLevel.High, string? protocol = null, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        RegistryValues.CheckSensitivity(minimum, "minimum sensitivity");
        if (protocol is not null)
        {
            RegistryValues.CheckProtocol(protocol);
        }

        PageCursor.CheckLimit(limit);
        var scope = $"capabilities-by-sensitivity|minimum={minimum.ToText()}|protocol={protocol}";
        var after = cursor is null ? null : PageCursor.Decode(cursor, scope, 1)[0];
        var levels = Enum.GetValues<SensitivityLevel>().Where(l => l >= minimum).Select(l => l.ToText()).ToArray();
        var conditions = new List<string> { "c.sensitivity_level = ANY($1)" };
        var values = new List<object> { levels };
        Add(conditions, values, protocol, "r.protocol = ${0}");
        Add(conditions, values, after, "c.id > ${0}");
        values.Add(limit + 1);
        var sql = $"""
            SELECT {CapabilityColumns}
            FROM capabilities c JOIN resources r ON r.id = c.resource_id
            WHERE {string.Join(" AND ", conditions)}
            ORDER BY c.id LIMIT ${values.Count}
            """;
        return PageAsync(sql, ReadCapability, c => c.Id, scope, limit, "listing capabilities by sensitivity", cancellationToken, [.. values]);
    }

    /// <summary>Rows of <c>registry_counts</c> above which reading the statistics folds them (one per group after).</summary>
    internal const long CompactAboveRows = 256;

    // registry_counts holds the signed deltas the triggers append (migration 010): the counts are
    // their sums per group. The number of rows comes along, to fold them when they pile up.
    internal const string StatisticsSql = """
        SELECT protocol, sensitivity_level, sum(resources)::bigint, sum(capabilities)::bigint, (sum(count(*)) OVER ())::bigint
        FROM registry_counts GROUP BY protocol, sensitivity_level
        """;

    /// <summary>
    /// Resources and capabilities per protocol and sensitivity, with totals: sums over the few
    /// rows of <c>registry_counts</c>, which triggers keep exact in the writers' own transactions.
    /// </summary>
    public async Task<RegistryStatistics> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        long rows = 0;
        var counts = await QueryAsync(StatisticsSql, reader =>
        {
            rows = reader.GetInt64(4);
            return new RegistryCount(reader.GetString(0), RegistryValues.ParseSensitivity(reader.GetString(1)), reader.GetInt64(2), reader.GetInt64(3));
        }, "reading registry statistics", cancellationToken).ConfigureAwait(false);
        if (rows > CompactAboveRows)
        {
            await CompactCountsAsync(cancellationToken).ConfigureAwait(false);
        }

        return new RegistryStatistics([.. counts.Where(c => c.Resources != 0 || c.Capabilities != 0)
            .OrderBy(c => c.Protocol, StringComparer.Ordinal).ThenBy(c => c.Sensitivity)]);
    }

    // Folding changes no sum, so a reader that may not write (or a compaction that fails) still
    // has its figures: the failure is logged, not thrown.
    private async Task CompactCountsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var compact = dataSource.CreateCommand("SELECT sark_registry_counts_compact()");
            await using var compactDisposal = compact.ConfigureAwait(false);
            await compact.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            RegistryLog.CompactionFailed(logger, PostgresErrors.Translate(ex, "folding registry_counts").Message);
        }
    }

    private static void Add(List<string> conditions, List<object> values, string? value, string condition)
    {
        if (value is not null)
        {
            values.Add(value);
            conditions.Add(condition.Replace("{0}", values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
    }

    private async Task<Page<T>> PageAsync<T>(
        string sql, Func<NpgsqlDataReader, T> read, Func<T, string> key, string scope, int limit, string doing,
        CancellationToken cancellationToken, params object[] values)
    {
        var rows = await QueryAsync(sql, read, doing, cancellationToken, values).ConfigureAwait(false);
        return rows.Count > limit
            ? new Page<T>(rows[..limit], PageCursor.Encode(scope, key(rows[limit - 1])))
            : new Page<T>(rows, null);
    }

    // Every read is prepared: the texts are a few fixed ones (each filter combination is one), so
    // after a pooled connection's first call of one, later calls skip the server's parse and plan.
    private async Task<List<T>> QueryAsync<T>(
        string sql, Func<NpgsqlDataReader, T> read, string doing, CancellationToken cancellationToken, params object[] values)
    {
        try
        {
            var statement = await PreparedQuery.OpenAsync(dataSource, sql, parameters =>
            {
                foreach (var value in values)
                {
                    parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
                }
            }, cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            var rows = new List<T>();
            var reader = await statement.Command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, doing);
        }
    }

    private static Resource ReadResource(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        RegistryValues.ParseSensitivity(reader.GetString(4)), reader.GetString(5),
        reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7));

    private static Capability ReadCapability(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetString(6),
        RegistryValues.ParseSensitivity(reader.GetString(7)), reader.GetString(8),
        reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10));

    private static SarkException NotFound(string id) =>
        new(SarkErrorKind.NotFound, $"resource '{RegistryValues.Shorten(id)}' does not exist; list resources to see their ids");
}
