namespace Sark.Data.Errors;

/// <summary>Malformed input from the user: a bad option value, connection string or version.</summary>
public sealed class UsageException(string message, Exception? innerException = null)
    : SarkException(message, ExitCodes.Usage, innerException);
