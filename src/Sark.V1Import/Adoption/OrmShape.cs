using Sark.Data.Schema.Catalog;

namespace Sark.V1Import.Adoption;

/// <summary>
/// One difference a database built by the v1 ORM has from sark's chain at 005, member by member.
/// <see cref="Expected"/> or <see cref="Actual"/> null: not compared (a missing index is known by its
/// name; a missing default by the column and by there being none, whatever sark's default is).
/// </summary>
internal sealed record OrmDifference(DifferenceKind Kind, string Table, string Subject, string? Expected, string? Actual, string Reason)
{
    public bool Explains(CatalogDifference difference) =>
        difference.Kind == Kind
        && difference.Table == Table
        && difference.Subject == Subject
        && (Expected is null || difference.Expected == Expected)
        && (Actual is null || difference.Actual == Actual);
}

/// <summary>
/// The shape of the real ORM-built v1 database (the schema dump of the original application's
/// <c>create_all</c>, tests/Sark.Testing/V1/Dumps/orm.sql), written out as the exact differences it
/// has. Nothing is excused by kind: a default, nullability, index or name the real ORM does not
/// produce is a mismatch, so a database changed by hand is refused as it would be for Alembic.
/// A test checks that adopting orm.sql uses every entry and nothing else.
/// </summary>
internal static class OrmShape
{
    private const string NoDefault = "no default";
    private const string DefaultsInApplication = "v1 ORM sets this default in the application, not the database";
    private const string Json = "v1 ORM uses json, not jsonb";

    /// <summary>The reason given for a name the ORM left to PostgreSQL; adoption renames such members.</summary>
    public const string RenamedAtAdoption = "v1 ORM leaves the name to PostgreSQL (adoption renames it to sark's)";

