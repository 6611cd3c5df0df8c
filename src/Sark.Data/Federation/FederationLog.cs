using Microsoft.Extensions.Logging;

namespace Sark.Data.Federation;

/// <summary>
/// Log events of <see cref="FederationRegistry"/>, ids 1500–1519 of Sark.Data's 1000–1999 (kept
/// here rather than in DataLog so the federation area stays in its own folder).
/// </summary>
internal static partial class FederationLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Trusted federation node {NodeId} (certificate SHA-256 {Fingerprint})")]
    public static partial void NodeTrusted(this ILogger logger, string nodeId, string fingerprint);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Revoked trust in federation node {NodeId}")]
    public static partial void NodeRevoked(this ILogger logger, string nodeId);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Rotated the certificate of federation node {NodeId}: SHA-256 {OldFingerprint} -> {NewFingerprint}")]
    public static partial void CertificateRotated(this ILogger logger, string nodeId, string? oldFingerprint, string newFingerprint);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Federation node {NodeId} presented a certificate that is not trusted: {Status}")]
    public static partial void VerificationFailed(this ILogger logger, string nodeId, NodeTrustStatus status);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Debug, Message = "Federation node {NodeId} reached its limit of {Limit} requests per hour")]
    public static partial void RequestLimitReached(this ILogger logger, string nodeId, int limit);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Information, Message = "Deleted {Rows} federation request counter row(s) older than {Cutoff}")]
    public static partial void RequestCountsCleaned(this ILogger logger, int rows, DateTimeOffset cutoff);
}
