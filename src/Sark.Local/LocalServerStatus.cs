namespace Sark.Local;

/// <summary>Whether the embedded server is there and running, and how.</summary>
public enum LocalServerState
{
    /// <summary>No cluster has been initialised in the home directory yet.</summary>
    NotInitialised,
    /// <summary>Initialised, not running.</summary>
    Stopped,

    /// <summary>Runs socket-only, as this version of sark starts it.</summary>
    Running,

    /// <summary>
    /// Runs with the settings of an earlier sark: a TCP listener any local user can reach.
    /// <see cref="LocalPostgres.StartAsync"/> restarts it socket-only.
    /// </summary>
    RunningInsecure,
}

/// <summary>What <see cref="LocalPostgres.StatusAsync"/> reports.</summary>
/// <param name="State">Whether the server is there and running, and how.</param>
/// <param name="HomeDirectory">The home directory the server lives in.</param>
/// <param name="Port">The port of its socket while it runs; null otherwise.</param>
/// <param name="ProcessId">The postmaster's process id while it runs; null otherwise.</param>
/// <param name="MajorVersion">The PostgreSQL major version of the cluster once initialised; null before.</param>
/// <param name="ConnectionString">The URL to connect with while it runs socket-only; null otherwise.</param>
public sealed record LocalServerStatus(
    LocalServerState State,
    string HomeDirectory,
    int? Port,
    int? ProcessId,
    int? MajorVersion,
    string? ConnectionString);
