namespace Sark.Data.Errors;

/// <summary>
/// The <see cref="HostTerm"/>s of Sark.Data's connection and lock messages, in library words. The
/// schema's are in <c>MigrationTerms</c>, the embedded server's in <c>LocalPostgresOptions</c>.
/// </summary>
public static class SarkTerms
{
    /// <summary>Where the connection string was given: "check the address and credentials (…)".</summary>
    public static readonly HostTerm ConnectionSettings = new("connection.settings", "the connection string");

    /// <summary>Instead of the embedded server: "… or use a connection string to an existing database".</summary>
    public static readonly HostTerm UseExistingDatabase = new("connection.use-existing-database", "use a connection string");

    /// <summary>After a passing problem: "… was removed while sark created it; try again".</summary>
    public static readonly HostTerm TryAgain = new("retry", "try again");

    /// <summary>What holds the v1 import lock: "another v1 import job is running".</summary>
    public static readonly HostTerm V1ImportJob = new("v1import.job", "v1 import");

    /// <summary>Where a host sets how long an ordinary command may take.</summary>
    public static readonly HostTerm CommandTimeout = new("connection.command-timeout", "SarkOptions.CommandTimeout (or 'Command Timeout' in the connection string)");
}
