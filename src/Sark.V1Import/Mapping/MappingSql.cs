using Npgsql;

namespace Sark.V1Import.Mapping;

/// <summary>
/// The v1→v2 mapping as SQL, so every mode runs it inside the database over whole tables. Each
/// query yields the v2 row a v1 row maps to, plus <c>issue_kind</c>/<c>issue</c> when the row is
/// skipped: invalid (with the reason), a conflict with a native v2 row, or a duplicate tool name.
/// The queries read three helper relations the caller provides, as temporary tables (execute) or
/// CTEs (dry run, validate): <c>v1_native</c> (v2 rows the tool did not write),
/// <c>v1_server_status</c> (servers that are skipped, and why) and <c>v1_tool_duplicates</c>
/// (tools that lose a name clash). Joining them keeps the per-row work to a few lookups, where
/// per-row subqueries made a million tools take minutes. No single row can make a statement fail:
/// every v1 JSON value is tested before it is cast (<see cref="JsonValues"/>) and every mapped row
/// is checked against the v2 tables' own constraints (<see cref="V2Constraints"/>).
/// </summary>
/// <remarks>
/// Each query is one constant, the same text for both v1 shapes: what differs between them lives
/// in the session objects <see cref="LoadAsync"/> creates (the JSON functions, the tools view, the
/// rule functions). The statements that use a mapping (dry run, validate, the importer's mapping
/// pass, the floor) embed these constants rather than repeating them: one mapping for every
/// mode, so validate compares with exactly what the importer writes, and a statement that stays
/// short enough to read. Paste a statement into psql after the set-up statements to EXPLAIN it.
/// </remarks>
internal sealed class MappingSql
{
    private readonly V2Constraints constraints;

    private MappingSql(V2Constraints constraints) => this.constraints = constraints;

    /// <summary>mcp_servers → resources.</summary>
    public const string MapServersSql = """
        SELECT m.source_id, m.id, m.name, m.protocol, m.endpoint, m.sensitivity_level, m.metadata, m.created_at, m.updated_at,
               CASE WHEN m.issue_kind IS NOT NULL THEN m.issue_kind WHEN refused.reason IS NOT NULL THEN 'invalid' END AS issue_kind,
               coalesce(m.issue, refused.reason) AS issue
        FROM (
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
                       'capabilities', coalesce(pg_temp.sark_v1_jsonb(s.capabilities), '[]'::jsonb),
                       'status', lower(s.status::text),
                       'health_endpoint', s.health_endpoint,
                       'last_health_check', to_char(s.last_health_check AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                       'owner_id', s.owner_id::text,
                       'team_id', s.team_id::text,
                       'consul_id', s.consul_id,
                       'tags', coalesce(pg_temp.sark_v1_jsonb(s.tags), '[]'::jsonb),
                       'signature', s.signature,
                       'description', s.description,
                       'extra_metadata', coalesce(pg_temp.sark_v1_jsonb(s.extra_metadata), '{}'::jsonb)) AS metadata,
                   s.created_at::timestamptz AS created_at,
                   s.updated_at::timestamptz AS updated_at,
                   issue.issue_kind,
                   issue.issue
            FROM mcp_servers s
            LEFT JOIN v1_native native ON native.target_table = 'resources' AND native.id = s.id::text
            -- The first failing check as 'kind|reason', split into issue_kind and issue. Blank is
            -- what the v2 CHECKs call blank (spaces, tabs, CR, LF); these rules give the v1-side
            -- reason, the v2 rules themselves are applied below.
            CROSS JOIN LATERAL (
                SELECT CASE WHEN x IS NULL THEN NULL ELSE split_part(x, '|', 1) END AS issue_kind,
                       CASE WHEN x IS NULL THEN NULL ELSE substr(x, strpos(x, '|') + 1) END AS issue
                FROM (SELECT CASE
                    WHEN pg_temp.sark_v1_jsonb_problem(s.capabilities) IS NOT NULL
                        THEN 'invalid|capabilities cannot be stored as jsonb: ' || pg_temp.sark_v1_jsonb_problem(s.capabilities)
                    WHEN pg_temp.sark_v1_jsonb_problem(s.tags) IS NOT NULL
                        THEN 'invalid|tags cannot be stored as jsonb: ' || pg_temp.sark_v1_jsonb_problem(s.tags)
                    WHEN pg_temp.sark_v1_jsonb_problem(s.extra_metadata) IS NOT NULL
                        THEN 'invalid|extra_metadata cannot be stored as jsonb: ' || pg_temp.sark_v1_jsonb_problem(s.extra_metadata)
                    WHEN coalesce(btrim(s.command, E' \t\r\n'), '') = '' AND coalesce(btrim(s.endpoint, E' \t\r\n'), '') = ''
                        THEN 'invalid|server has neither command nor endpoint'
                    WHEN lower(s.transport::text) = 'stdio' AND coalesce(btrim(s.command, E' \t\r\n'), '') = ''
                        THEN 'invalid|stdio server has only an endpoint, no command'
                    WHEN lower(s.transport::text) IN ('http', 'sse') AND coalesce(btrim(s.endpoint, E' \t\r\n'), '') = ''
                        THEN 'invalid|' || lower(s.transport::text) || ' server has only a command, no endpoint'
                    WHEN lower(s.transport::text) NOT IN ('stdio', 'http', 'sse')
                        THEN 'invalid|unknown transport ' || quote_literal(s.transport::text)
                    WHEN lower(coalesce(s.sensitivity_level::text, 'medium')) NOT IN ('low', 'medium', 'high', 'critical')
                        THEN 'invalid|unknown sensitivity ' || quote_literal(s.sensitivity_level::text)
                    WHEN native.id IS NOT NULL THEN 'conflict|a native v2 resource has this id'
                    END AS x) checked) issue
            -- OFFSET 0 keeps the mapped row a row: pulled up into the query around it, every
            -- reference to a column would repeat the expression behind it (PostgreSQL does not
            -- share them), building each metadata object twice.
            OFFSET 0) m
        -- A row without an issue yet that the v2 table's own rules would refuse is invalid, naming the rule.
        CROSS JOIN LATERAL (
            SELECT CASE WHEN m.issue_kind IS NULL THEN pg_temp.sark_v2_resources_problem(
                       m.id, m.name, m.protocol, m.endpoint, m.sensitivity_level, m.metadata, m.created_at, m.updated_at) END AS reason) refused
        """;

