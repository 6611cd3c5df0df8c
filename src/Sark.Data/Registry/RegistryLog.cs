using Microsoft.Extensions.Logging;

namespace Sark.Data.Registry;

/// <summary>The registry's log messages; event ids 1101-1199 are the registry's.</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Upsert of resource {ResourceId} rolled back by SQLSTATE {SqlState} (attempt {Attempt}); retrying in {PauseMs} ms")]
    public static partial void UpsertRetried(ILogger logger, string resourceId, int attempt, string sqlState, long pauseMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Statistics were read, but folding their counter rows failed: {Reason}")]
    public static partial void CompactionFailed(ILogger logger, string reason);
}
