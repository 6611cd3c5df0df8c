namespace Sark.V1Import.Mapping;

/// <summary>
/// The v1→v2 mapping as SQL, so every mode runs it inside the database over whole batches. Each
/// query yields the v2 row a v1 row maps to, plus <c>issue_kind</c>/<c>issue</c> when the row is
/// skipped: invalid (with the reason), a conflict with a native v2 row, or a duplicate tool name.
/// Tool queries read a relation <c>v1_tool_duplicates(id, kept_id)</c> that the caller provides
/// (a temporary table or a CTE built from <see cref="ToolDuplicates"/>).
/// </summary>
internal sealed class MappingSql(V1Source source)
{
    private const string Levels = "('low', 'medium', 'high', 'critical')";

    private string Parameters(string t) => $"coalesce({t}.{source.ToolParametersColumn}::jsonb, '{{}}'::jsonb)";

    // Time in JSON, rendered the same whatever the session time zone.
    private static string JsonTime(string expression) =>
        $"to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

    /// <summary>Why a server cannot be mapped, or NULL.</summary>
    public static string ServerInvalid(string s) => $$"""
        CASE
            WHEN nullif(btrim({{s}}.command), '') IS NULL AND nullif(btrim({{s}}.endpoint), '') IS NULL
                THEN 'server has neither command nor endpoint'
            WHEN lower({{s}}.transport::text) = 'stdio' AND nullif(btrim({{s}}.command), '') IS NULL
                THEN 'stdio server has only an endpoint, no command'
            WHEN lower({{s}}.transport::text) IN ('http', 'sse') AND nullif(btrim({{s}}.endpoint), '') IS NULL
                THEN lower({{s}}.transport::text) || ' server has only a command, no endpoint'
            WHEN lower({{s}}.transport::text) NOT IN ('stdio', 'http', 'sse')
                THEN 'unknown transport ' || quote_literal({{s}}.transport::text)
            WHEN lower(coalesce({{s}}.sensitivity_level::text, 'medium')) NOT IN {{Levels}}
                THEN 'unknown sensitivity ' || quote_literal({{s}}.sensitivity_level::text)
        END
        """;

    private static string ServerConflict(string s) =>
        $"EXISTS (SELECT 1 FROM resources r WHERE r.id = {s}.id::text) AND NOT {Migrated("resources", $"{s}.id::text")}";

    private static string Migrated(string table, string id) =>
        $"EXISTS (SELECT 1 FROM v1_import_provenance p WHERE p.target_table = '{table}' AND p.target_id = {id})";

    /// <summary>mcp_servers → resources; <paramref name="where"/> filters mcp_servers s.</summary>
    public static string Servers(string where) => $$"""
        SELECT s.id AS source_id,
               s.id::text AS id,
               s.name::varchar(255) AS name,
               'mcp'::varchar(50) AS protocol,
               (CASE WHEN lower(s.transport::text) = 'stdio' THEN s.command ELSE s.endpoint END)::varchar(1000) AS endpoint,
               lower(coalesce(s.sensitivity_level::text, 'medium'))::varchar(20) AS sensitivity_level,
               jsonb_build_object(
                   'transport', lower(s.transport::text),
                   'command', s.command,
                   'endpoint', s.endpoint,
                   'mcp_version', s.mcp_version,
                   'capabilities', coalesce(s.capabilities::jsonb, '[]'::jsonb),
                   'status', lower(s.status::text),
                   'health_endpoint', s.health_endpoint,
                   'last_health_check', {{JsonTime("s.last_health_check")}},
                   'owner_id', s.owner_id::text,
                   'team_id', s.team_id::text,
                   'consul_id', s.consul_id,
                   'tags', coalesce(s.tags::jsonb, '[]'::jsonb),
                   'signature', s.signature,
                   'description', s.description,
                   'extra_metadata', coalesce(s.extra_metadata::jsonb, '{}'::jsonb)) AS metadata,
               s.created_at::timestamptz AS created_at,
               s.updated_at::timestamptz AS updated_at,
               issue.kind AS issue_kind,
               issue.reason AS issue
        FROM mcp_servers s
        LEFT JOIN LATERAL (
            SELECT v.kind, v.reason FROM (VALUES
                (1, 'invalid', {{ServerInvalid("s")}}),
                (2, 'conflict', CASE WHEN {{ServerConflict("s")}} THEN 'a native v2 resource has this id' END)
            ) v(position, kind, reason)
            WHERE v.reason IS NOT NULL ORDER BY v.position LIMIT 1
        ) issue ON true
        WHERE {{where}}
        """;

