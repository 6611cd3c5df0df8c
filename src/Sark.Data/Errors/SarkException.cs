namespace Sark.Data.Errors;

/// <summary>
/// Base of every error SARK reports to a user. The message is one line that names the offending
/// value and what was expected; <see cref="ExitCode"/> is what the CLI exits with.
/// </summary>
public class SarkException : Exception
{
    public SarkException(string message, int exitCode = ExitCodes.Failure, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public SarkException()
        : this("SARK operation failed")
    {
    }

    public SarkException(string message)
        : this(message, ExitCodes.Failure)
    {
    }

    public SarkException(string message, Exception innerException)
        : this(message, ExitCodes.Failure, innerException)
    {
    }

    public int ExitCode { get; }
}
