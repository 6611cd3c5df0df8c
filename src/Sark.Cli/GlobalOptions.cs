using System.CommandLine;

namespace Sark.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    // Checked when parsed, so a malformed or blank connection string stops every command before
    // it starts anything; the parsed form is rebuilt from the same text when it is used.
    public static readonly Option<string?> Database = new Option<string?>(DatabaseSelection.Option)
    {
        Description = "PostgreSQL to use: postgresql://user:pass@host:port/db or an Npgsql keyword string (default: SARK_DATABASE_URL, else the embedded local PostgreSQL)",
        Recursive = true,
    }.CheckedBy(text =>
    {
        DatabaseSelection.Parse(text, DatabaseSelection.Option);
        return text;
    });

    public static readonly Option<string?> DataDir = new Option<string?>("--data-dir")
    {
        Description = "Home of the embedded local PostgreSQL (default: SARK_LOCAL_DIR, else ~/.local/share/sark; /var/lib/sark as root)",
        Recursive = true,
    }.CheckedBy(text => CheckedOptions.NotBlank(text, "--data-dir", "a folder for the embedded PostgreSQL, or leave the option out to use SARK_LOCAL_DIR or the default"));

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
