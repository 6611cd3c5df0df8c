using System.Diagnostics;
using System.Globalization;

namespace Sark.Local;

/// <summary>
/// An exclusive lock on the home's lock file, so two sark processes never initialise or start the
/// same cluster at once. It is an advisory flock, which the kernel releases when its holder dies,
/// so a killed process never leaves a stale lock behind. The caller has verified the home.
/// </summary>
internal sealed class LocalLock : IAsyncDisposable
{
    // Exit code flock(1) gives when the wait ran out (EX_TEMPFAIL), apart from its other failures.
    private const int WaitRanOut = 75;

    private readonly FileStream? stream;
    private readonly Process? holder;

    private LocalLock(FileStream stream) => this.stream = stream;

    private LocalLock(Process holder) => this.holder = holder;

    /// <summary>
    /// Takes the lock in this process; as root, a flock(1) process running as the server user holds
    /// it instead: the home is that user's, and root opening a file there would follow any link that
    /// user put in its place, and create or open a file only root may touch.
    /// </summary>
    public static Task<LocalLock> AcquireAsync(string path, string? runAs, TimeSpan wait, CancellationToken cancellationToken) =>
        runAs is null ? AcquireHereAsync(path, wait, cancellationToken) : AcquireAsAsync(runAs, path, wait, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (holder is not null)
        {
            // The holder reads its stdin until it closes; so does the kernel when sark dies.
            holder.StandardInput.Close();
            await holder.WaitForExitAsync().ConfigureAwait(false);
            holder.Dispose();
        }
    }

    private static async Task<LocalLock> AcquireHereAsync(string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                // FileShare.None: .NET takes an exclusive flock on Unix.
                return new LocalLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new LocalPostgresException($"cannot open {path}: it is not yours; run sark as the user who owns the home, or choose another {LocalPostgresOptions.HomeDirectoryTerm}", ex);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw Busy(path, wait, ex);
            }
        }
    }

    private static async Task<LocalLock> AcquireAsAsync(string user, string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("runuser")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "-u", user, "--",
            "flock", "--exclusive", "--wait", wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture), "--conflict-exit-code", $"{WaitRanOut}", "--", path,
            "sh", "-c", "echo locked && exec cat >/dev/null",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        var process = Process.Start(start) ?? throw new LocalPostgresException("could not start runuser to lock the embedded PostgreSQL's home");
        try
        {
            if (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) == "locked")
            {
                return new LocalLock(process);
            }

            var error = await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            throw process.ExitCode == WaitRanOut
                ? Busy(path, wait, null)
                : new LocalPostgresException($"could not lock {path} as the '{user}' system user: {error.Trim()}");
        }
        catch
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            throw;
        }
    }

    private static LocalPostgresException Busy(string path, TimeSpan wait, Exception? inner) =>
        new($"another sark process has held {path} for {wait.TotalSeconds:0} s while managing the embedded PostgreSQL; wait for it to finish and try again", inner);
}