    /// <summary>mcp_tools (through the tools view) → capabilities.</summary>
    public const string MapToolsSql = """
        SELECT m.source_id, m.id, m.resource_id, m.name, m.description, m.input_schema, m.output_schema, m.sensitivity_level,
               m.metadata, m.created_at, m.updated_at,
               CASE WHEN m.issue_kind IS NOT NULL THEN m.issue_kind WHEN refused.reason IS NOT NULL THEN 'invalid' END AS issue_kind,
               coalesce(m.issue, refused.reason) AS issue
        FROM (
            SELECT t.id AS source_id,
                   t.id::text AS id,
                   t.server_id::text AS resource_id,
                   t.name::text AS name,
                   t.description::text AS description,
                   coalesce(pg_temp.sark_v1_jsonb(t.tool_parameters), '{}'::jsonb) AS input_schema,
                   '{}'::jsonb AS output_schema,
                   lower(coalesce(t.sensitivity_level::text, 'medium'))::varchar(20) AS sensitivity_level,
                   jsonb_build_object(
                       'requires_approval', coalesce(t.requires_approval, false),
                       'signature', t.signature,
                       'extra_metadata', coalesce(pg_temp.sark_v1_jsonb(t.extra_metadata), '{}'::jsonb)) AS metadata,
                   t.created_at::timestamptz AS created_at,
                   t.updated_at::timestamptz AS updated_at,
                   issue.issue_kind,
                   issue.issue
            FROM pg_temp.sark_v1_tools t
            LEFT JOIN v1_server_status server ON server.id = t.server_id
            LEFT JOIN v1_tool_duplicates duplicate ON duplicate.id = t.id
            LEFT JOIN v1_native same_id ON same_id.target_table = 'capabilities' AND same_id.id = t.id::text
            LEFT JOIN v1_native same_name ON same_name.target_table = 'capabilities'
                  AND same_name.resource_id = t.server_id::text AND same_name.name = t.name AND same_name.id <> t.id::text
            CROSS JOIN LATERAL (
                SELECT CASE WHEN x IS NULL THEN NULL ELSE split_part(x, '|', 1) END AS issue_kind,
                       CASE WHEN x IS NULL THEN NULL ELSE substr(x, strpos(x, '|') + 1) END AS issue
                FROM (SELECT CASE
                    WHEN pg_temp.sark_v1_jsonb_problem(t.tool_parameters) IS NOT NULL
                        THEN 'invalid|' || t.tool_parameters_column || ' cannot be stored as jsonb: ' || pg_temp.sark_v1_jsonb_problem(t.tool_parameters)
                    WHEN pg_temp.sark_v1_jsonb_problem(t.extra_metadata) IS NOT NULL
                        THEN 'invalid|extra_metadata cannot be stored as jsonb: ' || pg_temp.sark_v1_jsonb_problem(t.extra_metadata)
                    WHEN jsonb_typeof(coalesce(pg_temp.sark_v1_jsonb(t.tool_parameters), '{}'::jsonb)) <> 'object'
                        THEN 'invalid|parameters are a JSON ' || jsonb_typeof(coalesce(pg_temp.sark_v1_jsonb(t.tool_parameters), '{}'::jsonb))
                             || ', expected an object'
                    WHEN lower(coalesce(t.sensitivity_level::text, 'medium')) NOT IN ('low', 'medium', 'high', 'critical')
                        THEN 'invalid|unknown sensitivity ' || quote_literal(t.sensitivity_level::text)
                    WHEN server.issue_kind = 'conflict' THEN 'invalid|its server ' || t.server_id || ' conflicts with a native v2 resource'
                    WHEN server.issue_kind IS NOT NULL THEN 'invalid|its server ' || t.server_id || ' is not migrated: ' || server.issue
                    WHEN duplicate.kept_id IS NOT NULL
                        THEN 'duplicate|duplicate name ' || quote_literal(t.name) || ' on server ' || t.server_id || '; kept tool ' || duplicate.kept_id
                    WHEN same_id.id IS NOT NULL THEN 'conflict|a native v2 capability has this id'
                    WHEN same_name.id IS NOT NULL THEN 'conflict|a native v2 capability on its resource has this name'
                    END AS x) checked) issue
            OFFSET 0) m
        CROSS JOIN LATERAL (
            SELECT CASE WHEN m.issue_kind IS NULL THEN pg_temp.sark_v2_capabilities_problem(
                       m.id, m.resource_id, m.name, m.description, m.input_schema, m.output_schema, m.sensitivity_level, m.metadata,
                       m.created_at, m.updated_at) END AS reason) refused
        """;

