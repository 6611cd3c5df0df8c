using Sark.Local;

namespace Sark.Cli.Tests;

/// <summary>A home for an embedded cluster of a test's own; stops the server and deletes it afterwards.</summary>
internal sealed class TempHome(string? path = null) : IAsyncDisposable
{
    // Under the temp folder, which the postgres system user can reach when tests run as root.
    public string Path { get; } = path ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sark-home-{Guid.NewGuid():N}");

    public LocalPostgres Local => new(new LocalPostgresOptions { HomeDirectory = Path, Durable = false });

    public async ValueTask DisposeAsync()
    {
        // Only a running cluster needs stopping; a test may leave a folder sark refuses to touch.
        if (File.Exists(System.IO.Path.Combine(Path, "data", "postmaster.pid")))
        {
            await Local.StopAsync();
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
