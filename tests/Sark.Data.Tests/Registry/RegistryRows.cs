using Npgsql;
using Sark.Data.Registry;
using Sark.Testing;

namespace Sark.Data.Tests.Registry;

/// <summary>Registrations and direct reads the registry tests share.</summary>
internal static class RegistryRows
{
    public static ResourceRegistration Resource(string id, params CapabilityRegistration[] capabilities) =>
        new(id, $"name of {id}", "mcp", "npx server", capabilities) { Metadata = """{"transport": "stdio"}""" };

    public static CapabilityRegistration Capability(string name, SensitivityLevel? level = SensitivityLevel.Low) =>
        new(name) { Description = $"does {name}", Sensitivity = level };

    /// <summary>(name, id, sensitivity, updated_at) of every capability of the resource, by name.</summary>
    public static async Task<List<(string Name, string Id, string Sensitivity, DateTime UpdatedAt)>> CapabilityRowsAsync(TestDatabase database, string resourceId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name, id, sensitivity_level, updated_at FROM capabilities WHERE resource_id = $1 ORDER BY name", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = resourceId });
        var rows = new List<(string, string, string, DateTime)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }

        return rows;
    }

    /// <summary>registry_counts' sums minus a full recount: every row of the result is a group whose count is wrong.</summary>
    public const string CountMismatchSql = """
        WITH recount AS (
            SELECT protocol, sensitivity_level, sum(resources) AS resources, sum(capabilities) AS capabilities
            FROM (
                SELECT protocol, sensitivity_level, count(*) AS resources, 0 AS capabilities FROM resources GROUP BY 1, 2
                UNION ALL
                SELECT r.protocol, c.sensitivity_level, 0, count(*) FROM capabilities c JOIN resources r ON r.id = c.resource_id GROUP BY 1, 2
            ) x GROUP BY 1, 2
        )
        , kept AS (
            SELECT protocol, sensitivity_level, sum(resources) AS resources, sum(capabilities) AS capabilities
            FROM registry_counts GROUP BY 1, 2
        )
        SELECT count(*) FROM recount FULL JOIN kept k USING (protocol, sensitivity_level)
        WHERE coalesce(recount.resources, 0) <> coalesce(k.resources, 0) OR coalesce(recount.capabilities, 0) <> coalesce(k.capabilities, 0)
        """;
}
