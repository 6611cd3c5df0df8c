namespace Sark.Local;

/// <summary>Where the embedded cluster lives and how it runs.</summary>
public sealed record LocalPostgresOptions
{
    /// <summary>Set to move the embedded cluster's home (same as <c>--data-dir</c>).</summary>
    public const string HomeVariable = "SARK_LOCAL_DIR";

    /// <summary>The home setting in messages ("choose a shorter …"); the CLI words it as its <c>--data-dir</c>.</summary>
    public static readonly Sark.Data.Errors.HostTerm HomeDirectoryTerm = new("local.home-directory", "LocalPostgresOptions.HomeDirectory");

    /// <summary>The cluster's home: <c>data/</c> (PGDATA), <c>server.log</c> and the lock file.</summary>
    public required string HomeDirectory { get; init; }

    /// <summary>
    /// False turns fsync and synchronous commit off: right for throwaway test clusters, never for
    /// data someone keeps.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>The database the CLI works in.</summary>
    public string DatabaseName { get; init; } = "sark";

    /// <summary>How long a second process waits for another one that is starting the same cluster.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The default home: <c>--data-dir</c>, else <c>SARK_LOCAL_DIR</c>, else the user's data folder
    /// (<c>~/.local/share/sark</c>). As root it is <c>/var/lib/sark</c>, because the server runs as the
    /// <c>postgres</c> user, which cannot enter root's home.
    /// </summary>
    public static LocalPostgresOptions Resolve(string? dataDirOption)
    {
        var home = dataDirOption;
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetEnvironmentVariable(HomeVariable);
        }

        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.IsPrivilegedProcess
                ? "/var/lib/sark"
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "sark");
        }

        return new LocalPostgresOptions { HomeDirectory = Path.GetFullPath(home) };
    }
}
