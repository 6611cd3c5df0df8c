namespace Sark.Data.Federation;

/// <summary>The outcome of <see cref="FederationRegistry.VerifyAsync(string, string, CancellationToken)"/>.</summary>
public enum NodeTrustStatus
{
    /// <summary>The node is enabled, the certificate is the stored one and valid now.</summary>
    Trusted,

    /// <summary>No node with this id is registered.</summary>
    UnknownNode,

    /// <summary>The node is registered but its trust was revoked (disabled).</summary>
    Revoked,

    /// <summary>The presented certificate is not the node's trust anchor (or the node has no fingerprint stored).</summary>
    FingerprintMismatch,

    /// <summary>The presented certificate is the stored one but not valid yet.</summary>
    NotYetValid,

    /// <summary>The presented certificate is the stored one but has expired.</summary>
    Expired,
}

/// <summary>Whether a presented certificate is trusted for a node, and why not.</summary>
/// <param name="NodeId">The node asked about.</param>
/// <param name="Status">The outcome; only <see cref="NodeTrustStatus.Trusted"/> means trust.</param>
/// <param name="PresentedFingerprint">SHA-256 of the presented certificate's DER, lower-case hex.</param>
/// <param name="ExpectedFingerprint">The stored fingerprint, or null for an unknown node or one without.</param>
/// <param name="Reason">One line saying why, for logs and operators.</param>
public sealed record NodeVerification(
    string NodeId, NodeTrustStatus Status, string PresentedFingerprint, string? ExpectedFingerprint, string Reason)
{
    /// <summary>Whether the certificate is trusted for the node.</summary>
    public bool IsTrusted => Status == NodeTrustStatus.Trusted;
}
