namespace Sark.Testing;

/// <summary>Base for test classes that need a fresh empty database for every test.</summary>
public abstract class EmptyDatabaseTest : Xunit.IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await TestDatabase.CreateEmptyAsync();

    public virtual Task DisposeAsync() => Database.DisposeAsync().AsTask();
}