    /// <summary>The enum labels the ORM creates (the Python enum names), in order, per type.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> EnumLabels = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["auditeventtype"] =
        [
            "SERVER_REGISTERED", "SERVER_UPDATED", "SERVER_DECOMMISSIONED", "TOOL_INVOKED", "AUTHORIZATION_ALLOWED",
            "AUTHORIZATION_DENIED", "POLICY_CREATED", "POLICY_UPDATED", "POLICY_ACTIVATED", "USER_LOGIN", "USER_LOGOUT",
            "SECURITY_VIOLATION", "CONFIGURATION_CHANGED",
        ],
        ["policystatus"] = ["DRAFT", "ACTIVE", "INACTIVE", "DEPRECATED"],
        ["policytype"] = ["AUTHORIZATION", "VALIDATION", "TRANSFORMATION", "AUDIT"],
        ["sensitivitylevel"] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
        ["serverstatus"] = ["REGISTERED", "ACTIVE", "INACTIVE", "UNHEALTHY", "DECOMMISSIONED"],
        ["severitylevel"] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"],
        ["transporttype"] = ["HTTP", "STDIO", "SSE"],
    };

    /// <summary>The ORM's label that sark's chain does not have (the Python enum has it, Alembic's type does not).</summary>
    public const string OrmOnlyLabel = "CONFIGURATION_CHANGED";

    public static readonly IReadOnlyList<OrmDifference> Differences =
    [
        new(DifferenceKind.MissingTable, "gateway_audit_events", "gateway_audit_events", null, null, "the v1 ORM never created it; adoption creates it empty"),

        .. MissingDefaults("api_keys", "created_at", "rate_limit", "scopes", "updated_at"),
        .. MissingDefaults("audit_events", "details", "severity", "timestamp"),
        .. MissingDefaults("mcp_servers", "capabilities", "created_at", "extra_metadata", "mcp_version", "sensitivity_level", "status", "tags", "updated_at"),
        .. MissingDefaults("mcp_tools", "created_at", "extra_metadata", "requires_approval", "sensitivity_level", "updated_at"),
        .. MissingDefaults("policies", "created_at", "policy_type", "status", "updated_at"),
        .. MissingDefaults("policy_versions", "created_at", "is_active", "tested"),
        .. MissingDefaults("teams", "created_at", "extra_metadata", "updated_at"),
        .. MissingDefaults("users", "created_at", "extra_metadata", "is_active", "is_admin", "role", "updated_at"),

        new(DifferenceKind.ColumnType, "audit_events", "details", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "mcp_servers", "capabilities", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "mcp_servers", "extra_metadata", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "mcp_servers", "tags", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "mcp_tools", "extra_metadata", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "teams", "extra_metadata", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "users", "extra_metadata", "jsonb", "json", Json),
        new(DifferenceKind.ColumnType, "mcp_tools", "description", "text", "character varying(2000)", "v1 ORM declares it varchar(2000)"),

        new(DifferenceKind.ColumnNullability, "user_teams", "user_id", "NOT NULL", "NULL", "v1 ORM leaves the association table's columns nullable"),
        new(DifferenceKind.ColumnNullability, "user_teams", "team_id", "NOT NULL", "NULL", "v1 ORM leaves the association table's columns nullable"),
        new(DifferenceKind.MissingConstraint, "user_teams", "user_teams_pkey", null, null, "v1 ORM creates user_teams without a primary key"),

        new(DifferenceKind.MissingColumn, "mcp_tools", "parameters_schema", "jsonb", null, "v1 ORM calls it parameters"),
        .. ExtraColumns("mcp_tools", "v1 ORM tool column", ("parameters", "json"), ("invocation_count", "integer"), ("last_invoked", "timestamp with time zone")),
        .. ExtraColumns(
            "audit_events", "v1 ORM audit column",
            ("principal_type", "character varying(50)"), ("principal_attributes", "jsonb"), ("resource_type", "character varying(50)"),
            ("action_operation", "character varying(100)"), ("action_parameters", "jsonb"), ("policy_version", "character varying(50)"),
            ("environment", "character varying(50)"), ("success", "boolean"), ("error_message", "character varying(500)"),
            ("latency_ms", "double precision"), ("cost", "double precision"), ("retention_until", "timestamp with time zone")),

        new(DifferenceKind.ConstraintName, "policies", "fk_policies_current_version", null, "policies_current_version_id_fkey", RenamedAtAdoption),
        .. UniqueIndexes(("api_keys", "api_keys_key_prefix_key", "ix_api_keys_key_prefix"), ("policies", "policies_name_key", "ix_policies_name"),
            ("teams", "teams_name_key", "ix_teams_name"), ("users", "users_email_key", "ix_users_email")),

        new(DifferenceKind.ExtraIndex, "audit_events", "ix_audit_events_action_operation", null,
            "CREATE INDEX ix_audit_events_action_operation ON audit_events USING btree (action_operation)", "index of the v1 ORM, left in place"),
        new(DifferenceKind.ExtraIndex, "audit_events", "ix_audit_events_resource_type", null,
            "CREATE INDEX ix_audit_events_resource_type ON audit_events USING btree (resource_type)", "index of the v1 ORM, left in place"),

        .. MissingIndexes("mcp_servers", "ix_mcp_servers_owner_id", "ix_mcp_servers_team_id"),
        .. MissingIndexes("mcp_tools", "ix_mcp_tools_server_id"),
        .. MissingIndexes("policy_versions", "ix_policy_versions_policy_id"),
        .. MissingIndexes("user_teams", "ix_user_teams_team_id", "ix_user_teams_user_id"),
        new(DifferenceKind.MissingIndex, "policy_versions", "ix_policy_versions_version", null, null,
            "v1 ORM never created this unique index, so nothing enforces it (not added: existing rows might violate it)"),
    ];

    private static IEnumerable<OrmDifference> MissingDefaults(string table, params string[] columns) =>
        columns.Select(c => new OrmDifference(DifferenceKind.ColumnDefault, table, c, null, NoDefault, DefaultsInApplication));

    private static IEnumerable<OrmDifference> ExtraColumns(string table, string reason, params (string Column, string Type)[] columns) =>
        columns.Select(c => new OrmDifference(DifferenceKind.ExtraColumn, table, c.Column, null, c.Type, reason));

    private static IEnumerable<OrmDifference> UniqueIndexes(params (string Table, string Constraint, string Index)[] members) =>
        members.Select(m => new OrmDifference(DifferenceKind.UniqueAsIndex, m.Table, m.Constraint, null, m.Index, "v1 ORM enforces uniqueness with a unique index"));

    private static IEnumerable<OrmDifference> MissingIndexes(string table, params string[] indexes) =>
        indexes.Select(i => new OrmDifference(DifferenceKind.MissingIndex, table, i, null, null,
            "v1 ORM never created this index (not added: building it is the operator's choice)"));
}
