using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Adoption;

namespace Sark.V1Import;

/// <summary>
/// Generates a v1 data set inside the database (one INSERT … SELECT per table): servers over all
/// transports, tools per server, and on purpose some rows the tool must skip. Deterministic:
/// ids are derived from the row number, so two databases get the same rows. Used by
/// <c>sark quickstart</c> (a few hundred servers) and the benchmark (100,000 servers, 1,000,000 tools).
/// </summary>
public static class SampleData
{
    /// <summary>Every n-th server is invalid on purpose (one of three kinds of bad endpoint data).</summary>
    public const int InvalidServerEvery = 97;

    /// <summary>On every n-th server the second tool repeats the first tool's name.</summary>
    public const int DuplicateToolServerEvery = 101;

    /// <summary>Every n-th tool has parameters that are a JSON array, not an object.</summary>
    public const int InvalidToolEvery = 1009;

    /// <summary>
    /// Writes <paramref name="servers"/> servers with <paramref name="toolsPerServer"/> tools each into
    /// an empty v1 database and returns the rows written.
    /// </summary>
    /// <exception cref="UsageException">The sizes are out of range.</exception>
    /// <exception cref="SarkException">The v1 tables already have rows (<see cref="SarkErrorKind.Conflict"/>).</exception>
    public static async Task<(long Servers, long Tools)> GenerateAsync(
        NpgsqlDataSource dataSource, int servers, int toolsPerServer, CancellationToken cancellationToken = default)
    {
        try
        {
            if (servers < 1 || toolsPerServer < 0)
            {
                throw new UsageException($"sample size {servers} servers x {toolsPerServer} tools is not valid; expected at least 1 server and 0 or more tools per server");
            }

            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var schemaUnchanged = await DataJobLock.AcquireAsync(connection, DataJobLock.DefaultWait, cancellationToken).ConfigureAwait(false);
            await using var schemaUnchangedDisposal = schemaUnchanged.ConfigureAwait(false);
            var source = await V1Source.DetectAsync(connection, cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var transactionDisposal = transaction.ConfigureAwait(false);
            // The lock excludes a second generator (and any writer) until this one commits; the count
            // after it sees what a generator that ran first committed, so the second one is refused
            // with the message below instead of failing on the first duplicate id.
            using (var count = Sql.Command(
                "LOCK TABLE mcp_servers, mcp_tools IN SHARE ROW EXCLUSIVE MODE; SELECT count(*) FROM mcp_servers", connection, transaction))
            {
                var existing = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (existing > 0)
                {
                    throw new SarkException(SarkErrorKind.Conflict, $"mcp_servers already has {existing} row(s); the sample goes into an empty v1 database");
                }
            }

            var orm = source.Variant == V1Variant.Orm;
            var json = orm ? "json" : "jsonb";
            string Label(string expression) => orm ? $"upper({expression})" : expression;
            using var insertServers = Sql.Command($$"""
                INSERT INTO mcp_servers (id, name, description, transport, endpoint, command, mcp_version, capabilities,
                                         sensitivity_level, status, tags, extra_metadata, created_at, updated_at)
                SELECT md5('sark-sample-server-' || g)::uuid,
                       'sample-server-' || g,
                       'Sample MCP server ' || g || ' – "quoted" ✓',
                       {{Label("transport")}}::transporttype,
                       CASE WHEN g % {{InvalidServerEvery}} = 0 THEN NULL
                            WHEN transport = 'stdio' THEN NULL ELSE 'https://mcp-' || g || '.example/' || transport END,
                       CASE WHEN g % {{InvalidServerEvery}} = 0 AND g % 2 = 0 THEN 'npx sample-' || g
                            WHEN g % {{InvalidServerEvery}} = 0 THEN NULL
                            WHEN transport = 'stdio' THEN 'npx @sample/server-' || g ELSE NULL END,
                       '2025-06-18',
                       '["tools", "resources"]'::{{json}},
                       {{Label("(ARRAY['low', 'medium', 'high', 'critical'])[1 + g % 4]")}}::sensitivitylevel,
                       {{Label("(ARRAY['registered', 'active', 'inactive'])[1 + g % 3]")}}::serverstatus,
                       ('["sample", "batch-' || (g % 10) || '"]')::{{json}},
                       CASE WHEN g % 50 = 0 THEN '[1, 2]' ELSE '{"owner": "team-' || (g % 20) || '"}' END::{{json}},
                       timestamptz '2024-01-01' + g * interval '1 second',
                       timestamptz '2024-06-01' + g * interval '1 second'
                FROM generate_series(1, $1) g,
                     LATERAL (SELECT (ARRAY['stdio', 'http', 'sse'])[1 + g % 3] AS transport) t
                """, connection, transaction);
            insertServers.Parameters.Add(new NpgsqlParameter { Value = servers });
            var serverRows = await insertServers.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            var parametersColumn = orm ? "parameters, invocation_count" : "parameters_schema";
            var parametersValue = orm ? $"parameters::{json}, 0" : $"parameters::{json}";
            using var insertTools = Sql.Command($$"""
                INSERT INTO mcp_tools (id, server_id, name, description, {{parametersColumn}}, sensitivity_level, requires_approval,
                                       extra_metadata, created_at, updated_at)
                SELECT md5('sark-sample-tool-' || g || '-' || k)::uuid,
                       md5('sark-sample-server-' || g)::uuid,
                       CASE WHEN k = 2 AND g % {{DuplicateToolServerEvery}} = 0 THEN 'tool_1' ELSE 'tool_' || k END,
                       'Sample tool ' || k || ' of server ' || g,
                       {{parametersValue}},
                       {{Label("(ARRAY['low', 'medium', 'high', 'critical'])[1 + (g + k) % 4]")}}::sensitivitylevel,
                       k % 5 = 0,
                       '{}'::{{json}},
                       timestamptz '2024-02-01' + (g * 16 + k) * interval '1 second',
                       timestamptz '2024-07-01' + (g * 16 + k) * interval '1 second'
                FROM generate_series(1, $1) g, generate_series(1, $2) k,
                     LATERAL (SELECT CASE WHEN ((g - 1) * $2 + k) % {{InvalidToolEvery}} = 0 THEN '["not", "an", "object"]'
                                          ELSE $3 END AS parameters) p
                """, connection, transaction);
            insertTools.Parameters.Add(new NpgsqlParameter { Value = servers });
            insertTools.Parameters.Add(new NpgsqlParameter { Value = toolsPerServer });
            insertTools.Parameters.Add(new NpgsqlParameter { Value = """{"type": "object", "properties": {"arg": {"type": "string"}}}""" });
            var toolRows = await insertTools.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            using (var analyze = Sql.Command("ANALYZE mcp_servers; ANALYZE mcp_tools", connection))
            {
                await analyze.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return (serverRows, toolRows);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }
}
