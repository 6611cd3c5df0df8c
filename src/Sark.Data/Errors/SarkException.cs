namespace Sark.Data.Errors;

/// <summary>
/// Base of every error SARK reports. The message is one line that says what happened, names the
/// offending value and gives the fix in library terms; <see cref="Kind"/> says what kind of failure
/// it is, and each host maps kinds to its own exit or status codes. <see cref="Text"/> is the same
/// message with its <see cref="HostTerm"/>s kept apart, for a host that words them its own way.
/// </summary>
public class SarkException : Exception
{
    /// <summary>
    /// An error of <paramref name="kind"/>; <paramref name="message"/> becomes both
    /// <see cref="Exception.Message"/> (the library's wording) and <see cref="Text"/>.
    /// </summary>
    public SarkException(SarkErrorKind kind, SarkMessage message, Exception? innerException = null)
        : base(message?.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(message);
        Kind = kind;
        Text = message;
    }

    /// <summary>An unclassified error with a generic message; prefer a constructor that says what happened.</summary>
    public SarkException()
        : this("SARK operation failed")
    {
    }

    /// <summary>An unclassified error (<see cref="SarkErrorKind.Failed"/>).</summary>
    public SarkException(string message)
        : this(SarkErrorKind.Failed, message)
    {
    }

    /// <summary>An unclassified error whose message may hold host terms.</summary>
    public SarkException(SarkMessage message)
        : this(SarkErrorKind.Failed, message)
    {
    }

    /// <summary>An unclassified error caused by <paramref name="innerException"/>.</summary>
    public SarkException(string message, Exception innerException)
        : this(SarkErrorKind.Failed, message, innerException)
    {
    }

    /// <summary>What kind of failure this is; hosts map it to their exit or status codes.</summary>
    public SarkErrorKind Kind { get; }

    /// <summary>The message with its host terms kept apart, for a host that words them its own way.</summary>
    public SarkMessage Text { get; }
}
