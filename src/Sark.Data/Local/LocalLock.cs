using Sark.Data.Errors;

namespace Sark.Data.Local;

/// <summary>
/// An exclusive lock on a file, so two sark processes never initialise or start the same cluster
/// at once. .NET takes an advisory flock for FileShare.None on Unix, which the kernel releases
/// when the process dies, so a killed process never leaves a stale lock behind. The caller has
/// made sure the folder is a sark home: the lock file is the first thing written there.
/// </summary>
internal sealed class LocalLock : IAsyncDisposable
{
    private readonly FileStream stream;

    private LocalLock(FileStream stream) => this.stream = stream;

    public static async Task<LocalLock> AcquireAsync(string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new LocalLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (IOException ex)
            {
                throw new LocalPostgresException(
                    $"another sark process has held {path} for {wait.TotalSeconds:0} s while managing the embedded PostgreSQL; wait for it to finish and try again", ex);
            }
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
