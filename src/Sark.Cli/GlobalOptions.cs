using System.CommandLine;

namespace Sark.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Database = new("--database")
    {
        Description = "PostgreSQL to use: postgresql://user:pass@host:port/db or an Npgsql keyword string (default: SARK_DATABASE_URL, else the embedded local PostgreSQL)",
        Recursive = true,
    };

    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Home of the embedded local PostgreSQL (default: SARK_LOCAL_DIR, else ~/.local/share/sark; /var/lib/sark as root)",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show progress details, and stack traces on errors",
        Recursive = true,
    };

    /// <summary>
    /// Not on the root: <c>sark migrate-v1</c> has its own <c>--json FILE</c>. The db, local and
    /// quickstart commands carry this one.
    /// </summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print results as JSON on stdout",
        Recursive = true,
    };
}
