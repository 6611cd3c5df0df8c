namespace Sark.Data.Errors;

/// <summary>Process exit codes of the sark command; docs/cli.md documents each one.</summary>
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
}
