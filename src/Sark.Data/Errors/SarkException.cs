namespace Sark.Data.Errors;

/// <summary>
/// Base of every error SARK reports. The message is one line that says what happened, names the
/// offending value and gives the fix in library terms; <see cref="Kind"/> says what kind of failure
/// it is, and each host maps kinds to its own exit or status codes. <see cref="Text"/> is the same
/// message with its <see cref="HostTerm"/>s kept apart, for a host that words them its own way.
/// </summary>
public class SarkException : Exception
{
    public SarkException(SarkErrorKind kind, SarkMessage message, Exception? innerException = null)
        : base(message?.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(message);
        Kind = kind;
        Text = message;
    }

    public SarkException()
        : this("SARK operation failed")
    {
    }

    public SarkException(string message)
        : this(SarkErrorKind.Failed, message)
    {
    }

    /// <summary>An unclassified error whose message may hold host terms.</summary>
    public SarkException(SarkMessage message)
        : this(SarkErrorKind.Failed, message)
    {
    }

    public SarkException(string message, Exception innerException)
        : this(SarkErrorKind.Failed, message, innerException)
    {
    }

    public SarkErrorKind Kind { get; }

    public SarkMessage Text { get; }
}
