using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Federation;

public sealed partial class FederationRegistry
{
    // Check and count in one statement. The first request of an hour inserts the row (concurrent
    // first requests meet in ON CONFLICT); later ones add 1 only while the count is below the
    // limit, evaluated on the row locked by ON CONFLICT, so concurrent requests from any number of
    // connections or service instances can never accept more than the limit. A refused request
    // changes nothing and returns no count. Only an enabled node is counted.
    private const string ConsumeSql = """
        WITH node AS (
            SELECT node_id, enabled, rate_limit_per_hour FROM federation_nodes WHERE node_id = $1
        ), counted AS (
            INSERT INTO federation_request_counts AS c (node_id, hour_start, requests)
            SELECT node_id, $2, 1 FROM node WHERE enabled
            ON CONFLICT (node_id, hour_start) DO UPDATE SET requests = c.requests + 1
            WHERE c.requests < (SELECT rate_limit_per_hour FROM node)
            RETURNING c.requests
        )
        SELECT node.enabled, node.rate_limit_per_hour, (SELECT requests FROM counted) FROM node
        """;

    /// <summary>
    /// Counts one request from <paramref name="nodeId"/> against its hourly limit and returns what
    /// is left. Over the limit it throws <see cref="RequestLimitExceededException"/>
    /// (<see cref="SarkErrorKind.LimitExceeded"/>, with the limit and the reset time) and counts
    /// nothing. Counts are kept per UTC hour of the registry's clock, in the database: they hold
    /// across restarts and across service instances. An unknown node is
    /// <see cref="SarkErrorKind.NotFound"/>, a disabled one <see cref="SarkErrorKind.Conflict"/>.
    /// </summary>
    public async Task<RequestAllowance> ConsumeRequestAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        var hourStart = HourStart(clock.GetUtcNow());
        bool enabled;
        int limit;
        int? used;
        try
        {
            var command = dataSource.CreateCommand(ConsumeSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = hourStart });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw NotRegistered(nodeId);
            }

            enabled = reader.GetBoolean(0);
            limit = reader.GetInt32(1);
            used = reader.IsDBNull(2) ? null : reader.GetInt32(2);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"counting a request of federation node '{nodeId}'");
        }

        if (!enabled)
        {
            throw new SarkException(SarkErrorKind.Conflict, $"federation node '{nodeId}' is disabled (trust revoked); its requests are refused");
        }

        if (used is null)
        {
            logger.RequestLimitReached(nodeId, limit);
            throw new RequestLimitExceededException(nodeId, limit, hourStart.AddHours(1));
        }

        return new RequestAllowance(nodeId, used.Value, limit, hourStart);
    }

    private const string RequestCountSql = "SELECT requests FROM federation_request_counts WHERE node_id = $1 AND hour_start = $2";

    /// <summary>Requests counted for <paramref name="nodeId"/> in the current UTC hour (0 when none); counts nothing.</summary>
    public async Task<int> GetRequestCountAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        nodeId = FederationInput.NodeId(nodeId);
        try
        {
            var command = dataSource.CreateCommand(RequestCountSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = nodeId });
            command.Parameters.Add(new NpgsqlParameter { Value = HourStart(clock.GetUtcNow()) });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int count ? count : 0;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"reading the request count of federation node '{nodeId}'");
        }
    }

    private const string CleanupSql = "DELETE FROM federation_request_counts WHERE hour_start < $1";

    /// <summary>
    /// Maintenance: deletes the request counters of hours that started more than
    /// <paramref name="olderThan"/> (default one day) before the current UTC hour; the current
    /// hour's counters are never deleted. Returns the number of rows deleted.
    /// </summary>
    public async Task<int> CleanupRequestCountsAsync(TimeSpan? olderThan = null, CancellationToken cancellationToken = default)
    {
        var age = olderThan ?? TimeSpan.FromDays(1);
        if (age < TimeSpan.Zero)
        {
            throw new UsageException($"olderThan {age} is negative; expected how old counters must be to be deleted, such as 1 day");
        }

        var cutoff = HourStart(clock.GetUtcNow()) - age;
        try
        {
            var command = dataSource.CreateCommand(CleanupSql);
            await using var commandDisposal = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
            var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            logger.RequestCountsCleaned(rows, cutoff);
            return rows;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "deleting old federation request counters");
        }
    }

    /// <summary>The start of the UTC hour <paramref name="instant"/> falls in (the counters' key).</summary>
    private static DateTimeOffset HourStart(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
