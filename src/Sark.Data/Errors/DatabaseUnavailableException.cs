namespace Sark.Data.Errors;

/// <summary>The database could not be reached, or refused the login.</summary>
public sealed class DatabaseUnavailableException(SarkMessage message, Exception? innerException = null)
    : SarkException(SarkErrorKind.Unavailable, message, innerException);
