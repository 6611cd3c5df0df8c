using Sark.Data.Schema.Catalog;

namespace Sark.Data.Schema.Adoption;

/// <summary>
/// The differences from sark's chain that each v1 variant is known to have. A difference one of
/// these rules explains is tolerated (and reported with the reason); anything else is a mismatch.
/// </summary>
internal static class AdoptionRules
{
    // The original 001–003 created a unique index beside each unique constraint; sark's chain does not.
    private static readonly HashSet<string> AlembicDuplicateIndexes = new(StringComparer.Ordinal)
    {
        "ix_users_email", "ix_teams_name", "ix_policies_name", "ix_api_keys_key_prefix", "ix_mcp_servers_consul_id",
    };

    // Tables of v1 ORM models that no migration has; left alone. The reference ORM dump has none of
    // them (its create_all did not load those models), but a v1 application that did would have them.
    private static readonly HashSet<string> OrmOnlyTables = new(StringComparer.Ordinal)
    {
        "usage_events", "daily_aggregates", "provider_pricing", "policy_decision_logs", "policy_change_logs",
        "policy_analytics_summary", "actions",
    };

    // audit_events columns of the v1 ORM model that no migration creates.
    private static readonly HashSet<string> OrmAuditColumns = new(StringComparer.Ordinal)
    {
        "principal_type", "principal_attributes", "resource_type", "action_operation", "action_parameters",
        "policy_version", "environment", "success", "error_message", "latency_ms", "cost", "retention_until",
    };

    private static readonly HashSet<string> OrmToolColumns = new(StringComparer.Ordinal)
    {
        "parameters", "invocation_count", "last_invoked",
    };

    /// <summary>The reason given for a name the ORM left to PostgreSQL; adoption renames such members.</summary>
    private const string RenamedAtAdoption = "v1 ORM leaves the name to PostgreSQL (adoption renames it to sark's)";

    /// <summary>The v1 tables (those of versions 001–005); ORM tolerances apply only to them.</summary>
    public static readonly HashSet<string> V1Tables = new(StringComparer.Ordinal)
    {
        "users", "teams", "user_teams", "mcp_servers", "mcp_tools", "api_keys", "policies", "policy_versions",
        "audit_events", "gateway_audit_events",
    };

    /// <summary>Why <paramref name="difference"/> is expected for <paramref name="variant"/>, or null when it is a mismatch.</summary>
    public static string? Explain(V1Variant variant, CatalogDifference difference) => variant switch
    {
        V1Variant.Alembic => ExplainAlembic(difference),
        V1Variant.Orm => ExplainOrm(difference) ?? ExplainAlembic(difference),
        _ => null,
    };

    private static string? ExplainAlembic(CatalogDifference d) => d.Kind switch
    {
        DifferenceKind.ExtraIndex when AlembicDuplicateIndexes.Contains(d.Subject) =>
            "v1 duplicate of the unique constraint; harmless, left in place",
        DifferenceKind.ExtraIndex when d.Subject.StartsWith("idx_", StringComparison.Ordinal) && V1Tables.Contains(d.Table) =>
            "v1 optional performance index (001_add_performance_indexes.sql); left in place",
        _ => null,
    };

    private static string? ExplainOrm(CatalogDifference d)
    {
        if (d.Kind == DifferenceKind.ExtraTable)
        {
            return OrmOnlyTables.Contains(d.Table) || d.Table.StartsWith("governance_", StringComparison.Ordinal)
                ? "table of the v1 ORM that no migration creates; left alone"
                : null;
        }

        if (d.Kind == DifferenceKind.MissingTable && d.Table == "gateway_audit_events")
        {
            return "the v1 ORM never created it; adoption creates it empty";
        }

        if (d.Kind is DifferenceKind.EnumLabels)
        {
            return OrmEnumLabelsMatch(d.Expected!, d.Actual!) ? "v1 ORM stores enum names in upper case" : null;
        }

        if (d.Kind == DifferenceKind.ExtraType)
        {
            return "enum type of the v1 ORM; left alone";
        }

        if (!V1Tables.Contains(d.Table))
        {
            return null;
        }

        return d.Kind switch
        {
            DifferenceKind.ColumnType when d.Expected == "jsonb" && d.Actual == "json" => "v1 ORM uses json, not jsonb",
            DifferenceKind.ColumnType when d.Table == "mcp_tools" && d.Subject == "description" => "v1 ORM declares it varchar(2000)",
            DifferenceKind.ColumnDefault => "v1 ORM sets defaults in the application, not the database",
            DifferenceKind.ColumnNullability when d.Actual == "NULL" => "v1 ORM leaves the column nullable",
            DifferenceKind.MissingColumn when d.Table == "mcp_tools" && d.Subject == "parameters_schema" => "v1 ORM calls it parameters",
            DifferenceKind.ExtraColumn when d.Table == "mcp_tools" && OrmToolColumns.Contains(d.Subject) => "v1 ORM tool column",
            DifferenceKind.ExtraColumn when d.Table == "audit_events" && OrmAuditColumns.Contains(d.Subject) => "v1 ORM audit column",
            DifferenceKind.ConstraintName or DifferenceKind.IndexName => RenamedAtAdoption,
            DifferenceKind.UniqueAsIndex when d.Expected!.StartsWith("UNIQUE", StringComparison.Ordinal) => "v1 ORM enforces uniqueness with a unique index",
            DifferenceKind.MissingConstraint when d.Subject == "user_teams_pkey" => "v1 ORM creates user_teams without a primary key",
            DifferenceKind.ExtraIndex => "index of the v1 ORM, left in place",
            DifferenceKind.MissingIndex when d.Expected!.StartsWith("CREATE UNIQUE", StringComparison.Ordinal) =>
                "v1 ORM never created this unique index, so nothing enforces it (not added: existing rows might violate it)",
            DifferenceKind.MissingIndex => "v1 ORM never created this index (not added: building it is the operator's choice)",
            _ => null,
        };
    }

    // Every expected label is present as is or upper-cased; the ORM adds configuration_changed.
    private static bool OrmEnumLabelsMatch(string expected, string actual)
    {
        var want = expected.Split(", ");
        var have = actual.Split(", ").ToHashSet(StringComparer.Ordinal);
        var covered = want.All(l => have.Contains(l) || have.Contains(l.ToUpperInvariant()));
        var extras = have.Where(h => !want.Contains(h) && !want.Contains(h.ToLowerInvariant())).ToList();
        return covered && extras.All(e => e == "CONFIGURATION_CHANGED");
    }
}
