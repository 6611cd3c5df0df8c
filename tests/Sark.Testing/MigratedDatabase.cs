namespace Sark.Testing;

/// <summary>Class fixture: one database with the whole product schema for a test class.</summary>
public sealed class MigratedDatabase : Xunit.IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await TestDatabase.CreateMigratedAsync();

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();
}
