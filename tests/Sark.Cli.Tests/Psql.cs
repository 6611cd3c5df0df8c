using System.Diagnostics;
using Npgsql;
using Sark.Local;

namespace Sark.Cli.Tests;

/// <summary>
/// Runs a script through the real psql, as a DBA applies the output of <c>sark db script</c>: one
/// statement at a time in autocommit, so non-transactional steps (CREATE INDEX CONCURRENTLY) work.
/// </summary>
internal static class Psql
{
    public static async Task<CliResult> RunScriptAsync(string connectionString, string script)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(await FindAsync())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-" })
        {
            start.ArgumentList.Add(argument);
        }

        // libpq's variables rather than a conninfo string: nothing to quote, and the password stays off the command line.
        start.Environment["PGHOST"] = builder.Host;
        start.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = builder.Username;
        start.Environment["PGDATABASE"] = builder.Database;
        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    // psql sits beside the server programs the embedded test server uses; otherwise on PATH.
    private static async Task<string> FindAsync()
    {
        try
        {
            var beside = Path.Combine((await PostgresBinaries.FindAsync()).BinDirectory, "psql");
            if (File.Exists(beside))
            {
                return beside;
            }
        }
        catch (LocalPostgresException)
        {
            // No server programs here (an external test server): fall back to PATH.
        }

        return "psql";
    }
}
