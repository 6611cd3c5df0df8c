using System.Text;
using Sark.Data.Errors;

namespace Sark.Data.Local;

/// <summary>What a home directory holds before sark touches it.</summary>
internal enum LocalHomeKind
{
    Missing,
    Empty,

    /// <summary>Holds sark's marker file: sark made (or adopted) it.</summary>
    Sark,

    /// <summary>Made by an earlier sark, before the marker file existed: a cluster with sark's settings block.</summary>
    LegacySark,

    /// <summary>Anything else: someone's folder, which sark must not write to.</summary>
    Foreign,
}

/// <summary>
/// The embedded cluster's home and the files in it, and the rules that keep sark from writing to,
/// deleting or taking over a folder it did not create.
/// </summary>
internal sealed class LocalHome(string root, string? runAs)
{
    /// <summary>The server listens on this port; with no TCP listener it only names the socket file.</summary>
    public const int Port = 5432;

    /// <summary>
    /// sun_path holds 108 bytes including the terminating NUL; PostgreSQL reports the same limit.
    /// </summary>
    public const int MaxSocketPathBytes = 107;

    private const string MarkerFileName = "sark-home";

    // Written before initdb and removed after it succeeded: its presence proves that whatever is
    // in data/ was left by a failed or killed initdb that sark started, and may be cleaned up.
    private const string InitdbMarkerFileName = "initdb.incomplete";

    // The first line of the settings block every sark version appended to postgresql.conf.
    private const string SettingsBlockStart = "# Added by sark";

    public string Root { get; } = Path.GetFullPath(root);

    public string DataDirectory => Path.Combine(Root, "data");

    public string RunDirectory => Path.Combine(Root, "run");

    public string SocketPath => Path.Combine(RunDirectory, $".s.PGSQL.{Port}");

    public string LogFile => Path.Combine(Root, "server.log");

    public string LockFile => Path.Combine(Root, "local.lock");

    public string HbaFile => Path.Combine(DataDirectory, "pg_hba.conf");

    public string ConfigFile => Path.Combine(DataDirectory, "postgresql.conf");

    public string InitdbMarker => Path.Combine(Root, InitdbMarkerFileName);

    /// <summary>The OS user the server runs as: the invoking user, or <c>postgres</c> under root.</summary>
    public string ServerUser => runAs ?? Environment.UserName;

    private string Marker => Path.Combine(Root, MarkerFileName);

    /// <summary>True when data/ holds a cluster whose initdb finished.</summary>
    public bool IsInitialised => File.Exists(Path.Combine(DataDirectory, "PG_VERSION")) && !File.Exists(InitdbMarker);

    public LocalHomeKind Classify()
    {
        if (File.Exists(Root))
        {
            return LocalHomeKind.Foreign;
        }

        if (!Directory.Exists(Root))
        {
            return LocalHomeKind.Missing;
        }

        if (File.Exists(Marker))
        {
            return LocalHomeKind.Sark;
        }

        if (IsLegacySarkCluster())
        {
            return LocalHomeKind.LegacySark;
        }

        try
        {
            return Directory.EnumerateFileSystemEntries(Root).Any() ? LocalHomeKind.Foreign : LocalHomeKind.Empty;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new LocalPostgresException($"cannot read {Root} to check that it is a sark home; choose another folder with --data-dir", ex);
        }
    }

    /// <summary>Refuses a folder that belongs to someone else; used by every command before it writes.</summary>
    public LocalHomeKind EnsureNotForeign()
    {
        var kind = Classify();
        if (kind == LocalHomeKind.Foreign)
        {
            throw new LocalPostgresException(
                $"{Root} is not empty and is not a sark home (no {MarkerFileName} file, no cluster made by sark); sark does not write to folders it did not create: choose a new or empty folder with --data-dir or {LocalPostgresOptions.HomeVariable}");
        }

        return kind;
    }

    /// <summary>Checks the path, then creates the home or checks the existing one; writes the marker file.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        CheckPath();
        var kind = EnsureNotForeign();
        var created = false;
        if (kind == LocalHomeKind.Missing)
        {
            CreatePrivateDirectory(Root);
            created = true;
            if (runAs is not null)
            {
                await ChownToServerUserAsync(Root, cancellationToken);
            }
        }

        try
        {
            await CheckServerUserOwnsAsync(Root, cancellationToken);
        }
        catch (LocalPostgresException) when (created)
        {
            // Only the empty folder just made goes again; its parents may be someone's.
            Directory.Delete(Root);
            throw;
        }

