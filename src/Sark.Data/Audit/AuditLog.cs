using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Data.Audit;

/// <summary>
/// The audit trail (<c>audit_events</c>): append events one at a time or in batches, and read them
/// back by correlation id, principal, organisation, time, type and severity. Append-only: there is
/// no way to change or delete an event through it. Every event is checked before a connection is
/// opened, so bad input is a <see cref="UsageException"/> and writes nothing; each append is one
/// statement, committed on its own (a batch commits all of its events or none).
/// </summary>
public sealed class AuditLog
{
    /// <summary>The most events <see cref="ByCorrelationAsync"/> returns; a longer trace is refused.</summary>
    public const int MaxTraceEvents = 10_000;

    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider timeProvider;

    /// <summary>
    /// An audit log on <paramref name="dataSource"/>; events without a timestamp get
    /// <paramref name="timeProvider"/>'s current time (the system clock by default).
    /// </summary>
    public AuditLog(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        this.dataSource = dataSource;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Appends one event in one round trip and returns it as stored (timestamp filled and in UTC).
    /// An id that is already stored is a <see cref="SarkErrorKind.Conflict"/>.
    /// </summary>
    public async Task<AuditEvent> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var stored = AuditEventRules.Check(auditEvent, timeProvider.GetUtcNow());
        try
        {
            var statement = await PreparedQuery.OpenAsync(
                dataSource, AuditRows.InsertSql, parameters => AuditRows.Bind(parameters, stored), cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            await statement.Command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return stored;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"appending audit event {stored.Id}");
        }
    }

    /// <summary>
    /// Appends <paramref name="events"/> with one binary COPY: all of them or, on any error, none.
    /// Events without a timestamp all get the same current time. Returns the number written (0 for
    /// an empty batch, which opens no connection). A null or bad event anywhere refuses the whole
    /// batch before anything is sent; an id already stored, or twice in the batch, is a conflict.
    /// </summary>
    public async Task<int> AppendBatchAsync(IEnumerable<AuditEvent> events, CancellationToken cancellationToken = default)
    {
        if (events is null)
        {
            throw new UsageException("the batch of audit events is null; expected a collection of events (it may be empty)");
        }

        var now = timeProvider.GetUtcNow();
        var stored = new List<AuditEvent>(events is IReadOnlyCollection<AuditEvent> sized ? sized.Count : 0);
        foreach (var auditEvent in events)
        {
            stored.Add(AuditEventRules.Check(auditEvent, now, stored.Count + 1));
        }

        if (stored.Count == 0)
        {
            return 0;
        }

        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);

            // Disposed without Complete, the COPY is cancelled: nothing of it stays.
            var importer = await connection.BeginBinaryImportAsync(AuditRows.CopySql, cancellationToken).ConfigureAwait(false);
            await using var importerDisposal = importer.ConfigureAwait(false);
            foreach (var auditEvent in stored)
            {
                await AuditRows.WriteAsync(importer, auditEvent, cancellationToken).ConfigureAwait(false);
            }

            return checked((int)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"appending a batch of {stored.Count} audit events");
        }
    }

    /// <summary>
    /// Events matching <paramref name="query"/>, newest first (by timestamp, then id), one page at a
    /// time. Events appended while paging are never returned twice and never make a page skip an
    /// older event; those newer than the first page appear when the listing starts again.
    /// </summary>
    public async Task<Page<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var plan = AuditQueryPlan.For(query);
        try
        {
            var command = plan.CreateCommand(dataSource);
            await using var commandDisposal = command.ConfigureAwait(false);
            var items = new List<AuditEvent>(plan.Limit);
            var more = false;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (items.Count == plan.Limit)
                    {
                        more = true;
                        break;
                    }

                    items.Add(AuditRows.Read(reader));
                }
            }

            return new Page<AuditEvent>(items, more ? plan.CursorAfter(items[^1]) : null);
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, "querying audit events");
        }
    }

    internal static readonly string TraceSql = $"SELECT {AuditRows.SelectList} FROM audit_events WHERE correlation_id = $1 ORDER BY \"timestamp\", id LIMIT $2";

    /// <summary>
    /// Every event of <paramref name="correlationId"/>, on whichever node recorded it, oldest first:
    /// the trace of one federated request. Empty when there is none. More than
    /// <see cref="MaxTraceEvents"/> is a <see cref="SarkErrorKind.LimitExceeded"/>: page through
    /// such a trace with <see cref="QueryAsync"/> and <see cref="AuditQuery.CorrelationId"/>.
    /// </summary>
    public async Task<IReadOnlyList<AuditEvent>> ByCorrelationAsync(string correlationId, CancellationToken cancellationToken = default)
    {
        AuditEventRules.CheckArgument(correlationId, 100, "correlation id");
        try
        {
            var statement = await PreparedQuery.OpenAsync(dataSource, TraceSql, parameters =>
            {
                parameters.Add(new NpgsqlParameter<string> { TypedValue = correlationId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
                parameters.Add(new NpgsqlParameter<int> { TypedValue = MaxTraceEvents + 1 });
            }, cancellationToken).ConfigureAwait(false);
            await using var statementDisposal = statement.ConfigureAwait(false);
            var command = statement.Command;
            var events = new List<AuditEvent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (events.Count == MaxTraceEvents)
                {
                    throw new SarkException(SarkErrorKind.LimitExceeded, $"correlation id '{correlationId}' has more than {MaxTraceEvents:N0} audit events; page through them with a query on the correlation id instead");
                }

                events.Add(AuditRows.Read(reader));
            }

            return events;
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, $"reading the trace of correlation id '{correlationId}'");
        }
    }
}
