namespace Sark.Data.Errors;

/// <summary>Malformed input from the caller: a bad option value, connection string or version.</summary>
public sealed class UsageException(SarkMessage message, Exception? innerException = null)
    : SarkException(SarkErrorKind.Usage, message, innerException);
