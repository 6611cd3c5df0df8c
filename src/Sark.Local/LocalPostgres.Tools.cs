namespace Sark.Local;

public sealed partial class LocalPostgres
{
    /// <summary>
    /// Finds a PostgreSQL client program (such as <c>pgbench</c>) the way the server programs are
    /// found: in the bin directory of the newest installation (or <c>SARK_PG_BINDIR</c>), else on
    /// PATH. Returns null when there is none.
    /// </summary>
    /// <param name="program">The program's file name, without a directory.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public static async Task<string?> FindProgramAsync(string program, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("a program name without a directory is expected", nameof(program));
        }

        try
        {
            var binaries = await PostgresBinaries.FindAsync(cancellationToken).ConfigureAwait(false);
            var beside = Path.Combine(binaries.BinDirectory, program);
            if (File.Exists(beside))
            {
                return beside;
            }
        }
        catch (LocalPostgresException)
        {
            // No server installation: a client-only install may still have it on PATH.
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
