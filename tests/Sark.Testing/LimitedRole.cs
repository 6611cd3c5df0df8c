using Npgsql;

namespace Sark.Testing;

/// <summary>
/// A role without privileges of its own, and a data source whose sessions run as it (the login
/// user switches to it at session start, so no password is needed). Dropped with what it owns.
/// </summary>
public sealed class LimitedRole : IAsyncDisposable
{
    private readonly TestDatabase database;

    private LimitedRole(TestDatabase database, string name)
    {
        this.database = database;
        Name = name;
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = $"-c role={name}", Pooling = false };
        DataSource = NpgsqlDataSource.Create(builder);
    }

    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<LimitedRole> CreateAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var name = $"limited_{Guid.NewGuid():N}";
        await database.ExecuteAsync($"CREATE ROLE {name} NOLOGIN");
        return new LimitedRole(database, name);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await database.ExecuteAsync($"DROP OWNED BY {Name}; DROP ROLE {Name}");
    }
}
