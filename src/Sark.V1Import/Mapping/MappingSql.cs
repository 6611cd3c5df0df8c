using Npgsql;

namespace Sark.V1Import.Mapping;

/// <summary>
/// The v1→v2 mapping as SQL, so every mode runs it inside the database over whole batches. Each
/// query yields the v2 row a v1 row maps to, plus <c>issue_kind</c>/<c>issue</c> when the row is
/// skipped: invalid (with the reason), a conflict with a native v2 row, or a duplicate tool name.
/// The queries read three helper relations the caller provides, as temporary tables (execute) or
/// CTEs (dry run, validate), built from <see cref="Helpers"/>: <c>v1_native</c> (v2 rows the tool
/// did not write), <c>v1_server_status</c> (servers that are skipped, and why) and
/// <c>v1_tool_duplicates</c> (tools that lose a name clash). Joining them keeps the per-row work to
/// a few lookups, where per-row subqueries made a million tools take minutes. No single row can
/// make a statement fail: every v1 JSON value is tested before it is cast (<see cref="JsonValues"/>)
/// and every mapped row is checked against the v2 tables' own constraints (<see cref="V2Constraints"/>).
/// </summary>
internal sealed class MappingSql
{
    private const string Levels = "('low', 'medium', 'high', 'critical')";

    private readonly V1Source source;
    private readonly V2Constraints constraints;

    private MappingSql(V1Source source, V2Constraints constraints)
    {
        this.source = source;
        this.constraints = constraints;
    }