    /// <summary>mcp_tools → capabilities; <paramref name="where"/> filters mcp_tools t.</summary>
    public string Tools(string where) => $$"""
        SELECT t.id AS source_id,
               t.id::text AS id,
               t.server_id::text AS resource_id,
               t.name::varchar(255) AS name,
               t.description::text AS description,
               {{Parameters("t")}} AS input_schema,
               '{}'::jsonb AS output_schema,
               lower(coalesce(t.sensitivity_level::text, 'medium'))::varchar(20) AS sensitivity_level,
               jsonb_build_object(
                   'requires_approval', coalesce(t.requires_approval, false),
                   'signature', t.signature,
                   'extra_metadata', coalesce(t.extra_metadata::jsonb, '{}'::jsonb)) AS metadata,
               t.created_at::timestamptz AS created_at,
               t.updated_at::timestamptz AS updated_at,
               issue.kind AS issue_kind,
               issue.reason AS issue
        FROM mcp_tools t
        JOIN mcp_servers s ON s.id = t.server_id
        LEFT JOIN v1_tool_duplicates d ON d.id = t.id
        LEFT JOIN LATERAL (
            SELECT v.kind, v.reason FROM (VALUES
                (1, 'invalid', CASE WHEN jsonb_typeof({{Parameters("t")}}) <> 'object'
                    THEN 'parameters are a JSON ' || jsonb_typeof({{Parameters("t")}}) || ', expected an object' END),
                (2, 'invalid', CASE WHEN lower(coalesce(t.sensitivity_level::text, 'medium')) NOT IN {{Levels}}
                    THEN 'unknown sensitivity ' || quote_literal(t.sensitivity_level::text) END),
                (3, 'invalid', 'its server ' || s.id || ' is not migrated: ' || {{ServerInvalid("s")}}),
                (4, 'invalid', CASE WHEN {{ServerConflict("s")}} THEN 'its server ' || s.id || ' conflicts with a native v2 resource' END),
                (5, 'duplicate', CASE WHEN d.kept_id IS NOT NULL
                    THEN 'duplicate name ' || quote_literal(t.name) || ' on server ' || s.id || '; kept tool ' || d.kept_id END),
                (6, 'conflict', CASE WHEN EXISTS (SELECT 1 FROM capabilities c WHERE c.id = t.id::text) AND NOT {{Migrated("capabilities", "t.id::text")}}
                    THEN 'a native v2 capability has this id' END),
                (7, 'conflict', CASE WHEN EXISTS (
                        SELECT 1 FROM capabilities c WHERE c.resource_id = t.server_id::text AND c.name = t.name AND c.id <> t.id::text
                          AND NOT {{Migrated("capabilities", "c.id")}})
                    THEN 'a native v2 capability on its resource has this name' END)
            ) v(position, kind, reason)
            WHERE v.reason IS NOT NULL ORDER BY v.position LIMIT 1
        ) issue ON true
        WHERE {{where}}
        """;

    /// <summary>
    /// Tools that lose to another tool of the same name on the same server: the most recently
    /// updated tool with valid parameters is kept (ties: the higher id).
    /// </summary>
    public string ToolDuplicates => $$"""
        SELECT ranked.id, ranked.kept_id FROM (
            SELECT t.id, first_value(t.id) OVER w AS kept_id, row_number() OVER w AS position
            FROM mcp_tools t
            WINDOW w AS (PARTITION BY t.server_id, t.name
                         ORDER BY (jsonb_typeof({{Parameters("t")}}) = 'object') DESC, t.updated_at DESC, t.id DESC)
        ) ranked
        WHERE ranked.position > 1
        """;

    public string For(V2Table table, string where) => table == V2Table.Resources ? Servers(where) : Tools(where);
}
