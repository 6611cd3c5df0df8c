namespace Sark.V1Import.Mapping;

/// <summary>
/// One v1→v2 table pair and the v2 columns the mapping writes (and validate compares). The
/// statements that read or write a table are written out per table where they run; these names
/// are for the rules read from the catalog (<see cref="V2Constraints"/>) and for reports.
/// </summary>
internal sealed record V2Table(string Target, string Source, IReadOnlyList<string> Fields)
{
    public static readonly V2Table Resources = new(
        "resources", "mcp_servers", ["name", "protocol", "endpoint", "sensitivity_level", "metadata", "created_at", "updated_at"]);

    public static readonly V2Table Capabilities = new(
        "capabilities", "mcp_tools",
        ["resource_id", "name", "description", "input_schema", "output_schema", "sensitivity_level", "metadata", "created_at", "updated_at"]);

    public static IReadOnlyList<V2Table> All { get; } = [Resources, Capabilities];
}
