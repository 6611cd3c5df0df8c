using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Local;

/// <summary>Where the PostgreSQL server programs (initdb, pg_ctl, postgres) live, and their major version.</summary>
internal sealed partial record PostgresBinaries(string BinDirectory, int MajorVersion)
{
    /// <summary>Overrides the search with one directory; used when several installations exist.</summary>
    public const string BinDirectoryVariable = "SARK_PG_BINDIR";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    /// <summary>
    /// Looks in <c>SARK_PG_BINDIR</c> (only there, when set), then <c>pg_config --bindir</c>,
    /// <c>/usr/lib/postgresql/*/bin</c>, <c>/usr/local/pgsql/bin</c> and PATH, and picks the highest version.
    /// </summary>
    public static async Task<PostgresBinaries> FindAsync(CancellationToken cancellationToken = default)
    {
        var overridden = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        var candidates = string.IsNullOrWhiteSpace(overridden)
            ? await CandidateDirectoriesAsync(cancellationToken).ConfigureAwait(false)
            : [overridden];

        PostgresBinaries? best = null;
        foreach (var directory in candidates.Distinct(StringComparer.Ordinal))
        {
            var found = await ProbeAsync(directory, cancellationToken).ConfigureAwait(false);
            if (found is not null && (best is null || found.MajorVersion > best.MajorVersion))
            {
                best = found;
            }
        }

        if (best is not null)
        {
            return best;
        }

        if (string.IsNullOrWhiteSpace(overridden))
        {
            throw new LocalPostgresException(
                $"no PostgreSQL server binaries (initdb, pg_ctl) found; install them (Debian/Ubuntu: apt-get install postgresql) or {SarkTerms.UseExistingDatabase} to an existing database");
        }

        throw new LocalPostgresException(
            $"{BinDirectoryVariable}='{overridden}' holds no initdb and pg_ctl; point it at a PostgreSQL bin directory, unset it, or {SarkTerms.UseExistingDatabase} to an existing database");
    }

    private static async Task<List<string>> CandidateDirectoriesAsync(CancellationToken cancellationToken)
    {
        var directories = new List<string>();
        foreach (var pgConfig in FindOnPath("pg_config"))
        {
            try
            {
                var result = await ProcessRunner.RunAsync(pgConfig, ["--bindir"], null, cancellationToken).ConfigureAwait(false);
                if (result.ExitCode == 0)
                {
                    directories.Add(result.StandardOutput.Trim());
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // An unrunnable pg_config is just one candidate fewer.
            }
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            directories.AddRange(Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")));
        }

        directories.Add("/usr/local/pgsql/bin");
        directories.AddRange(FindOnPath("pg_ctl").Select(p => Path.GetDirectoryName(p)!));
        return directories;
    }

    private static IEnumerable<string> FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .Where(File.Exists);

    private static async Task<PostgresBinaries?> ProbeAsync(string directory, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(directory, "initdb")) || !File.Exists(Path.Combine(directory, "pg_ctl")))
        {
            return null;
        }

        var result = await ProcessRunner.RunAsync(Path.Combine(directory, "pg_ctl"), ["--version"], null, cancellationToken).ConfigureAwait(false);
        var match = VersionPattern().Match(result.StandardOutput);
        return match.Success ? new PostgresBinaries(directory, int.Parse(match.Groups[1].Value)) : null;
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
