using System.CommandLine;
using Npgsql;
using Sark.Cli.Commands;
using Sark.Cli.Output;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>The sark command: builds the command tree and is the one place errors are reported.</summary>
public static class SarkCli
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
            var error = parseResult.Errors.FirstOrDefault(e => parseResult.UnmatchedTokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal)))
                ?? parseResult.Errors[0];
            await stderr.WriteLineAsync(TerminalText.Escape($"sark: {SecretMasker.Redact(error.Message)} (see 'sark --help')"));
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
                await stderr.WriteLineAsync(TerminalText.EscapeLines(SecretMasker.Redact(ex.ToString())));
            }

            return code;
        }
    }

    private static (string Message, int Code) Describe(Exception ex) => ex switch
    {
        SarkException sark => (sark.Message, sark.ExitCode),
        OperationCanceledException => ("cancelled", ExitCodes.Failure),
        PostgresException pg => ($"database error: {pg.MessageText} (SQLSTATE {pg.SqlState})", ExitCodes.Failure),
        NpgsqlException { InnerException: TimeoutException } => ("the database did not answer within the command timeout; raise 'Command Timeout' in the connection string, or look for a lock holding the statement up", ExitCodes.Failure),
        NpgsqlException npgsql => ($"database connection failed: {ConnectionStrings.FirstLine(npgsql.Message)}", ExitCodes.CannotConnect),
        _ => ($"unexpected error: {ConnectionStrings.FirstLine(ex.Message)} (run with --verbose for details)", ExitCodes.Failure),
    };
}
