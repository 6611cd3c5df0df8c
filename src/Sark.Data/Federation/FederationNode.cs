namespace Sark.Data.Federation;

/// <summary>A trusted peer node as the registry stores it (a federation_nodes row).</summary>
public sealed record FederationNode
{
    /// <summary>The row's surrogate key.</summary>
    public required Guid Id { get; init; }

    /// <summary>The peer's own identifier.</summary>
    public required string NodeId { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>The peer's base URL.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The trust anchor certificate, PEM.</summary>
    public required string TrustAnchorPem { get; init; }

    /// <summary>SHA-256 of the certificate's DER bytes, lower-case hex; null only for a node registered before this library whose PEM did not decode.</summary>
    public required string? CertificateFingerprint { get; init; }

    /// <summary>The certificate's subject, or null when the stored PEM does not parse.</summary>
    public required string? CertificateSubject { get; init; }

    /// <summary>Start of the certificate's validity (UTC), or null when the stored PEM does not parse.</summary>
    public required DateTimeOffset? CertificateNotBefore { get; init; }

    /// <summary>End of the certificate's validity (UTC), or null when the stored PEM does not parse.</summary>
    public required DateTimeOffset? CertificateNotAfter { get; init; }

    /// <summary>False once trust was revoked (<see cref="FederationRegistry.DisableAsync"/>).</summary>
    public required bool Enabled { get; init; }

    /// <summary>When the node was registered or last enabled.</summary>
    public required DateTimeOffset TrustedSince { get; init; }

    /// <summary>Requests accepted from the node per UTC hour.</summary>
    public required int RateLimitPerHour { get; init; }

    /// <summary>Free-form metadata, JSON object text.</summary>
    public required string Metadata { get; init; }

    /// <summary>When the row was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the row last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
