using System.Globalization;

namespace Sark.Local;

/// <summary>initdb, the access rules and pg_ctl: how the cluster is made, started and read.</summary>
public sealed partial class LocalPostgres
{
    private async Task InitialiseAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        await home.BeginInitdbAsync(cancellationToken).ConfigureAwait(false);

        // No host lines at all; pg_hba.conf is rewritten at every start anyway.
        List<string> arguments = ["-D", home.DataDirectory, "-U", SuperUser, "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--locale=C"];
        if (!Options.Durable)
        {
            arguments.Add("--no-sync");
        }

        var result = await ProcessRunner.RunAsync(binaries.InitDb, arguments, RunAs, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"initdb failed in {home.DataDirectory}: {LocalHome.LastLine(result.Output)}");
        }

        var settings = new List<string>
        {
            "",
            "# Added by sark: a private server without a TCP listener. sark passes listen_addresses,",
            "# port, unix_socket_directories, unix_socket_permissions and hba_file at every start.",
            "max_connections = 300",
        };
        if (!Options.Durable)
        {
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        }

        await home.WriteFileAsync(home.ConfigFile, string.Join('\n', settings) + "\n", append: true, cancellationToken).ConfigureAwait(false);
        await home.EndInitdbAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task StartServerAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        // Rewritten at every start: clusters of earlier sark versions trusted every TCP client.
        await home.WriteFileAsync(home.HbaFile, AccessRules(), append: false, cancellationToken).ConfigureAwait(false);

        // On the command line, these beat postgresql.conf and ALTER SYSTEM, so an older cluster's
        // listen_addresses = '127.0.0.1' cannot come back. pg_ctl passes -o through /bin/sh.
        var serverOptions = string.Join(' ',
            "-c listen_addresses=",
            $"-c port={LocalHome.Port}",
            "-c " + ShellQuote($"unix_socket_directories=\"{home.RunDirectory}\""),
            "-c unix_socket_permissions=0700",
            "-c " + ShellQuote($"hba_file={home.HbaFile}"));
        var result = await ProcessRunner.RunAsync(
            binaries.PgCtl,
            ["start", "-D", home.DataDirectory, "-l", home.LogFile, "-w", "-t", "60", "-o", serverOptions],
            RunAs,
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"the embedded PostgreSQL in {home.DataDirectory} did not start: {LocalHome.LastLine(ReadLogTail() ?? result.Output)} (log: {home.LogFile})");
        }
    }

    private string AccessRules() =>
        $"""
        # Written by sark at every start of the embedded server; edits are overwritten.
        # There is no TCP listener. The only socket is in {home.RunDirectory}, a directory of mode
        # 0700 owned by '{home.ServerUser}': only that user and root can reach it, and they may
        # connect as any role without a password.
        local all all trust

        """;

    private async Task StopServerAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(binaries.PgCtl, ["stop", "-D", home.DataDirectory, "-m", "fast", "-w", "-t", "60"], RunAs, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"pg_ctl stop failed for {home.DataDirectory}: {LocalHome.LastLine(result.Output)}");
        }
    }

    private async Task<LocalServerStatus> ReadStatusAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var versionFile = Path.Combine(home.DataDirectory, "PG_VERSION");
        if (!int.TryParse(File.ReadAllText(versionFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var clusterVersion))
        {
            throw new LocalPostgresException(
                $"{versionFile} does not hold a PostgreSQL major version (like 15): the cluster in {home.DataDirectory} is damaged; restore the file or the cluster from a backup, or choose another {LocalPostgresOptions.HomeDirectoryTerm}");
        }

        if (clusterVersion != binaries.MajorVersion)
        {
            throw new LocalPostgresException(
                $"the cluster in {home.DataDirectory} was made by PostgreSQL {clusterVersion}, but the server binaries found are version {binaries.MajorVersion}; set {PostgresBinaries.BinDirectoryVariable} to the version {clusterVersion} bin directory or choose another {LocalPostgresOptions.HomeDirectoryTerm}");
        }

        var result = await ProcessRunner.RunAsync(binaries.PgCtl, ["status", "-D", home.DataDirectory], RunAs, cancellationToken).ConfigureAwait(false);
        var pidFile = Path.Combine(home.DataDirectory, "postmaster.pid");
        if (result.ExitCode != 0 || !File.Exists(pidFile))
        {
            return new LocalServerStatus(LocalServerState.Stopped, home.Root, null, null, clusterVersion, null);
        }

        // postmaster.pid (PostgreSQL's documented layout): 1 pid, 4 port, 5 first socket
        // directory, 6 first listen address (empty without a TCP listener).
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken).ConfigureAwait(false);
        if (lines.Length < 4 || !int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(lines[3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new LocalPostgresException(
                $"{pidFile} is not a lock file PostgreSQL wrote (no process id on line 1 and port on line 4), though pg_ctl says a server runs there; see {home.LogFile}, and stop that server before using this home again");
        }

        var socketOnly = lines.Length >= 6
            && lines[4].Trim() == home.RunDirectory
            && lines[5].Trim().Length == 0
            && port == LocalHome.Port;
        return socketOnly
            ? new LocalServerStatus(LocalServerState.Running, home.Root, port, pid, clusterVersion, ConnectionUrl)
            : new LocalServerStatus(LocalServerState.RunningInsecure, home.Root, port, pid, clusterVersion, null);
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string? ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(home.LogFile);
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

}
