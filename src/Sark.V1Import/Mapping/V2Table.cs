namespace Sark.V1Import.Mapping;

/// <summary>One v1→v2 table pair and the v2 columns the mapping writes (and validate compares).</summary>
public sealed record V2Table(string Target, string Source, IReadOnlyList<string> Fields)
{
    public static readonly V2Table Resources = new(
        "resources", "mcp_servers", ["name", "protocol", "endpoint", "sensitivity_level", "metadata", "created_at", "updated_at"]);

    public static readonly V2Table Capabilities = new(
        "capabilities", "mcp_tools",
        ["resource_id", "name", "description", "input_schema", "output_schema", "sensitivity_level", "metadata", "created_at", "updated_at"]);

    public static IReadOnlyList<V2Table> All { get; } = [Resources, Capabilities];

    /// <summary>
    /// A hash of what the tool wrote, computed the same way from a mapped row and from the live row,
    /// so rollback can tell a row changed since. Epoch seconds keep it independent of the session time zone.
    /// </summary>
    public string HashOf(string alias) =>
        "md5(jsonb_build_array("
        + string.Join(", ", Fields.Select(f => f.EndsWith("_at", StringComparison.Ordinal) ? $"extract(epoch FROM {alias}.{f})" : $"{alias}.{f}"))
        + ")::text)";

    /// <summary>The names of the fields that differ between two rows, as a text[].</summary>
    public string ChangedFields(string live, string mapped) =>
        "array_remove(ARRAY["
        + string.Join(", ", Fields.Select(f => $"CASE WHEN {live}.{f} IS DISTINCT FROM {mapped}.{f} THEN '{f}' END"))
        + "]::text[], NULL)";

    public string ColumnList => string.Join(", ", Fields);
}
