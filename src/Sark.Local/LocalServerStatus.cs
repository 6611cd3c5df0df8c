namespace Sark.Local;

public enum LocalServerState
{
    /// <summary>No cluster has been initialised in the home directory yet.</summary>
    NotInitialised,
    Stopped,

    /// <summary>Runs socket-only, as this version of sark starts it.</summary>
    Running,

    /// <summary>
    /// Runs with the settings of an earlier sark: a TCP listener any local user can reach.
    /// <c>sark local start</c> restarts it socket-only.
    /// </summary>
    RunningInsecure,
}

/// <summary>What <c>sark local status</c> reports.</summary>
public sealed record LocalServerStatus(
    LocalServerState State,
    string HomeDirectory,
    int? Port,
    int? ProcessId,
    int? MajorVersion,
    string? ConnectionString);
