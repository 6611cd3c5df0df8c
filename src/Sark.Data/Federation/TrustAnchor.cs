using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sark.Data.Errors;

namespace Sark.Data.Federation;

/// <summary>
/// A trust anchor certificate as the registry stores it: exactly one X.509 certificate, read from
/// PEM with the platform's crypto, its DER's SHA-256 and the PEM normalised to that one block.
/// Validity is checked against an aware UTC instant throughout (the original compared a naive
/// clock with an aware one and failed on every certificate).
/// </summary>
internal sealed class TrustAnchor
{
    /// <summary>More than any certificate chain a node would present; bounds what is parsed.</summary>
    public const int MaxPemLength = 64 * 1024;

    private TrustAnchor(byte[] der, X509Certificate2 certificate)
    {
        Der = der;
        Fingerprint = FingerprintOf(der);
        Pem = PemEncoding.WriteString("CERTIFICATE", der) + "\n";
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        SerialNumber = certificate.SerialNumber;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }

    public byte[] Der { get; }

    /// <summary>SHA-256 of the DER bytes, lower-case hex (the federation_nodes column's form).</summary>
    public string Fingerprint { get; }

    /// <summary>The one CERTIFICATE block, re-encoded: no other text from the input is kept.</summary>
    public string Pem { get; }

    public string Subject { get; }

    public string Issuer { get; }

    public string SerialNumber { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public static string FingerprintOf(ReadOnlySpan<byte> der) => Convert.ToHexStringLower(SHA256.HashData(der));

    public static TrustAnchor From(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new TrustAnchor(certificate.RawData, certificate);
    }

    /// <summary>
    /// Reads <paramref name="pem"/>, which must hold exactly one CERTIFICATE block and nothing else
    /// PEM-encoded; <paramref name="what"/> names it in errors ("trust anchor of node 'x'"). No
    /// message repeats the text: it may hold key material.
    /// </summary>
    public static TrustAnchor Parse(string? pem, string what)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new UsageException($"{what} is empty; expected one X.509 certificate in PEM form (-----BEGIN CERTIFICATE-----)");
        }

        if (pem.Length > MaxPemLength)
        {
            throw new UsageException($"{what} is {pem.Length:N0} characters long; expected one PEM certificate of at most {MaxPemLength:N0}");
        }

        // Checked on the raw text first: a malformed key block is found by no PEM reader, and must
        // still never be accepted next to a certificate, nor stored.
        if (pem.Contains("PRIVATE KEY-----", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{what} holds a private key (its content is not repeated here); give only the certificate, and keep the key secret");
        }

        // Counted on the raw text too: blocks run together without a line break are a bundle all
        // the same, though no PEM reader finds them.
        var markers = CountOf(pem, "-----BEGIN CERTIFICATE-----");
        if (markers > 1)
        {
            throw TooMany(what, markers);
        }

        var certificates = new List<byte[]>();
        var remaining = pem.AsMemory();
        while (PemEncoding.TryFind(remaining.Span, out var fields))
        {
            var label = remaining.Span[fields.Label].ToString();
            if (label != "CERTIFICATE")
            {
                throw new UsageException($"{what} holds a '{label}' PEM block; expected exactly one CERTIFICATE block and nothing else");
            }

            certificates.Add(Convert.FromBase64String(remaining.Span[fields.Base64Data].ToString()));
            remaining = remaining[fields.Location.End..];
        }

        if (certificates.Count == 0)
        {
            throw new UsageException($"{what} is not a PEM certificate: no well-formed -----BEGIN CERTIFICATE----- block found");
        }

        if (certificates.Count > 1)
        {
            throw TooMany(what, certificates.Count);
        }

        var der = certificates[0];
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return new TrustAnchor(der, certificate);
        }
        catch (CryptographicException ex)
        {
            throw new UsageException($"{what} has a CERTIFICATE block that is not a valid X.509 certificate; expected a DER certificate in the block", ex);
        }
    }

    private static UsageException TooMany(string what, int count) =>
        new($"{what} holds {count} certificates; expected exactly one (the node's trust anchor), not a chain or a bundle");

    private static int CountOf(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Refuses a certificate that is not valid at <paramref name="now"/>, with its dates and now in the message.</summary>
    public void CheckValidAt(DateTimeOffset now, string what)
    {
        if (now < NotBefore)
        {
            throw new UsageException($"{what} is not valid yet: valid from {Iso(NotBefore)} to {Iso(NotAfter)}, now is {Iso(now)}; use a certificate valid now");
        }

        if (now > NotAfter)
        {
            throw new UsageException($"{what} has expired: valid from {Iso(NotBefore)} to {Iso(NotAfter)}, now is {Iso(now)}; use a certificate valid now");
        }
    }

    /// <summary>An instant as ISO 8601 UTC, to the second: 2026-01-31T12:00:00Z.</summary>
    public static string Iso(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
