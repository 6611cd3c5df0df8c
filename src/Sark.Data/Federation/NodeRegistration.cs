namespace Sark.Data.Federation;

/// <summary>What <see cref="FederationRegistry.RegisterAsync"/> needs to trust a peer node.</summary>
public sealed record NodeRegistration
{
    /// <summary>The peer's own identifier (unique, at most 255 characters).</summary>
    public required string NodeId { get; init; }

    /// <summary>Display name (at most 255 characters).</summary>
    public required string Name { get; init; }

    /// <summary>The peer's base URL: absolute https (http only with <see cref="AllowInsecureEndpoint"/>), at most 500 characters.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The peer's certificate: exactly one X.509 certificate in PEM form, valid now; no private key.</summary>
    public required string TrustAnchorPem { get; init; }

    /// <summary>Requests accepted from the node per UTC hour (at least 1).</summary>
    public int RateLimitPerHour { get; init; } = 10000;

    /// <summary>Free-form metadata as JSON object text; null means <c>{}</c>.</summary>
    public string? Metadata { get; init; }

    /// <summary>Accepts an http endpoint (unencrypted; for test setups only).</summary>
    public bool AllowInsecureEndpoint { get; init; }
}