    /// <summary>
    /// The hash recorded in provenance for a mapped server <c>m</c> (rollback computes the same
    /// from the live row). json_build_array prints the text directly, where jsonb_build_array
    /// first builds a binary jsonb and then prints it: for these arguments (text, jsonb, numeric)
    /// the text is the same, so hashes stay comparable with those stored by earlier versions, and
    /// the mapping pass is about a fifth cheaper. An expression, not a statement.
    /// </summary>
    public const string ResourcesRowHash = """
        md5(json_build_array(
            m.name, m.protocol, m.endpoint, m.sensitivity_level, m.metadata,
            extract(epoch FROM m.created_at), extract(epoch FROM m.updated_at))::text)
        """;

    /// <summary>The hash recorded in provenance for a mapped tool <c>m</c>; see <see cref="ResourcesRowHash"/>.</summary>
    public const string CapabilitiesRowHash = """
        md5(json_build_array(
            m.resource_id, m.name, m.description, m.input_schema, m.output_schema, m.sensitivity_level, m.metadata,
            extract(epoch FROM m.created_at), extract(epoch FROM m.updated_at))::text)
        """;

    /// <summary>Helper: v2 rows without provenance (native).</summary>
    public const string NativeSql = """
        SELECT 'resources' AS target_table, r.id::text AS id, NULL::text AS resource_id, NULL::text AS name FROM resources r
        WHERE NOT EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'resources' AND p.target_id = r.id)
        UNION ALL
        SELECT 'capabilities', c.id::text, c.resource_id::text, c.name::text FROM capabilities c
        WHERE NOT EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = 'capabilities' AND p.target_id = c.id)
        """;

