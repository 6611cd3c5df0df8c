using System.Diagnostics;
using Npgsql;
using Sark.Data.Connection;

namespace Sark.Testing;

/// <summary>
/// A database of its own for one test class (or one test): created empty or from the migrated
/// template, dropped on dispose. Names carry the creating process id so databases left by a
/// killed test run are dropped by the next one.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static int counter;
    private static readonly Lazy<Task> Sweep = new(DropAbandonedAsync);

    private TestDatabase(string name, NpgsqlConnectionStringBuilder builder)
    {
        Name = name;
        ConnectionString = builder.ConnectionString;
        DataSource = SarkDataSource.Create(builder, "sark tests");
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>URL form, for passing to the CLI's --database.</summary>
    public string Url
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>An empty database (no SARK tables).</summary>
    public static Task<TestDatabase> CreateEmptyAsync() => CreateAsync(template: null);

    /// <summary>A database with the whole product schema, copied from the migrated template.</summary>
    public static async Task<TestDatabase> CreateMigratedAsync() =>
        await CreateAsync(await TemplateDatabase.GetNameAsync());

    private static async Task<TestDatabase> CreateAsync(string? template)
    {
        await Sweep.Value;
        var admin = await TestServer.GetAdminAsync();
        var name = $"t_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}";
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            var sql = template is null ? $"CREATE DATABASE {name} TEMPLATE template0" : $"CREATE DATABASE {name} TEMPLATE {template}";
            await using var create = new NpgsqlCommand(sql, connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, Pooling = true, ApplicationName = "sark tests" };
        return new TestDatabase(name, builder);
    }

    public async Task<NpgsqlConnection> OpenAsync() => await DataSource.OpenConnectionAsync();

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task DropAbandonedAsync()
    {
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname ~ '^t_[0-9]+_[0-9]+$'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names.Where(n => !IsAlive(int.Parse(n.Split('_')[1]))))
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
