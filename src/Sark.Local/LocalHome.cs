using Sark.Data.Errors;

namespace Sark.Local;

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

    /// <summary>A file (or anything but a folder) where the home should be.</summary>
    NotAFolder,
}

/// <summary>
/// The embedded cluster's home and the files in it, and the rules that keep sark from writing to,
/// deleting or taking over a folder it did not create.
/// </summary>
internal sealed partial class LocalHome
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

    private const string MarkerText = "This folder is the home of sark's embedded PostgreSQL. sark removes nothing outside it and only its own failed initdb inside it.\n";

    private readonly string? runAs;

    // Every existing entry met on the way to the home; see LocalHome.Trust.cs.
    private readonly List<string> pathEntries;

    public LocalHome(string root, string? runAs)
    {
        this.runAs = runAs;
        (Root, pathEntries) = ResolveLinks(root);
    }

    /// <summary>The home's real path: links in the given path are resolved once, and checked.</summary>
    public string Root { get; }

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
        if (Path.Exists(Root) && !Directory.Exists(Root))
        {
            return LocalHomeKind.NotAFolder;
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
            // The marker is the first entry sark puts into a home: if entries showed up since the
            // check above, a concurrent sark may just have marked an empty folder; look again.
            var hasEntries = Directory.EnumerateFileSystemEntries(Root).Any();
            return !hasEntries ? LocalHomeKind.Empty : File.Exists(Marker) ? LocalHomeKind.Sark : LocalHomeKind.Foreign;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new LocalPostgresException($"cannot read {Root} to check that it is a sark home; choose another folder with {LocalPostgresOptions.HomeDirectoryTerm}", ex);
        }
    }

    /// <summary>
    /// What every command does before it reads or writes anything in the home: the path is usable,
    /// no other user controls the way to it, it is new, empty or sark's, and (when it exists) it and
    /// its socket folder belong to the server user.
    /// </summary>
    public async Task<LocalHomeKind> VerifyAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new LocalPostgresException($"the embedded PostgreSQL needs Linux or another Unix (a private Unix socket); on Windows {SarkTerms.UseExistingDatabase} to an existing database");
        }

        CheckPathCharacters(Root, SocketPath);
        await CheckNoOtherUserControlsThePathAsync(cancellationToken).ConfigureAwait(false);
        var kind = Classify();
        switch (kind)
        {
            case LocalHomeKind.NotAFolder:
                throw new LocalPostgresException($"{Root} is a file, not a folder; the embedded PostgreSQL needs a folder of its own: choose a new or empty folder with {LocalPostgresOptions.HomeDirectoryTerm} or {LocalPostgresOptions.HomeVariable}");
            case LocalHomeKind.Foreign:
                throw new LocalPostgresException(
                    $"{Root} is not empty and is not a sark home (no {MarkerFileName} file, no cluster made by sark); sark does not write to folders it did not create: choose a new or empty folder with {LocalPostgresOptions.HomeDirectoryTerm} or {LocalPostgresOptions.HomeVariable}");
            case LocalHomeKind.Missing:
                return kind;
        }

        await CheckServerUserOwnsAsync(Root, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(RunDirectory))
        {
            await CheckServerUserOwnsAsync(RunDirectory, cancellationToken).ConfigureAwait(false);
        }

        return kind;
    }

    /// <summary>Verifies the home and creates it if needed; marks it as sark's.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var kind = await VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (kind == LocalHomeKind.Missing)
        {
            if (await TryCreateAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Another sark (or someone) made it first: check it like any existing home.
            kind = await VerifyAsync(cancellationToken).ConfigureAwait(false);
        }

        if (kind is LocalHomeKind.Empty or LocalHomeKind.LegacySark)
        {
            await WriteFileAsync(Marker, MarkerText, append: false, cancellationToken).ConfigureAwait(false);
        }
        else if (kind == LocalHomeKind.Missing)
        {
            throw new LocalPostgresException($"{Root} was removed while sark created it; {SarkTerms.TryAgain}");
        }
    }

    /// <summary>
    /// Creates run/ (the socket directory) with mode 0700, as the server user: only that user and
    /// root can enter it, so only they can reach the socket. The caller holds the lock and has
    /// checked that an existing run/ belongs to the server user.
    /// </summary>
    public async Task PrepareRunDirectoryAsync(CancellationToken cancellationToken)
    {
        var (program, verb) = Directory.Exists(RunDirectory) ? ("chmod", "protect") : ("mkdir", "create");
        string[] arguments = program == "chmod" ? ["0700", "--", RunDirectory] : ["-m", "0700", "--", RunDirectory];
        await MustAsync(ProcessRunner.RunAsync(program, arguments, runAs, cancellationToken), $"could not {verb} {RunDirectory} as '{ServerUser}'").ConfigureAwait(false);
    }

    /// <summary>
    /// Makes data/ ready for initdb. Contents are removed only when the initdb marker proves that a
    /// sark initdb left them, and no process still works on them; any other non-empty data/ without
    /// a cluster is refused.
    /// </summary>
    public async Task BeginInitdbAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(InitdbMarker))
        {
            if (DataDirectoryUsers.Find(DataDirectory) is { } user)
            {
                throw new LocalPostgresException(
                    $"{user} still works on {DataDirectory}: an earlier sark was stopped while it made the cluster; wait for it to end (or kill it) and {SarkTerms.TryAgain}");
            }

            if (Directory.Exists(DataDirectory))
            {
                await DeleteContentsAsync(DataDirectory, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new LocalPostgresException(
                $"{DataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION) that sark made; sark does not delete what it did not create: move its contents away or choose another {LocalPostgresOptions.HomeDirectoryTerm}");
        }

        if (!File.Exists(InitdbMarker))
        {
            await WriteFileAsync(InitdbMarker, "sark's initdb has not finished; sark may delete data/ and run it again.\n", append: false, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task EndInitdbAsync(CancellationToken cancellationToken) =>
        MustAsync(ProcessRunner.RunAsync("rm", ["-f", "--", InitdbMarker], runAs, cancellationToken), $"could not remove {InitdbMarker}");

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
        if (runAs is not null && (await ProcessRunner.RunAsync("test", ["-x", directory], runAs, cancellationToken).ConfigureAwait(false)).ExitCode != 0)
        {
            throw UnreachableBy(runAs, directory);
        }

        // test -O: the file exists and is owned by the user running the test.
        if ((await ProcessRunner.RunAsync("test", ["-O", directory], runAs, cancellationToken).ConfigureAwait(false)).ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"{directory} is not owned by '{ServerUser}', the user the embedded server runs as, and sark does not take over folders it did not create: choose a new folder with {LocalPostgresOptions.HomeDirectoryTerm} (sark creates it), or give this one to that user yourself (chown -R {ServerUser}: {directory})");
        }
    }

    private static LocalPostgresException UnreachableBy(string user, string directory) =>
        new($"the '{user}' system user, which runs the embedded server, cannot reach {directory} (a parent directory is closed to it); choose a data directory it can reach with {LocalPostgresOptions.HomeDirectoryTerm} or {LocalPostgresOptions.HomeVariable}, for example /var/lib/sark");
}
