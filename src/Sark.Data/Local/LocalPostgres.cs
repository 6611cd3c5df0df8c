using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Local;

/// <summary>
/// The embedded default database: a private PostgreSQL cluster under a home directory of its own,
/// initialised once, started on a free loopback port, and reused by every later call.
/// </summary>
public sealed partial class LocalPostgres(LocalPostgresOptions options)
{
    /// <summary>The cluster's superuser; trust authentication on loopback means no password.</summary>
    public const string SuperUser = "sark";

    private const string ServerSystemUser = "postgres";

    public LocalPostgresOptions Options { get; } = options;

    private string DataDirectory => Path.Combine(Options.HomeDirectory, "data");

    private string LogFile => Path.Combine(Options.HomeDirectory, "server.log");

    private string LockFile => Path.Combine(Options.HomeDirectory, "local.lock");

    // PostgreSQL refuses to run as root, so root runs it as the postgres system user.
    private static string? RunAs => Environment.IsPrivilegedProcess ? ServerSystemUser : null;

    /// <summary>Initialises (first time), starts (if stopped) and returns the running server.</summary>
    public async Task<LocalServerStatus> StartAsync(CancellationToken cancellationToken = default)
    {
        ValidateDatabaseName(Options.DatabaseName);
        await using var fileLock = await LocalLock.AcquireAsync(LockFile, Options.LockWait, cancellationToken);
        var binaries = await PostgresBinaries.FindAsync(cancellationToken);
        await PrepareHomeAsync(cancellationToken);
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitialiseAsync(binaries, cancellationToken);
        }

        var status = await ReadStatusAsync(binaries, cancellationToken);
        if (status.State != LocalServerState.Running)
        {
            await StartServerAsync(binaries, cancellationToken);
            status = await ReadStatusAsync(binaries, cancellationToken);
            if (status.State != LocalServerState.Running)
            {
                throw new LocalPostgresException($"the embedded PostgreSQL in {DataDirectory} did not stay up; see {LogFile}");
            }
        }

        await EnsureDatabaseAsync(status.Port!.Value, cancellationToken);
        return status;
    }

    /// <summary>Stops the server if it runs; returns whether it was running.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Options.HomeDirectory))
        {
            return false;
        }

        await using var fileLock = await LocalLock.AcquireAsync(LockFile, Options.LockWait, cancellationToken);
        var binaries = await PostgresBinaries.FindAsync(cancellationToken);
        var status = await ReadStatusAsync(binaries, cancellationToken);
        if (status.State != LocalServerState.Running)
        {
            return false;
        }

        var result = await ProcessRunner.RunAsync(binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], RunAs, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"pg_ctl stop failed for {DataDirectory}: {LastLine(result.Output)}");
        }

        return true;
    }

    /// <summary>Reports without starting or changing anything.</summary>
    public async Task<LocalServerStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return new LocalServerStatus(LocalServerState.NotInitialised, Options.HomeDirectory, null, null, null, null);
        }

        var binaries = await PostgresBinaries.FindAsync(cancellationToken);
        return await ReadStatusAsync(binaries, cancellationToken);
    }

    /// <summary>The connection string of a running server (URL form, no password: trust auth).</summary>
    public string ConnectionUrl(int port) => $"postgresql://{SuperUser}@127.0.0.1:{port}/{Options.DatabaseName}";

    private async Task PrepareHomeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Options.HomeDirectory);
        if (RunAs is null)
        {
            return;
        }

        // The server user must own its home (log file, data directory) and be able to reach it.
        var chown = await ProcessRunner.RunAsync("chown", [$"{ServerSystemUser}:", Options.HomeDirectory], null, cancellationToken);
        var reach = await ProcessRunner.RunAsync("test", ["-w", Options.HomeDirectory, "-a", "-x", Options.HomeDirectory], RunAs, cancellationToken);
        if (chown.ExitCode != 0 || reach.ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"the '{ServerSystemUser}' system user cannot write to {Options.HomeDirectory} (a parent directory is closed to it); choose a data directory it can reach with --data-dir or SARK_LOCAL_DIR, for example /var/lib/sark");
        }
    }

    private async Task InitialiseAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        // A failed earlier initdb leaves a partial directory; initdb refuses non-empty ones.
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        List<string> arguments = ["-D", DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C"];
        if (!Options.Durable)
        {
            arguments.Add("--no-sync");
        }

        var result = await ProcessRunner.RunAsync(binaries.InitDb, arguments, RunAs, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"initdb failed in {DataDirectory}: {LastLine(result.Output)}");
        }

        var settings = new List<string>
        {
            "",
            "# Added by sark: a private loopback-only server.",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 300",
        };
        if (!Options.Durable)
        {
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        }

        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings, cancellationToken);
    }

    private async Task StartServerAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        ProcessResult? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Another program can take the port between our probe and the bind; try another.
            var port = FreeLoopbackPort();
            last = await ProcessRunner.RunAsync(
                binaries.PgCtl,
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {port}"],
                RunAs,
                cancellationToken);
            if (last.ExitCode == 0)
            {
                return;
            }
        }

        throw new LocalPostgresException($"the embedded PostgreSQL in {DataDirectory} did not start: {LastLine(ReadLogTail() ?? last!.Output)} (log: {LogFile})");
    }

    private async Task<LocalServerStatus> ReadStatusAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var clusterVersion = int.Parse(File.ReadAllText(Path.Combine(DataDirectory, "PG_VERSION")).Trim());
        if (clusterVersion != binaries.MajorVersion)
        {
            throw new LocalPostgresException(
                $"the cluster in {DataDirectory} was made by PostgreSQL {clusterVersion}, but the server binaries found are version {binaries.MajorVersion}; set {PostgresBinaries.BinDirectoryVariable} to the version {clusterVersion} bin directory or choose another --data-dir");
        }

        var result = await ProcessRunner.RunAsync(binaries.PgCtl, ["status", "-D", DataDirectory], RunAs, cancellationToken);
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (result.ExitCode != 0 || !File.Exists(pidFile))
        {
            return new LocalServerStatus(LocalServerState.Stopped, Options.HomeDirectory, null, null, clusterVersion, null);
        }

        // postmaster.pid: line 1 is the pid, line 4 the port (PostgreSQL's documented layout).
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        var pid = int.Parse(lines[0].Trim());
        var port = int.Parse(lines[3].Trim());
        return new LocalServerStatus(LocalServerState.Running, Options.HomeDirectory, port, pid, clusterVersion, ConnectionUrl(port));
    }

    private async Task EnsureDatabaseAsync(int port, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Database = "postgres",
            Pooling = false,
            ApplicationName = "sark local",
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = Options.DatabaseName });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // The name was validated as a plain identifier, so quoting it is enough.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Options.DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void ValidateDatabaseName(string name)
    {
        if (!DatabaseNamePattern().IsMatch(name))
        {
            throw new UsageException($"database name '{name}' is not valid; expected lower-case letters, digits and underscores, starting with a letter");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string? ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return lines.LastOrDefault(l => l.Contains("FATAL", StringComparison.Ordinal) || l.Contains("ERROR", StringComparison.Ordinal))
                ?? lines.LastOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNamePattern();
}