        if (kind != LocalHomeKind.Sark)
        {
            await WriteFileAsync(
                Marker,
                "This folder is the home of sark's embedded PostgreSQL. sark removes nothing outside it and only its own failed initdb inside it.\n",
                append: false,
                cancellationToken);
        }
    }

    /// <summary>
    /// Creates run/ (the socket directory) with mode 0700, owned by the server user: only that user
    /// and root can enter it, so only they can reach the socket.
    /// </summary>
    public async Task PrepareRunDirectoryAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(RunDirectory))
        {
            await CheckServerUserOwnsAsync(RunDirectory, cancellationToken);
            CreatePrivateDirectory(RunDirectory);
        }
        else
        {
            CreatePrivateDirectory(RunDirectory);
            if (runAs is not null)
            {
                await ChownToServerUserAsync(RunDirectory, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Makes data/ ready for initdb. Contents are removed only when the initdb marker proves that a
    /// sark initdb left them; any other non-empty data/ without a cluster is refused.
    /// </summary>
    public async Task BeginInitdbAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(InitdbMarker))
        {
            if (Directory.Exists(DataDirectory))
            {
                await DeleteContentsAsync(DataDirectory, cancellationToken);
            }
        }
        else if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new LocalPostgresException(
                $"{DataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION) that sark made; sark does not delete what it did not create: move its contents away or choose another --data-dir");
        }

        if (!File.Exists(InitdbMarker))
        {
            await WriteFileAsync(InitdbMarker, "sark's initdb has not finished; sark may delete data/ and run it again.\n", append: false, cancellationToken);
        }
    }

    public void EndInitdb() => File.Delete(InitdbMarker);

    private void CheckPath()
    {
        // pg_ctl hands the data directory and log file to /bin/sh inside double quotes.
        if (Root.IndexOfAny(['"', '$', '`', '\\', '\n', '\r']) >= 0)
        {
            throw new UsageException($"data directory '{Root}' contains one of \" $ ` \\ or a line break, which pg_ctl cannot pass through its shell; choose another path");
        }

        var socketBytes = Encoding.UTF8.GetByteCount(SocketPath);
        if (socketBytes > MaxSocketPathBytes)
        {
            throw new UsageException(
                $"the server's socket {SocketPath} would be {socketBytes} bytes long, over the {MaxSocketPathBytes} bytes a Unix socket path may have; choose a shorter --data-dir");
        }
    }

    private bool IsLegacySarkCluster()
    {
        try
        {
            return File.Exists(Path.Combine(DataDirectory, "PG_VERSION"))
                && File.ReadLines(ConfigFile).Any(line => line.StartsWith(SettingsBlockStart, StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task CheckServerUserOwnsAsync(string directory, CancellationToken cancellationToken)
    {
        if (runAs is not null && (await ProcessRunner.RunAsync("test", ["-x", directory], runAs, cancellationToken)).ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"the '{runAs}' system user, which runs the embedded server, cannot reach {directory} (a parent directory is closed to it); choose a data directory it can reach with --data-dir or {LocalPostgresOptions.HomeVariable}, for example /var/lib/sark");
        }

        // test -O: the file exists and is owned by the user running the test.
        if ((await ProcessRunner.RunAsync("test", ["-O", directory], runAs, cancellationToken)).ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"{directory} is not owned by '{ServerUser}', the user the embedded server runs as, and sark does not take over folders it did not create: choose a new folder with --data-dir (sark creates it), or give this one to that user yourself (chown -R {ServerUser}: {directory})");
        }
    }

    /// <summary>Creates the directory if needed and sets its mode to 0700 (also when it existed).</summary>
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new LocalPostgresException("the embedded PostgreSQL needs Linux or another Unix (a private Unix socket); on Windows set SARK_DATABASE_URL to an existing database");
        }

        // Parents get the usual mode: the server user may have to pass through them.
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(path, OwnerOnly);
        File.SetUnixFileMode(path, OwnerOnly);
    }

    private async Task ChownToServerUserAsync(string path, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("chown", [$"{runAs}:", path], null, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"could not give {path} to the '{runAs}' system user: {result.Output}");
        }
    }

    /// <summary>
    /// Writes a file in the home. Under root the home belongs to the server user, who could have put a
    /// symbolic link where the file goes; writing as that user means such a link can only lead to what
    /// that user may write anyway, never to a file only root may change.
    /// </summary>
    public async Task WriteFileAsync(string path, string content, bool append, CancellationToken cancellationToken)
    {
        if (runAs is null)
        {
            await (append ? File.AppendAllTextAsync(path, content, cancellationToken) : File.WriteAllTextAsync(path, content, cancellationToken));
            return;
        }

        var script = append ? "cat >> \"$1\"" : "cat > \"$1\"";
        var result = await ProcessRunner.RunAsync("sh", ["-c", script, "sh", path], runAs, content, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"could not write {path} as the '{runAs}' system user: {result.Output}");
        }
    }

    /// <summary>
    /// Empties a failed initdb's data/, as the server user (see <see cref="WriteFileAsync"/>): find
    /// neither follows symbolic links nor descends through them, so only the folder's own entries go.
    /// </summary>
    private async Task DeleteContentsAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("find", [directory, "-mindepth", "1", "-delete"], runAs, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"could not remove what a failed initdb left in {directory}: {result.Output}");
        }
    }
}
