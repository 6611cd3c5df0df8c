namespace Sark.Data.Local;

public enum LocalServerState
{
    /// <summary>No cluster has been initialised in the home directory yet.</summary>
    NotInitialised,
    Stopped,
    Running,
}

/// <summary>What <c>sark local status</c> reports.</summary>
public sealed record LocalServerStatus(
    LocalServerState State,
    string HomeDirectory,
    int? Port,
    int? ProcessId,
    int? MajorVersion,
    string? ConnectionString);
