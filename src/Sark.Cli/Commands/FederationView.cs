using System.Globalization;
using System.Text.Json;
using Sark.Data.Federation;

namespace Sark.Cli.Commands;

/// <summary>Renders federation nodes and verification results as tables, lines or JSON.</summary>
internal static class FederationView
{
    public static string Time(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    public static object Json(FederationNode node)
    {
        using var metadata = JsonDocument.Parse(node.Metadata);
        return new
        {
            node_id = node.NodeId,
            name = node.Name,
            endpoint = node.Endpoint,
            enabled = node.Enabled,
            trusted_since = node.TrustedSince,
            rate_limit_per_hour = node.RateLimitPerHour,
            fingerprint_sha256 = node.CertificateFingerprint,
            certificate_subject = node.CertificateSubject,
            certificate_not_before = node.CertificateNotBefore,
            certificate_not_after = node.CertificateNotAfter,
            metadata = metadata.RootElement.Clone(),
            created_at = node.CreatedAt,
            updated_at = node.UpdatedAt,
            trust_anchor_pem = node.TrustAnchorPem,
        };
    }

    public static void WriteList(CliContext context, IReadOnlyList<FederationNode> nodes)
    {
        if (context.Json)
        {
            context.Output.WriteJson(nodes.Select(Json));
            return;
        }

        if (nodes.Count == 0)
        {
            context.Output.Line("no federation nodes registered; add one with 'sark federation add'");
            return;
        }

        context.Output.Table(
            ["Node id", "Name", "Endpoint", "Enabled", "Requests/h", "Certificate until (UTC)", "SHA-256"],
            nodes.Select(n => (IReadOnlyList<string>)
            [
                n.NodeId,
                n.Name,
                n.Endpoint,
                n.Enabled ? "yes" : "no",
                n.RateLimitPerHour.ToString(CultureInfo.InvariantCulture),
                Time(n.CertificateNotAfter),
                n.CertificateFingerprint is { } fingerprint ? $"{fingerprint[..16]}..." : "(none)",
            ]));
    }

    public static void WriteNode(CliContext context, FederationNode node)
    {
        if (context.Json)
        {
            context.Output.WriteJson(Json(node));
            return;
        }

        context.Output.Table(
            ["Field", "Value"],
            [
                ["node id", node.NodeId],
                ["name", node.Name],
                ["endpoint", node.Endpoint],
                ["enabled", node.Enabled ? "yes (trusted)" : "no (trust revoked)"],
                ["trusted since (UTC)", Time(node.TrustedSince)],
                ["requests per hour", node.RateLimitPerHour.ToString(CultureInfo.InvariantCulture)],
                ["certificate", node.CertificateSubject ?? "(does not parse; rotate it)"],
                ["valid (UTC)", $"{Time(node.CertificateNotBefore)} to {Time(node.CertificateNotAfter)}"],
                ["SHA-256", node.CertificateFingerprint ?? "(none)"],
                ["metadata", node.Metadata],
            ]);
    }

    public static void WriteVerification(CliContext context, NodeVerification result)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                node_id = result.NodeId,
                trusted = result.IsTrusted,
                status = JsonNamingPolicy.SnakeCaseLower.ConvertName(result.Status.ToString()),
                presented_fingerprint = result.PresentedFingerprint,
                expected_fingerprint = result.ExpectedFingerprint,
                reason = result.Reason,
            });
            return;
        }

        context.Output.Line($"{(result.IsTrusted ? "trusted" : "NOT trusted")}: {result.Reason}");
    }
}
