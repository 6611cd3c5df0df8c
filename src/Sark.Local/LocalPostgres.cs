using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Local;

/// <summary>
/// The embedded default database: a private PostgreSQL cluster under a home directory of its own,
/// initialised once, started on demand and reused by every later call. It has no TCP listener: it
/// listens only on a Unix socket in <c>home/run</c>, a directory only the server's OS user (and
/// root) can enter, so no other local account can connect.
/// </summary>
public sealed partial class LocalPostgres(LocalPostgresOptions options)
{
    /// <summary>The cluster's superuser; trust on the private socket means no password.</summary>
    public const string SuperUser = "sark";

    private const string ServerSystemUser = "postgres";

    private readonly LocalHome home = new(options.HomeDirectory, RunAs);

    /// <summary>The home directory, database name, durability and lock wait this server was created with.</summary>
    public LocalPostgresOptions Options { get; } = options;

    /// <summary>
    /// The connection string of the server, for psql and Npgsql alike: the host is the socket
    /// directory (a query parameter, since a path cannot stand in a URL's host part), the port names
    /// the socket file and overrides a PGPORT the user may have set.
    /// </summary>
    public string ConnectionUrl => $"postgresql://{SuperUser}@:{LocalHome.Port}/{Options.DatabaseName}?host={EncodePath(home.RunDirectory)}";

    // PostgreSQL refuses to run as root, so root runs it as the postgres system user.
    internal static string? RunAs => Environment.IsPrivilegedProcess ? ServerSystemUser : null;

    /// <summary>Initialises (first time), starts (if stopped) and returns the running server.</summary>
    public Task<LocalServerStatus> StartAsync(CancellationToken cancellationToken = default) =>
        WithinHomeAsync(async () =>
        {
            ValidateDatabaseName(Options.DatabaseName);
            var binaries = await PostgresBinaries.FindAsync(cancellationToken).ConfigureAwait(false);
            await home.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var fileLock = await LocalLock.AcquireAsync(home.LockFile, RunAs, Options.LockWait, cancellationToken).ConfigureAwait(false);
            await using var fileLockDisposal = fileLock.ConfigureAwait(false);
            await home.PrepareRunDirectoryAsync(cancellationToken).ConfigureAwait(false);
            if (!home.IsInitialised)
            {
                await InitialiseAsync(binaries, cancellationToken).ConfigureAwait(false);
            }

            var status = await ReadStatusAsync(binaries, cancellationToken).ConfigureAwait(false);
            if (status.State == LocalServerState.RunningInsecure)
            {
                // Started by an earlier sark with a TCP listener any local user could reach.
                await StopServerAsync(binaries, cancellationToken).ConfigureAwait(false);
                status = await ReadStatusAsync(binaries, cancellationToken).ConfigureAwait(false);
            }

            if (status.State != LocalServerState.Running)
            {
                await StartServerAsync(binaries, cancellationToken).ConfigureAwait(false);
                status = await ReadStatusAsync(binaries, cancellationToken).ConfigureAwait(false);
                if (status.State != LocalServerState.Running)
                {
                    throw new LocalPostgresException($"the embedded PostgreSQL in {home.DataDirectory} did not stay up socket-only; see {home.LogFile}");
                }
            }

            await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
            return status;
        });

    /// <summary>Stops the server if it runs; returns whether it was running.</summary>
    public Task<bool> StopAsync(CancellationToken cancellationToken = default) =>
        WithinHomeAsync(async () =>
        {
            if (await home.VerifyAsync(cancellationToken).ConfigureAwait(false) is LocalHomeKind.Missing or LocalHomeKind.Empty || !home.IsInitialised)
            {
                return false;
            }

            var fileLock = await LocalLock.AcquireAsync(home.LockFile, RunAs, Options.LockWait, cancellationToken).ConfigureAwait(false);
            await using var fileLockDisposal = fileLock.ConfigureAwait(false);
            var binaries = await PostgresBinaries.FindAsync(cancellationToken).ConfigureAwait(false);
            var status = await ReadStatusAsync(binaries, cancellationToken).ConfigureAwait(false);
            if (status.State is not (LocalServerState.Running or LocalServerState.RunningInsecure))
            {
                return false;
            }

            await StopServerAsync(binaries, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Reports without starting or changing anything.</summary>
    public Task<LocalServerStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        WithinHomeAsync(async () =>
        {
            if (await home.VerifyAsync(cancellationToken).ConfigureAwait(false) is LocalHomeKind.Missing or LocalHomeKind.Empty || !home.IsInitialised)
            {
                return new LocalServerStatus(LocalServerState.NotInitialised, home.Root, null, null, null, null);
            }

            var binaries = await PostgresBinaries.FindAsync(cancellationToken).ConfigureAwait(false);
            return await ReadStatusAsync(binaries, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// Runs one command's work in the home. A file vanishing or turning unreadable under sark (another
    /// process changing the home) becomes one line naming the home, not an unexpected error.
    /// </summary>
    private async Task<T> WithinHomeAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LocalPostgresException($"the embedded PostgreSQL's home {home.Root} changed or could not be read while sark worked in it ({ex.Message}); {SarkTerms.TryAgain} once nothing else uses it", ex);
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = home.RunDirectory,
            Port = LocalHome.Port,
            Username = SuperUser,
            Database = "postgres",
            Pooling = false,
            ApplicationName = "sark local",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = Options.DatabaseName });
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            // The name was validated as a plain identifier, so quoting it is enough.
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{Options.DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void ValidateDatabaseName(string name)
    {
        if (!DatabaseNamePattern().IsMatch(name))
        {
            throw new UsageException($"database name '{name}' is not valid; expected lower-case letters, digits and underscores, starting with a letter");
        }
    }

    // Percent-encodes what a URL query value cannot hold; '/' stays readable (RFC 3986 allows it there).
    private static string EncodePath(string path)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(path))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~')
            {
                text.Append(c);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2"));
            }
        }

        return text.ToString();
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNamePattern();
}
