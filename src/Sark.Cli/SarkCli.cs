using System.CommandLine;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Cli.Commands;
using Sark.Cli.Output;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>The sark command: builds the command tree and is the one place errors are reported.</summary>
public static partial class SarkCli
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("SARK data platform: schema migrations, the embedded PostgreSQL and data tools")
        {
            GlobalOptions.Database,
            GlobalOptions.DataDir,
            GlobalOptions.Verbose,
        };
        root.Subcommands.Add(DbCommand.Build());
        root.Subcommands.Add(LocalCommand.Build());
        root.Subcommands.Add(QuickstartCommand.Build());
        root.Subcommands.Add(MigrateV1Command.Build());
        root.Subcommands.Add(V1SampleCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        foreach (var registry in RegistryCommand.Build())
        {
            root.Subcommands.Add(registry);
        }

        root.Subcommands.Add(FederationCommand.Build());
        root.Subcommands.Add(BudgetCommand.Build());
        root.Subcommands.Add(CostCommand.Build());
        root.Subcommands.Add(ReservationCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        root.Subcommands.Add(MaintainCommand.Build());
        return root;
    }

    /// <summary>Runs one command line; returns the process exit code (see docs/cli.md).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var parseResult = BuildRootCommand().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // An unknown word is the more useful message than "required command was not provided".
            var stray = parseResult.UnmatchedTokens.FirstOrDefault(t => parseResult.Errors.Any(e => e.Message.Contains(t, StringComparison.Ordinal)));
            var message = stray is null ? parseResult.Errors[0].Message
                : LooksLikeConnectionText(stray) ? StrayArgument(stray)
                : parseResult.Errors.First(e => e.Message.Contains(stray, StringComparison.Ordinal)).Message;
            await stderr.WriteLineAsync(TerminalText.Escape($"sark: {SecretMasker.Redact(message)} (see 'sark --help')"));
            return ExitCodes.Usage;
        }

        var verbose = parseResult.GetValue(GlobalOptions.Verbose);
        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = stdout, Error = stderr },
                cancellationToken);
        }
        catch (Exception ex)
        {
            var (message, code) = Describe(ex);
            // Messages can quote database values: escaped like every other human-readable line.
            await stderr.WriteLineAsync(TerminalText.Escape($"sark: {SecretMasker.Redact(message)}"));
            if (verbose)
            {
                await stderr.WriteLineAsync(TerminalText.EscapeLines(SecretMasker.Redact(Trace(ex))));
            }

            return code;
        }
    }

    // A stray argument is not repeated when it may be a connection string: the masking patterns
    // cannot know where a password ends in text that failed to parse ("postgresql://u:two words@h").
    private static bool LooksLikeConnectionText(string token) =>
        token.Contains("://", StringComparison.Ordinal) || token.Contains('=', StringComparison.Ordinal);

    private static string StrayArgument(string token)
    {
        // "--databse=…": the option's name is worth showing, its value is not.
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        var name = equals > 0 ? token[..equals] : "";
        return OptionName().IsMatch(name)
            ? $"unknown option '{name}' (its value is not repeated)"
            : "an argument looks like a connection string (not repeated here: it may hold a password); give it with --database, or set SARK_DATABASE_URL";
    }

    [GeneratedRegex("^--?[A-Za-z][A-Za-z0-9-]*$")]
    private static partial Regex OptionName();

    /// <summary>
    /// The one place an error becomes a line and an exit code: a library error in the CLI's words
    /// (<see cref="CliWording"/>) with the code of its kind (<see cref="ExitCodes.For"/>); a database
    /// error no library caught is translated by SQLSTATE first.
    /// </summary>
    private static (string Message, int Code) Describe(Exception ex) => ex switch
    {
        // A database error no library handled (translated by SQLSTATE there, or below): the server's words.
        DatabaseException { SqlState: not null } database => ($"database error: {CliWording.Render(database.Text)}", ExitCodes.For(database.Kind)),
        SarkException sark => (CliWording.Render(sark.Text), ExitCodes.For(sark.Kind)),
        OperationCanceledException => ("cancelled", ExitCodes.Failure),
        NpgsqlException npgsql => Describe(PostgresErrors.Translate(npgsql)),
        _ => ($"unexpected error: {ConnectionStrings.FirstLine(ex.Message)} (run with --verbose for details)", ExitCodes.Failure),
    };

    // The trace opens with the exception's message in the library's words; the CLI shows its own.
    private static string Trace(Exception ex)
    {
        var trace = ex.ToString();
        var head = $"{ex.GetType()}: {ex.Message}";
        return ex is SarkException sark && trace.StartsWith(head, StringComparison.Ordinal)
            ? $"{ex.GetType()}: {CliWording.Render(sark.Text)}{trace[head.Length..]}"
            : trace;
    }
}
