using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Data.Connection;
using Sark.Local;

namespace Sark.Cli.Bench;

/// <summary>What pgbench measured for one operation, or why it could not.</summary>
internal sealed record PgbenchResult(double P50Ms, double PerSecond, long Transactions, string? Failure)
{
    public static PgbenchResult Failed(string why) => new(0, 0, 0, why);
}

/// <summary>
/// The floor: pgbench running the operation's statement (<c>-M prepared</c>, the same clients and
/// duration) against the same server and data. Its p50 comes from its per-transaction log
/// (<c>-l</c>), its throughput from its own "tps" line (pgbench 14 or later prints it so). The
/// connection, password included, is passed in libpq's environment variables, never on a command line.
/// </summary>
internal sealed partial class PgbenchFloor(string program, string version, NpgsqlConnectionStringBuilder connection)
{
    public string Version { get; } = version;

    /// <summary>What pgbench's sessions are called, so a run can end those an interrupted run left.</summary>
    public const string ApplicationName = "sark bench pgbench";

    /// <summary>
    /// pgbench, found like the server programs are; or null and why not (not installed, not
    /// runnable, older than 14, whose output this does not read).
    /// </summary>
    public static async Task<(PgbenchFloor? Floor, string? Missing)> FindAsync(NpgsqlConnectionStringBuilder connection, CancellationToken cancellationToken)
    {
        if (await LocalPostgres.FindProgramAsync("pgbench", cancellationToken) is not { } program)
        {
            return (null, "pgbench was not found (install the PostgreSQL server or client programs): no floor figures.");
        }

        int exit;
        string output;
        try
        {
            (exit, output, _) = await RunAsync(program, ["--version"], new Dictionary<string, string>(), cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (null, $"pgbench at {program} cannot be run ({ex.Message}): no floor figures.");
        }

        var version = VersionLine().Match(output);
        if (exit != 0 || !version.Success)
        {
            return (null, $"pgbench at {program} did not say its version: no floor figures.");
        }

        return int.Parse(version.Groups[1].Value, CultureInfo.InvariantCulture) < 14
            ? (null, $"{output.Trim()} is older than 14, whose output this benchmark reads: no floor figures.")
            : (new PgbenchFloor(program, output.Trim(), connection), null);
    }

    /// <summary>
    /// Ends pgbench sessions and removes pgbench folders that a killed benchmark left (it cannot end
    /// its child when it is killed itself). Called while holding the benchmark lock, so none of
    /// them belongs to a running benchmark on this database.
    /// </summary>
    public static async Task EndLeftoversAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var end = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()", connection);
        end.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ApplicationName });
        try
        {
            await end.ExecuteScalarAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Another role's sessions: they stop by themselves when their --time is up.
        }

        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pid = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (int.TryParse(pid, CultureInfo.InvariantCulture, out var owner) && !IsRunning(owner))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another user's, or in use: left alone.
                }
            }
        }
    }

    // The folder of a run is named after its process, so a later run knows when it is left over.
    private static readonly string FolderPrefix = "sark-pgbench-";

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async Task<PgbenchResult> RunAsync(BenchOperation operation, BenchDataset dataset, int clients, int seconds, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory($"{FolderPrefix}{System.Environment.ProcessId}-");
        try
        {
            var script = Path.Combine(folder.FullName, "operation.sql");
            await File.WriteAllTextAsync(script, operation.PgbenchScript!(dataset), cancellationToken);
            string[] arguments =
            [
                "--no-vacuum", "--protocol=prepared", $"--client={clients}", $"--jobs={Math.Min(clients, Environment.ProcessorCount)}",
                $"--time={seconds}", $"--file={script}", "--log", $"--log-prefix={Path.Combine(folder.FullName, "log")}",
            ];
            var (exit, output, error) = await RunAsync(program, arguments, LibpqEnvironment(), cancellationToken);
            if (exit != 0)
            {
                return PgbenchResult.Failed($"pgbench exited with {exit}: {ConnectionStrings.FirstLine(SecretMasker.Redact(error.Trim()))}");
            }

            var latencies = ReadLatencies(folder.FullName);
            if (latencies.Count == 0 || TpsLine().Match(output) is not { Success: true } tps)
            {
                return PgbenchResult.Failed("pgbench ran no transaction");
            }

            latencies.Sort();
            return new PgbenchResult(latencies[(int)Math.Ceiling(0.5 * latencies.Count) - 1], double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture), latencies.Count, null);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // One log file per thread: "client transaction latency_us script epoch_s epoch_us"; a failed or
    // skipped transaction has a word instead of the latency and is not counted.
    private static List<double> ReadLatencies(string folder)
    {
        var latencies = new List<double>();
        foreach (var file in Directory.EnumerateFiles(folder, "log.*"))
        {
            foreach (var line in File.ReadLines(file))
            {
                var fields = line.Split(' ');
                if (fields.Length > 2 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
                {
                    latencies.Add(microseconds / 1000.0);
                }
            }
        }

        return latencies;
    }

    // Everything libpq needs, as its environment variables: Npgsql's "h1:5433,h2" host list becomes
    // PGHOST=h1,h2 and PGPORT=5433,5432; a setting the connection string leaves out keeps libpq's own
    // default (or the caller's PG* variable, as Npgsql honours them too).
    private Dictionary<string, string> LibpqEnvironment()
    {
        var hosts = (connection.Host ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(SplitHost).ToList();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGAPPNAME"] = ApplicationName,
            ["PGDATABASE"] = connection.Database ?? "",
            ["PGCONNECT_TIMEOUT"] = connection.Timeout.ToString(CultureInfo.InvariantCulture),
            ["PGSSLMODE"] = connection.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            },
        };
        if (hosts.Count > 0)
        {
            environment["PGHOST"] = string.Join(',', hosts.Select(h => h.Host));
            environment["PGPORT"] = string.Join(',', hosts.Select(h => (h.Port ?? connection.Port).ToString(CultureInfo.InvariantCulture)));
        }

        AddIfSet(environment, "PGUSER", connection.Username);
        AddIfSet(environment, "PGPASSWORD", connection.Password);
        AddIfSet(environment, "PGPASSFILE", connection.Passfile);
        AddIfSet(environment, "PGSSLCERT", connection.SslCertificate);
        AddIfSet(environment, "PGSSLKEY", connection.SslKey);
        AddIfSet(environment, "PGSSLROOTCERT", connection.RootCertificate);
        AddIfSet(environment, "PGTARGETSESSIONATTRS", connection.TargetSessionAttributes);

        // The same working schema as ours: Npgsql's Search Path and Options become libpq's PGOPTIONS.
        var options = connection.Options ?? "";
        if (!string.IsNullOrEmpty(connection.SearchPath))
        {
            options += $" -c search_path={connection.SearchPath.Replace(" ", "\\ ", StringComparison.Ordinal)}";
        }

        AddIfSet(environment, "PGOPTIONS", options.Trim());
        return environment;
    }

    private static void AddIfSet(Dictionary<string, string> environment, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            environment[name] = value;
        }
    }

    // "host", "host:5433", "[::1]", "[::1]:5433"; a socket folder ("/run/x") has no port part.
    private static (string Host, int? Port) SplitHost(string entry)
    {
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            var port = close > 0 && close + 1 < entry.Length && entry[close + 1] == ':' ? entry[(close + 2)..] : null;
            return (close > 0 ? entry[1..close] : entry, int.TryParse(port, CultureInfo.InvariantCulture, out var p) ? p : null);
        }

        var colon = entry.LastIndexOf(':');
        return colon > 0 && entry.IndexOf(':', StringComparison.Ordinal) == colon && int.TryParse(entry[(colon + 1)..], CultureInfo.InvariantCulture, out var number)
            ? (entry[..colon], number)
            : (entry, null);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(
        string program, IReadOnlyList<string> arguments, Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A caller's PG* variable that points elsewhere must not win over the connection string.
        foreach (var key in RedirectingVariables.Concat(environment.Keys))
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    private static readonly string[] RedirectingVariables = ["PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE", "PGREQUIRESSL"];

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();
}
