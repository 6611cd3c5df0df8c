using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>
/// Process exit codes of the sark command; docs/cli.md documents each one. The libraries know
/// nothing of them: an error carries a <see cref="SarkErrorKind"/>, and <see cref="For"/> is the one
/// place a kind becomes a code. 3, 5 and 6 are returned by the commands that define them.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed (migration error, refused state, server error).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: unknown option, malformed value, bad connection string, unknown version.</summary>
    public const int Usage = 2;

    /// <summary><c>sark db status</c>: migrations are pending (the database is behind this binary).</summary>
    public const int Pending = 3;

    /// <summary>The database server could not be reached or refused the login.</summary>
    public const int CannotConnect = 4;

    /// <summary>The live schema or data differs from what it should be (verify, validate).</summary>
    public const int Drift = 5;

    /// <summary>
    /// The work finished and succeeded, but its report file (<c>--json FILE</c>) could not be
    /// written: do not run the work again, only fix the file's place.
    /// </summary>
    public const int ReportNotWritten = 6;

    /// <summary>
    /// The code an error of <paramref name="kind"/> exits with. Drift found by a check is exit 5 from
    /// its command; a <see cref="SarkErrorKind.SchemaDrift"/> error stops a command and is a failure.
    /// </summary>
    public static int For(SarkErrorKind kind) => kind switch
    {
        SarkErrorKind.Usage => Usage,
        SarkErrorKind.Unavailable => CannotConnect,
        _ => Failure,
    };
}
