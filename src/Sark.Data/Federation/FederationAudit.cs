using System.Text.Json;

namespace Sark.Data.Federation;

/// <summary>
/// The details of the registry's audit events (audit_events.details): what certificate was
/// trusted, so the trail says which key a node was trusted with, not only that it was.
/// </summary>
internal static class FederationAudit
{
    public const string Trusted = "federation_node_trusted";
    public const string Revoked = "federation_node_revoked";

    // Audit rows are written with their node in one statement or transaction: the node's change
    // and its event commit together or not at all.
    public const string InsertSql = """
        INSERT INTO audit_events (id, event_type, severity, target_node, details)
        VALUES ($1, $2::auditeventtype, $3::severitylevel, $4, $5)
        """;

    public static string CertificateDetails(TrustAnchor anchor, params (string Key, object? Value)[] extra)
    {
        var details = new Dictionary<string, object?>
        {
            ["fingerprint_sha256"] = anchor.Fingerprint,
            ["subject"] = anchor.Subject,
            ["issuer"] = anchor.Issuer,
            ["serial_number"] = anchor.SerialNumber,
            ["not_before"] = TrustAnchor.Iso(anchor.NotBefore),
            ["not_after"] = TrustAnchor.Iso(anchor.NotAfter),
        };
        foreach (var (key, value) in extra)
        {
            details[key] = value;
        }

        return JsonSerializer.Serialize(details);
    }
}
