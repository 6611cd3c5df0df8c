using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;

namespace Sark.Testing;

/// <summary>
/// A database migrated to head once per server and migration set, copied for each test class
/// (CREATE DATABASE … TEMPLATE takes about 100 ms, a full migration much longer). Its name holds a
/// hash of the migration checksums, so editing a migration makes a new template.
/// </summary>
internal static class TemplateDatabase
{
    private static readonly Lazy<Task<string>> Name = new(BuildAsync);

    public static Task<string> GetNameAsync() => Name.Value;

    private static async Task<string> BuildAsync()
    {
        var migrations = MigrationSet.Embedded;
        var hash = MigrationChecksum.Of(string.Join(',', migrations.Migrations.Select(m => m.Checksum + m.Down.Checksum)))[..12];
        var name = $"sark_tpl_{hash}";
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();

        // Test assemblies run in parallel processes; one builds the template, the others wait.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('sark test template'))", connection))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await exists.ExecuteScalarAsync() is not null)
            {
                return name;
            }
        }

        var building = name + "_building";
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
        await ExecuteAsync(connection, $"CREATE DATABASE {building} TEMPLATE template0");
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = building, Pooling = false };
        await using (var dataSource = SarkDataSource.Create(builder, "sark test template"))
        {
            await new MigrationRunner(dataSource, migrations).MigrateAsync();
        }

        // Renamed only when complete, so a half-built template is never copied.
        await ExecuteAsync(connection, $"ALTER DATABASE {building} RENAME TO {name}");
        return name;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