    /// <summary>Helper: skipped servers and why (needs <c>v1_native</c>).</summary>
    public const string ServerStatusSql = $"""
        SELECT m.source_id AS id, m.issue_kind, m.issue FROM (
        {MapServersSql}
        ) m WHERE m.issue_kind IS NOT NULL
        """;

    /// <summary>
    /// Helper: tools that lose a name clash. The most recently updated tool with parameters it can
    /// be migrated with is kept (ties: the higher id).
    /// </summary>
    public const string ToolDuplicatesSql = """
        SELECT ranked.id, ranked.kept_id FROM (
            SELECT t.id, first_value(t.id) OVER w AS kept_id, row_number() OVER w AS position
            FROM pg_temp.sark_v1_tools t
            WINDOW w AS (PARTITION BY t.server_id, t.name
                         ORDER BY (pg_temp.sark_v1_jsonb_problem(t.tool_parameters) IS NULL
                                   AND jsonb_typeof(coalesce(pg_temp.sark_v1_jsonb(t.tool_parameters), '{}'::jsonb)) = 'object') DESC,
                                  t.updated_at DESC, t.id DESC)
        ) ranked
        WHERE ranked.position > 1
        """;

    /// <summary>The helpers as a WITH list, in dependency order, for read-only queries (a fragment, not a statement).</summary>
    public const string HelpersAsCte = $"""
        v1_native AS MATERIALIZED (
        {NativeSql}
        ),
        v1_server_status AS MATERIALIZED (
        {ServerStatusSql}
        ),
        v1_tool_duplicates AS MATERIALIZED (
        {ToolDuplicatesSql}
        )
        """;

    // mcp_tools with its parameters column under one name (and that name, for reasons): an
    // Alembic-built v1 calls it parameters_schema, an ORM-built one parameters. A plain view: the
    // planner reads mcp_tools through it as if the statement named the column.
    private const string AlembicToolsViewSql = """
        CREATE OR REPLACE TEMP VIEW sark_v1_tools AS
        SELECT t.*, t.parameters_schema AS tool_parameters, 'parameters_schema'::text AS tool_parameters_column FROM mcp_tools t
        """;

    private const string OrmToolsViewSql = """
        CREATE OR REPLACE TEMP VIEW sark_v1_tools AS
        SELECT t.*, t.parameters AS tool_parameters, 'parameters'::text AS tool_parameters_column FROM mcp_tools t
        """;

    /// <summary>The tools view for <paramref name="source"/>'s shape.</summary>
    internal static string ToolsViewSql(V1Source source) => source.ToolParametersColumn == "parameters" ? OrmToolsViewSql : AlembicToolsViewSql;

    /// <summary>
    /// Creates the session objects the mapping statements use: the JSON functions, the tools view
    /// and the v2 rule functions. Call it before any read-only transaction starts (such a
    /// transaction may not create them); they are temporary, so they need only the TEMP privilege.
    /// </summary>
    public static async Task<MappingSql> LoadAsync(NpgsqlConnection connection, V1Source source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await JsonValues.CreateFunctionsAsync(connection, cancellationToken).ConfigureAwait(false);
        using (var view = Sql.Command(ToolsViewSql(source), connection))
        {
            await view.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new MappingSql(await V2Constraints.CreateAsync(connection, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which owns its transaction); when it fails with an error about
    /// row data, which only a v2 CHECK raising an error for one row can cause (every other value is
    /// tested before it is used), runs it once more with the rules evaluated in functions that make
    /// such an error that row's reason (see <see cref="V2Constraints"/>).
    /// </summary>
    public async Task<T> RunAsync<T>(NpgsqlConnection connection, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (PostgresException error) when (Sql.IsAboutRowData(error) && V2Table.All.Any(constraints.HasChecks))
        {
            await constraints.TrapErrorsAsync(connection, cancellationToken).ConfigureAwait(false);
            return await work().ConfigureAwait(false);
        }
    }

    /// <summary>The definition of the function that applies <paramref name="table"/>'s rules (for tests).</summary>
    internal string ProblemFunctionSql(V2Table table) => constraints.ProblemFunctionSql(table, trapping: false);
}
