using Npgsql;
using Sark.Data.Connection;

namespace Sark.Testing;

/// <summary>
/// A database of its own for one test class (or one test): created empty or from the migrated
/// template, dropped on dispose. Names carry this host's id and the creating process id (see
/// <see cref="TestDatabaseNames"/>) so databases left by a killed test run on this machine are
/// dropped by the next one, and other machines' databases on a shared server never are.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static int counter;
    private static readonly Lazy<Task> Sweep = new(DropAbandonedAsync);

    // The stores' pool keeps no reset between uses, so a test's own connections (which set
    // timeouts, planner switches, session locks) are sessions of their own, never pooled ones.
    private readonly NpgsqlDataSource sessions;

    private TestDatabase(string name, NpgsqlConnectionStringBuilder builder)
    {
        Name = name;
        ConnectionString = builder.ConnectionString;
        DataSource = SarkDataSource.Create(builder, "sark tests");
        sessions = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false });
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// URL form, for passing to the CLI's --database; it has no query part, so a test may append
    /// <c>?options=…</c>.
    /// </summary>
    public string Url => UrlOf(new NpgsqlConnectionStringBuilder(ConnectionString));

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
        var name = TestDatabaseNames.ForThisProcess(Interlocked.Increment(ref counter));
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

    /// <summary>
    /// A URL with everything needed to log in: the password (a server may require one) and a
    /// socket directory as host, both percent-encoded as libpq and the CLI decode them.
    /// </summary>
    public static string UrlOf(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var login = Uri.EscapeDataString(builder.Username ?? "");
        if (!string.IsNullOrEmpty(builder.Password))
        {
            login += ":" + Uri.EscapeDataString(builder.Password);
        }

        var host = builder.Host ?? "";
        host = host.StartsWith('/') ? Uri.EscapeDataString(host) : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return $"postgresql://{login}@{host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? "")}";
    }

    /// <summary>A connection of its own server session, closed with it: whatever a test sets on it stays there.</summary>
    public async Task<NpgsqlConnection> OpenAsync() => await sessions.OpenConnectionAsync();

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await sessions.DisposeAsync();
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Drops the test databases this machine made whose process is gone; run once per process.</summary>
    public static async Task DropAbandonedAsync()
    {
        var admin = await TestServer.GetAdminAsync();
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE $1", connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = TestDatabaseNames.ThisHostPattern });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names.Where(TestDatabaseNames.IsAbandonedHere))
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
