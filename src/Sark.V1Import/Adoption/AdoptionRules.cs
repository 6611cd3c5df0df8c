using Sark.Data.Schema.Catalog;

namespace Sark.V1Import.Adoption;

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

    /// <summary>Alembic's own table (the revision it applied last): bookkeeping, never compared.</summary>
    public static readonly IReadOnlyCollection<string> BookkeepingTables = ["alembic_version"];

    /// <summary>The v1 tables (those of versions 001–005), the only ones v1's performance indexes are on.</summary>
    public static readonly HashSet<string> V1Tables = new(StringComparer.Ordinal)
    {
        "users", "teams", "user_teams", "mcp_servers", "mcp_tools", "api_keys", "policies", "policy_versions",
        "audit_events", "gateway_audit_events",
    };

    /// <summary>Why <paramref name="difference"/> is expected for <paramref name="variant"/>, or null when it is a mismatch.</summary>
    public static string? Explain(V1Variant variant, CatalogDifference difference) => variant switch
    {
        V1Variant.Alembic => ExplainAlembic(difference),
        V1Variant.Orm => ExplainOrm(difference),
        _ => null,
    };

    private static string? ExplainAlembic(CatalogDifference d) =>
        AlembicDuplicateIndexes.Contains(d.Subject) && d.Kind == DifferenceKind.ExtraIndex
            ? "v1 duplicate of the unique constraint; harmless, left in place"
            : ExplainPerformanceIndex(d);

    // 001_add_performance_indexes.sql only creates plain (non-unique) indexes: an extra unique
    // index would be a rule v1 never had, so it is not one of them whatever its name.
    private static string? ExplainPerformanceIndex(CatalogDifference d) =>
        d.Kind == DifferenceKind.ExtraIndex && d.Subject.StartsWith("idx_", StringComparison.Ordinal) && V1Tables.Contains(d.Table)
        && !d.Actual!.StartsWith("CREATE UNIQUE", StringComparison.Ordinal)
            ? "v1 optional performance index (001_add_performance_indexes.sql); left in place"
            : null;

    // Only what the real ORM database has (OrmShape), member by member, plus the tables of ORM
    // models that no migration creates and v1's optional performance indexes.
    private static string? ExplainOrm(CatalogDifference d) => d.Kind switch
    {
        DifferenceKind.ExtraTable when OrmOnlyTables.Contains(d.Table) || d.Table.StartsWith("governance_", StringComparison.Ordinal) =>
            "table of the v1 ORM that no migration creates; left alone",
        DifferenceKind.EnumLabels when OrmEnumLabelsMatch(d.Subject, d.Expected!, d.Actual!) => "v1 ORM stores enum names in upper case",
        _ => OrmShape.Differences.FirstOrDefault(o => o.Explains(d))?.Reason ?? ExplainPerformanceIndex(d),
    };

    // The type has exactly the ORM's labels, then (on a database migrated past 005) the labels
    // sark's later migrations added, as sark wrote them. The ORM's labels are sark's v1 labels
    // upper-cased, in the same order, plus the one the ORM alone has.
    private static bool OrmEnumLabelsMatch(string type, string expected, string actual)
    {
        if (!OrmShape.EnumLabels.TryGetValue(type, out var orm))
        {
            return false;
        }

        var want = expected.Split(", ");
        var have = actual.Split(", ");
        var v1 = orm.Where(l => l != OrmShape.OrmOnlyLabel).Select(l => l.ToLowerInvariant()).ToList();
        return want.Take(v1.Count).SequenceEqual(v1, StringComparer.Ordinal)
            && have.Take(orm.Length).SequenceEqual(orm, StringComparer.Ordinal)
            && have.Skip(orm.Length).SequenceEqual(want.Skip(v1.Count), StringComparer.Ordinal);
    }
}