    /// <summary>
    /// Reads the v2 constraints and prepares the JSON test. Call it before any read-only
    /// transaction starts: the test may need a temporary function.
    /// </summary>
    public static async Task<MappingSql> LoadAsync(NpgsqlConnection connection, V1Source source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await JsonValues.PrepareAsync(connection, source, cancellationToken);
        return new MappingSql(source, await V2Constraints.ReadAsync(connection, cancellationToken));
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which owns its transaction) with this mapping; when it fails
    /// with an error about row data, which only a v2 CHECK raising an error for one row can cause
    /// (every other value is tested before it is used), runs it once more with the CHECKs evaluated
    /// in a function that makes such an error that row's reason (see <see cref="V2Constraints"/>).
    /// </summary>
    public async Task<T> RunAsync<T>(NpgsqlConnection connection, Func<MappingSql, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work(this);
        }
        catch (PostgresException error) when (Sql.IsAboutRowData(error) && !constraints.TrapsErrors && V2Table.All.Any(constraints.HasChecks))
        {
            return await work(new MappingSql(source, await constraints.TrappingErrorsAsync(connection, cancellationToken)));
        }
    }

    private string Json(string table, string alias, string column) => JsonValues.AsJsonb(source, table, alias, column);

    // A v1 JSON value a v2 jsonb column cannot hold makes its row invalid, with the database's reason.
    private string JsonIssues(string table, string alias, params string[] columns) => string.Concat(columns.Select(c => $"""

        WHEN {JsonValues.Problem(source, table, alias, c)} IS NOT NULL
            THEN 'invalid|{c} cannot be stored as jsonb: ' || {JsonValues.Problem(source, table, alias, c)}
        """));

    private string Parameters(string t) => $"coalesce({Json("mcp_tools", t, source.ToolParametersColumn)}, '{{}}'::jsonb)";

    // Parameters a tool can be migrated with; the duplicate ranking prefers them.
    private string ParametersUsable(string t) =>
        $"({JsonValues.Problem(source, "mcp_tools", t, source.ToolParametersColumn)} IS NULL AND jsonb_typeof({Parameters(t)}) = 'object')";

    // Blank as the v2 CHECKs on endpoint and ids define it (spaces, tabs, CR, LF). These rules give
    // the v1-side reason only; V2Constraints applies the CHECKs themselves to every mapped row.
    private static string Blank(string expression) => $"coalesce(btrim({expression}, E' \\t\\r\\n'), '') = ''";

    // Time in JSON, rendered the same whatever the session time zone.
    private static string JsonTime(string expression) =>
        $"to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    // The first failing check as 'kind|reason'; split into issue_kind and issue by the caller.
    private static string Issue(string checks) => $"""
        (SELECT CASE WHEN x IS NULL THEN NULL ELSE split_part(x, '|', 1) END AS issue_kind,
                CASE WHEN x IS NULL THEN NULL ELSE substr(x, strpos(x, '|') + 1) END AS issue
         FROM (SELECT CASE {checks} END AS x) checked)
        """;

    /// <summary>mcp_servers → resources; <paramref name="where"/> filters mcp_servers s.</summary>
    public string Servers(string where) => Checked(V2Table.Resources, $$"""
        SELECT s.id AS source_id,
               s.id::text AS id,
               s.name::text AS name,
               'mcp'::varchar(50) AS protocol,
               (CASE WHEN lower(s.transport::text) = 'stdio' THEN s.command ELSE s.endpoint END)::text AS endpoint,
               lower(coalesce(s.sensitivity_level::text, 'medium'))::varchar(20) AS sensitivity_level,
               jsonb_build_object(
                   'transport', lower(s.transport::text),
                   'command', s.command,
                   'endpoint', s.endpoint,
                   'mcp_version', s.mcp_version,
                   'capabilities', coalesce({{Json("mcp_servers", "s", "capabilities")}}, '[]'::jsonb),
                   'status', lower(s.status::text),
                   'health_endpoint', s.health_endpoint,
                   'last_health_check', {{JsonTime("s.last_health_check")}},
                   'owner_id', s.owner_id::text,
                   'team_id', s.team_id::text,
                   'consul_id', s.consul_id,
                   'tags', coalesce({{Json("mcp_servers", "s", "tags")}}, '[]'::jsonb),
                   'signature', s.signature,
                   'description', s.description,
                   'extra_metadata', coalesce({{Json("mcp_servers", "s", "extra_metadata")}}, '{}'::jsonb)) AS metadata,
               s.created_at::timestamptz AS created_at,
               s.updated_at::timestamptz AS updated_at,
               issue.issue_kind,
               issue.issue
        FROM mcp_servers s
        LEFT JOIN v1_native native ON native.target_table = 'resources' AND native.id = s.id::text
        CROSS JOIN LATERAL {{Issue($"""
            {JsonIssues("mcp_servers", "s", "capabilities", "tags", "extra_metadata")}
            WHEN {Blank("s.command")} AND {Blank("s.endpoint")}
                THEN 'invalid|server has neither command nor endpoint'
            WHEN lower(s.transport::text) = 'stdio' AND {Blank("s.command")}
                THEN 'invalid|stdio server has only an endpoint, no command'
            WHEN lower(s.transport::text) IN ('http', 'sse') AND {Blank("s.endpoint")}
                THEN 'invalid|' || lower(s.transport::text) || ' server has only a command, no endpoint'
            WHEN lower(s.transport::text) NOT IN ('stdio', 'http', 'sse')
                THEN 'invalid|unknown transport ' || quote_literal(s.transport::text)
            WHEN lower(coalesce(s.sensitivity_level::text, 'medium')) NOT IN {Levels}
                THEN 'invalid|unknown sensitivity ' || quote_literal(s.sensitivity_level::text)
            WHEN native.id IS NOT NULL THEN 'conflict|a native v2 resource has this id'
            """)}} issue
        WHERE {{where}}
        """);

    /// <summary>mcp_tools → capabilities; <paramref name="where"/> filters mcp_tools t.</summary>
    public string Tools(string where) => Checked(V2Table.Capabilities, $$"""
        SELECT t.id AS source_id,
               t.id::text AS id,
               t.server_id::text AS resource_id,
               t.name::text AS name,
               t.description::text AS description,
               {{Parameters("t")}} AS input_schema,
               '{}'::jsonb AS output_schema,
               lower(coalesce(t.sensitivity_level::text, 'medium'))::varchar(20) AS sensitivity_level,
               jsonb_build_object(
                   'requires_approval', coalesce(t.requires_approval, false),
                   'signature', t.signature,
                   'extra_metadata', coalesce({{Json("mcp_tools", "t", "extra_metadata")}}, '{}'::jsonb)) AS metadata,
               t.created_at::timestamptz AS created_at,
               t.updated_at::timestamptz AS updated_at,
               issue.issue_kind,
               issue.issue
        FROM mcp_tools t
        LEFT JOIN v1_server_status server ON server.id = t.server_id
        LEFT JOIN v1_tool_duplicates duplicate ON duplicate.id = t.id
        LEFT JOIN v1_native same_id ON same_id.target_table = 'capabilities' AND same_id.id = t.id::text
        LEFT JOIN v1_native same_name ON same_name.target_table = 'capabilities'
              AND same_name.resource_id = t.server_id::text AND same_name.name = t.name AND same_name.id <> t.id::text
        CROSS JOIN LATERAL {{Issue($"""
            {JsonIssues("mcp_tools", "t", source.ToolParametersColumn, "extra_metadata")}
            WHEN jsonb_typeof({Parameters("t")}) <> 'object'
                THEN 'invalid|parameters are a JSON ' || jsonb_typeof({Parameters("t")}) || ', expected an object'
            WHEN lower(coalesce(t.sensitivity_level::text, 'medium')) NOT IN {Levels}
                THEN 'invalid|unknown sensitivity ' || quote_literal(t.sensitivity_level::text)
            WHEN server.issue_kind = 'conflict' THEN 'invalid|its server ' || t.server_id || ' conflicts with a native v2 resource'
            WHEN server.issue_kind IS NOT NULL THEN 'invalid|its server ' || t.server_id || ' is not migrated: ' || server.issue
            WHEN duplicate.kept_id IS NOT NULL
                THEN 'duplicate|duplicate name ' || quote_literal(t.name) || ' on server ' || t.server_id || '; kept tool ' || duplicate.kept_id
            WHEN same_id.id IS NOT NULL THEN 'conflict|a native v2 capability has this id'
            WHEN same_name.id IS NOT NULL THEN 'conflict|a native v2 capability on its resource has this name'
            """)}} issue
        WHERE {{where}}
        """);

    /// <summary>
    /// Adds the v2 table's own constraints to a mapping query: a mapped row without an issue yet
    /// that one of them would refuse becomes invalid, naming the constraint. The row's columns are
    /// in scope unqualified, as the constraint expressions expect. OFFSET 0 keeps the mapped row a
    /// row: pulled up into this query, every reference to a column would repeat the expression
    /// behind it (PostgreSQL does not share them), building each metadata object twice.
    /// </summary>
    private string Checked(V2Table table, string mapped) => !constraints.Any(table) ? mapped : $"""
        SELECT m.source_id, m.id, {string.Join(", ", table.Fields.Select(f => $"m.{f}"))},
               coalesce(m.issue_kind, refused.issue_kind) AS issue_kind, coalesce(m.issue, refused.issue) AS issue
        FROM ({mapped}
              OFFSET 0) m{constraints.TrappingJoin(table, "m")}
        CROSS JOIN LATERAL {Issue("WHEN m.issue_kind IS NOT NULL THEN NULL" + constraints.Violations(table))} refused
        """;

    /// <summary>
    /// The helper relations, in dependency order: v2 rows without provenance (native), skipped
    /// servers (which need the natives), and duplicate tool names: the most recently updated tool
    /// with usable parameters is kept (ties: the higher id).
    /// </summary>
    public IReadOnlyList<(string Name, string Sql, string Index)> Helpers =>
    [
        ("v1_native", """
            SELECT 'resources' AS target_table, r.id::text AS id, NULL::text AS resource_id, NULL::text AS name FROM resources r
            WHERE NOT EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'resources' AND p.target_id = r.id)
            UNION ALL
            SELECT 'capabilities', c.id::text, c.resource_id::text, c.name::text FROM capabilities c
            WHERE NOT EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'capabilities' AND p.target_id = c.id)
            """,
            "CREATE INDEX ON v1_native (target_table, id); CREATE INDEX ON v1_native (resource_id, name)"),
        ("v1_server_status", $"SELECT m.source_id AS id, m.issue_kind, m.issue FROM ({Servers("true")}) m WHERE m.issue_kind IS NOT NULL",
            "CREATE UNIQUE INDEX ON v1_server_status (id)"),
        ("v1_tool_duplicates", $$"""
            SELECT ranked.id, ranked.kept_id FROM (
                SELECT t.id, first_value(t.id) OVER w AS kept_id, row_number() OVER w AS position
                FROM mcp_tools t
                WINDOW w AS (PARTITION BY t.server_id, t.name
                             ORDER BY {{ParametersUsable("t")}} DESC, t.updated_at DESC, t.id DESC)
            ) ranked
            WHERE ranked.position > 1
            """,
            "CREATE UNIQUE INDEX ON v1_tool_duplicates (id)"),
    ];

    /// <summary>
    /// Whether a migrated resource still carries capabilities the tool did not write. Such a
    /// resource is kept even when its v1 server is gone: deleting it would cascade them away.
    /// </summary>
    public static string UsedByNativeCapabilities(V2Table table, string targetId) => table == V2Table.Resources
        ? $"""
          EXISTS (SELECT 1 FROM capabilities c WHERE c.resource_id = {targetId} AND NOT EXISTS (
              SELECT 1 FROM v1_import_provenance q WHERE q.target_table = 'capabilities' AND q.target_id = c.id))
          """
        : "false";

    /// <summary>The helpers as a WITH list, for read-only queries.</summary>
    public string HelpersAsCte => string.Join(",\n", Helpers.Select(h => $"{h.Name} AS MATERIALIZED ({h.Sql})"));

    public string For(V2Table table, string where) => table == V2Table.Resources ? Servers(where) : Tools(where);
}
