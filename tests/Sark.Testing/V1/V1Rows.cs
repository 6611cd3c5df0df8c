using Npgsql;
using NpgsqlTypes;

namespace Sark.Testing.V1;

/// <summary>
/// Writes v1 rows the way each variant stores them: enum labels upper-case for the ORM, json vs
/// jsonb, parameters vs parameters_schema, and every NOT NULL column the ORM leaves without a default.
/// </summary>
public sealed class V1Rows(TestDatabase database, bool orm)
{
    public bool Orm { get; } = orm;

    private string Label(string label) => Orm ? label.ToUpperInvariant() : label;

    public async Task AddServerAsync(
        Guid id, string name, string transport, string? command, string? endpoint, string sensitivity = "medium",
        string? extraMetadata = "{}", string? capabilities = "[]", string? tags = "[]", string? description = null,
        DateTime? updatedAt = null, string status = "active")
    {
        ArgumentNullException.ThrowIfNull(transport);
        var jsonType = Orm ? "json" : "jsonb";
        await using var connection = await database.OpenAsync();
        await using var command2 = new NpgsqlCommand($"""
            INSERT INTO mcp_servers (id, name, description, transport, endpoint, command, mcp_version, capabilities, sensitivity_level,
                                     status, tags, extra_metadata, created_at, updated_at)
            VALUES ($1, $2, $3, $4::text::transporttype, $5, $6, '2025-06-18', $7::{jsonType}, $8::text::sensitivitylevel,
                    $9::text::serverstatus, $10::{jsonType}, $11::{jsonType}, '2024-01-01T00:00:00Z', $12)
            """, connection);
        command2.Parameters.Add(new NpgsqlParameter { Value = id });
        command2.Parameters.Add(new NpgsqlParameter { Value = name });
        command2.Parameters.Add(new NpgsqlParameter { Value = (object?)description ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command2.Parameters.Add(new NpgsqlParameter { Value = Label(transport) });
        command2.Parameters.Add(new NpgsqlParameter { Value = (object?)endpoint ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command2.Parameters.Add(new NpgsqlParameter { Value = (object?)command ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command2.Parameters.Add(Json(capabilities));
        command2.Parameters.Add(new NpgsqlParameter { Value = Label(sensitivity) });
        command2.Parameters.Add(new NpgsqlParameter { Value = Label(status) });
        command2.Parameters.Add(Json(tags));
        command2.Parameters.Add(Json(extraMetadata));
        command2.Parameters.Add(new NpgsqlParameter { Value = updatedAt ?? new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc) });
        await command2.ExecuteNonQueryAsync();
    }

    public async Task AddToolAsync(
        Guid id, Guid serverId, string name, string? description = "does things", string? parameters = "{\"type\": \"object\"}",
        string sensitivity = "medium", bool requiresApproval = false, string? extraMetadata = "{}", DateTime? updatedAt = null)
    {
        var jsonType = Orm ? "json" : "jsonb";
        var parameterColumn = Orm ? "parameters, invocation_count" : "parameters_schema";
        var parameterValue = Orm ? $"$5::{jsonType}, 0" : $"$5::{jsonType}";
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            INSERT INTO mcp_tools (id, server_id, name, description, {parameterColumn}, sensitivity_level, requires_approval,
                                   extra_metadata, created_at, updated_at)
            VALUES ($1, $2, $3, $4, {parameterValue}, $6::text::sensitivitylevel, $7, $8::{jsonType}, '2024-01-03T00:00:00Z', $9)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = serverId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)description ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(Json(parameters));
        command.Parameters.Add(new NpgsqlParameter { Value = Label(sensitivity) });
        command.Parameters.Add(new NpgsqlParameter { Value = requiresApproval });
        command.Parameters.Add(Json(extraMetadata));
        command.Parameters.Add(new NpgsqlParameter { Value = updatedAt ?? new DateTime(2024, 1, 4, 0, 0, 0, DateTimeKind.Utc) });
        await command.ExecuteNonQueryAsync();
    }

    // Sent as text and cast in SQL, so NULL stays SQL NULL and json/jsonb is the variant's choice.
    private static NpgsqlParameter Json(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>A database at the newest version whose v1 tables have the given variant's shape.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync(bool orm)
    {
        if (!orm)
        {
            return await TestDatabase.CreateMigratedAsync();
        }

        var database = await TestDatabase.CreateEmptyAsync();
        await V1Databases.BuildOrmAsync(database);
        await new Sark.V1Import.Adoption.DatabaseAdopter(database.DataSource, Sark.Data.Schema.MigrationSet.Embedded).AdoptAsync(dryRun: false);
        await new Sark.Data.Schema.MigrationRunner(database.DataSource, Sark.Data.Schema.MigrationSet.Embedded).MigrateAsync();
        return database;
    }

    /// <summary>Every v2 row the tool can write, as JSON text, for comparisons.</summary>
    public static Task<string> DumpV2Async(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.ScalarAsync<string>("""
            SELECT json_build_object(
                'resources', (SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM resources r),
                'capabilities', (SELECT coalesce(json_agg(c ORDER BY c.id), '[]') FROM capabilities c))::text
            """);
    }
}
