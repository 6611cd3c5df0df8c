using Sark.Data.Schema;

namespace Sark.Testing.V1;

/// <summary>
/// Builds SARK v1 databases as the original tools did: the ORM shape and the Alembic head are the
/// real dumps (<see cref="V1Dumps"/>); an Alembic database at an older revision, which no dump
/// covers, is sark's 001–00n plus the original's duplicate unique indexes and its alembic_version
/// row (a test checks that this recipe at 005 gives exactly the dump's shape). Seeds them with v1 rows.
/// </summary>
public static class V1Databases
{
    private static readonly (int Version, string Sql)[] AlembicDuplicateIndexes =
    [
        (1, "CREATE UNIQUE INDEX ix_users_email ON users (email); CREATE UNIQUE INDEX ix_teams_name ON teams (name); CREATE UNIQUE INDEX ix_mcp_servers_consul_id ON mcp_servers (consul_id);"),
        (2, "CREATE UNIQUE INDEX ix_api_keys_key_prefix ON api_keys (key_prefix);"),
        (3, "CREATE UNIQUE INDEX ix_policies_name ON policies (name);"),
    ];

    private static readonly string[] Revisions = ["001_initial", "002_api_keys", "003_policies", "004_audit_events", "005_gateway_audit"];

    public static async Task BuildAlembicAsync(TestDatabase database, int version)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (version == Revisions.Length)
        {
            // Schema-only, so the dump has alembic_version without its row; a real database has it.
            await V1Dumps.LoadAsync(database, V1Dumps.Alembic);
            await database.ExecuteAsync($"INSERT INTO alembic_version VALUES ('{Revisions[^1]}')");
            return;
        }

        await BuildAlembicFromChainAsync(database, version);
    }

    /// <summary>The recipe for revisions older than the dump: sark's chain, v1's duplicate indexes, the revision row.</summary>
    public static async Task BuildAlembicFromChainAsync(TestDatabase database, int version)
    {
        ArgumentNullException.ThrowIfNull(database);
        for (var v = 1; v <= version; v++)
        {
            await database.ExecuteAsync(MigrationSet.Embedded[v].Up.Sql);
        }

        foreach (var (since, sql) in AlembicDuplicateIndexes.Where(i => i.Version <= version))
        {
            await database.ExecuteAsync(sql);
        }

        await database.ExecuteAsync(
            $"CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('{Revisions[version - 1]}');");
    }

    /// <summary>The real ORM-built shape: the dump, as it is.</summary>
    public static Task BuildOrmAsync(TestDatabase database) => V1Dumps.LoadAsync(database, V1Dumps.Orm);

    /// <summary>
    /// A user, a team, servers of every transport and their tools, with awkward text. Enum labels
    /// are written as the variant stores them (upper case for the ORM).
    /// </summary>
    public static Task SeedAsync(TestDatabase database, bool orm)
    {
        ArgumentNullException.ThrowIfNull(database);
        string L(string label) => orm ? label.ToUpperInvariant() : label;
        var toolParameters = orm ? "parameters, invocation_count, last_invoked" : "parameters_schema";
        var toolParameterValues = orm ? "'{\"type\": \"object\"}', 3, '2025-01-02T03:04:05Z'" : "'{\"type\": \"object\"}'";
        return database.ExecuteAsync($$"""
            INSERT INTO users (id, email, full_name, hashed_password, is_active, is_admin, role, extra_metadata, created_at, updated_at)
            VALUES ('00000000-0000-0000-0000-0000000000a1', 'ada@example.org', 'Ada ''Quote'' Løvelace', 'x', true, false, 'developer', '{"k": 1}', '2024-01-01Z', '2024-01-02Z');
            INSERT INTO teams (id, name, description, extra_metadata, created_at, updated_at)
            VALUES ('00000000-0000-0000-0000-0000000000b1', 'platform', 'Team "P" ✓', '{}', '2024-01-01Z', '2024-01-01Z');
            INSERT INTO user_teams (user_id, team_id) VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1');
            INSERT INTO mcp_servers (id, name, description, transport, endpoint, command, mcp_version, capabilities, sensitivity_level,
                                     status, owner_id, team_id, consul_id, tags, extra_metadata, created_at, updated_at)
            VALUES
              ('00000000-0000-0000-0000-000000000001', 'files', 'local files', '{{L("stdio")}}', NULL, 'npx files-server', '2025-06-18', '["tools"]', '{{L("high")}}',
               '{{L("active")}}', '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1', 'consul-1', '["a"]', '{"region": "eu"}', '2024-02-01Z', '2024-02-02Z'),
              ('00000000-0000-0000-0000-000000000002', 'weather ☀', NULL, '{{L("http")}}', 'https://weather.example/mcp', NULL, '2025-06-18', '[]', '{{L("low")}}',
               '{{L("registered")}}', NULL, NULL, NULL, '[]', '{}', '2024-03-01Z', '2024-03-01Z'),
              ('00000000-0000-0000-0000-000000000003', 'events', 'SSE feed', '{{L("sse")}}', 'https://events.example/sse', NULL, '2025-06-18', '[]', '{{L("critical")}}',
               '{{L("unhealthy")}}', NULL, NULL, NULL, '[]', '[1, 2]', '2024-04-01Z', '2024-04-01Z');
            INSERT INTO mcp_tools (id, server_id, name, description, {{toolParameters}}, sensitivity_level, requires_approval, extra_metadata, created_at, updated_at)
            VALUES
              ('00000000-0000-0000-0000-000000000011', '00000000-0000-0000-0000-000000000001', 'read_file', 'Reads a file', {{toolParameterValues}}, '{{L("medium")}}', false, '{}', '2024-02-03Z', '2024-02-04Z'),
              ('00000000-0000-0000-0000-000000000012', '00000000-0000-0000-0000-000000000001', 'delete_file', 'It''s "dangerous"', {{toolParameterValues}}, '{{L("critical")}}', true, '{"x": "y"}', '2024-02-05Z', '2024-02-06Z'),
              ('00000000-0000-0000-0000-000000000013', '00000000-0000-0000-0000-000000000002', 'forecast', NULL, {{toolParameterValues}}, '{{L("low")}}', false, '{}', '2024-03-02Z', '2024-03-03Z');
            """);
    }

    /// <summary>Every row of the v1 tables as JSON text, for before/after comparisons.</summary>
    public static async Task<string> DumpAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var parts = new List<string>();
        foreach (var table in new[] { "users", "teams", "user_teams", "mcp_servers", "mcp_tools" })
        {
            parts.Add(await database.ScalarAsync<string>($"SELECT '{table}: ' || coalesce(json_agg(t ORDER BY t::text)::text, '[]') FROM {table} t"));
        }

        return string.Join('\n', parts);
    }
}
