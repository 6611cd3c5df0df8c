using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Schema;

namespace Sark.Testing;

/// <summary>
/// A database migrated to head once per server, migration set and month, copied for each test
/// class (CREATE DATABASE … TEMPLATE takes about 100 ms, a full migration much longer). Its name
/// (<see cref="TestDatabaseNames.Template"/>) holds a hash of the migration checksums and the
/// month, so an edited migration or a new month makes a new template.
/// </summary>
internal static class TemplateDatabase
{
    private static readonly Lazy<Task<string>> Name = new(BuildAsync);

    public static Task<string> GetNameAsync() => Name.Value;

    private static async Task<string> BuildAsync()
    {
        var migrations = MigrationSet.Embedded;
        var now = DateTime.UtcNow;
        var name = TestDatabaseNames.Template(migrations, now);
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();

        // Test assemblies run in parallel processes; one builds the template, the others wait.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('sark test template'))", connection))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        await DropOutdatedTemplatesAsync(connection, now);
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

    private static async Task DropOutdatedTemplatesAsync(NpgsqlConnection connection, DateTime utcNow)
    {
        var outdated = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'sark\\_tpl\\_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                outdated.Add(reader.GetString(0));
            }
        }

        foreach (var name in outdated.Where(n => TestDatabaseNames.IsOutdatedTemplate(n, utcNow)))
        {
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
