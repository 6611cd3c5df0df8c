using Sark.Data.Errors;
using Sark.Local;
using Sark.Data.Schema;
using Sark.V1Import;

namespace Sark.Cli.Output;

/// <summary>
/// The CLI's words for the libraries' <see cref="HostTerm"/>s: its flags and commands where the
/// libraries name their API. Every message a library gives is rendered through this table, so the
/// fix it prints is one the user can type.
/// </summary>
internal static class CliWording
{
    private static readonly Dictionary<string, Func<HostTerm, string>> Words = new(StringComparer.Ordinal)
    {
        [SarkTerms.ConnectionSettings.Code] = _ => "--database or SARK_DATABASE_URL",
        [SarkTerms.UseExistingDatabase.Code] = _ => "set SARK_DATABASE_URL",
        [SarkTerms.TryAgain.Code] = _ => "run the command again",
        [SarkTerms.V1ImportJob.Code] = _ => "sark migrate-v1",
        [SarkTerms.CommandTimeout.Code] = _ => "'Command Timeout' in the connection string",
        [LocalPostgresOptions.HomeDirectoryTerm.Code] = _ => "--data-dir",
        [MigrationTerms.Adopt.Code] = _ => "'sark db adopt'",
        [MigrationTerms.InspectAdoption.Code] = _ => "'sark db adopt --dry-run'",
        [MigrationTerms.Migrate.Code] = _ => "'sark db migrate'",
        [MigrationTerms.Repair.Code] = _ => "'sark db repair'",
        [MigrationTerms.AllowDataLoss.Code] = _ => "--allow-data-loss",
        [MigrationTerms.LockTimeout.Code] = _ => "--lock-timeout",
        [MigrationTerms.StatementTimeout.Code] = _ => "--statement-timeout",
        [MigrationTerms.TargetVersionCode] = term => $"--to {term.Value}",
        [MigrationTerms.MigrateToCode] = term => $"'sark db migrate --to {term.Value}'",
        [MigrationTerms.RollbackToCode] = term => $"'sark db rollback --to {term.Value}'",
        [ImportTerms.Execute.Code] = _ => "'sark migrate-v1 --execute'",
        [ImportTerms.ExecuteMode.Code] = _ => "--execute",
    };

    /// <summary>The codes this table words; a test checks that no library term is missing.</summary>
    public static IEnumerable<string> Codes => Words.Keys;

    public static string Render(SarkMessage message) => message.Render(Phrase);

    /// <summary>
    /// A rolled-back row kept because it changed since it was migrated: the library says a forced
    /// rollback removes it, the CLI names its flag.
    /// </summary>
    public static RowNote KeptRow(RowNote row) =>
        row.Action == "changed" ? row with { Detail = "changed since it was migrated; --force removes it" } : row;

    private static string? Phrase(HostTerm term) => Words.TryGetValue(term.Code, out var word) ? word(term) : null;
}
