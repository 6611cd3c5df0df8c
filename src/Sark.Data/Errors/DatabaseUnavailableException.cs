namespace Sark.Data.Errors;

/// <summary>The database could not be reached, or refused the login.</summary>
public sealed class DatabaseUnavailableException(string message, Exception? innerException = null)
    : SarkException(message, ExitCodes.CannotConnect, innerException);
