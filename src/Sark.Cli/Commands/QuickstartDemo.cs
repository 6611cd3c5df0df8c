using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sark.Cli.Output;
using Sark.Data.Audit;
using Sark.Data.Federation;
using Sark.Data.Registry;
using Sark.Data.Registry.Metadata;

namespace Sark.Cli.Commands;

/// <summary>
/// The quickstart's tour of the library's stores, as a SARK component uses them: HTTP and gRPC
/// resources registered next to the migrated MCP ones, a federation node trusted with a
/// certificate made here, and one cross-org request recorded in the audit trail and read back by
/// its correlation id. Each step finds what an earlier run made and changes nothing then.
/// </summary>
internal sealed class QuickstartDemo(ResourceStore registry, FederationRegistry federation, AuditLog audit, ConsoleOutput output)
{
    public const string PeerNodeId = "quickstart-peer";

    /// <summary>The demo request's correlation id: one fixed id, so a second run finds it instead of adding another.</summary>
    public const string CorrelationId = "quickstart-request-1";

    private const string LocalNodeId = "local";

    private static readonly ResourceRegistration[] Resources =
    [
        new("quickstart-http-github", "GitHub REST API", "http", "https://api.github.com",
        [
            new CapabilityRegistration("list_repositories") { Description = "List the repositories of a user", Metadata = Http("GET", "/users/{user}/repos", "repos/list-for-user") },
            new CapabilityRegistration("create_issue") { Description = "Open an issue in a repository", Metadata = Http("POST", "/repos/{owner}/{repo}/issues", "issues/create") },
            new CapabilityRegistration("delete_repository") { Description = "Delete a repository", Metadata = Http("DELETE", "/repos/{owner}/{repo}", "repos/delete") },
        ])
        {
            Sensitivity = SensitivityLevel.Medium,
            Metadata = new HttpResourceMetadata { BaseUrl = "https://api.github.com", AuthType = "bearer" }.ToJson(),
        },
        new("quickstart-grpc-payments", "Payments service", "grpc", "grpcs://payments.internal:443",
        [
            new CapabilityRegistration("acme.pay.v1.Payments/GetPayment") { Description = "Read one payment" },
            new CapabilityRegistration("acme.pay.v1.Payments/RefundPayment") { Description = "Refund a payment transaction" },
        ])
        {
            Sensitivity = SensitivityLevel.High,
            Metadata = new GrpcResourceMetadata { Host = "payments.internal", Port = 443, Tls = true }.ToJson(),
        },
    ];

    /// <summary>Registers the demo resources (capabilities without a level are classified) and prints the statistics.</summary>
    public async Task RegisterResourcesAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in Resources)
        {
            var result = await registry.UpsertAsync(resource, cancellationToken);
            output.Line(result.ChangedAnything
                ? $"registry  {resource.Id} ({resource.Protocol}): {result.Resource.ToString().ToLowerInvariant()}, {result.Added.Count} capabilities added, {result.Updated.Count} updated, {result.Removed.Count} removed"
                : $"registry  {resource.Id} ({resource.Protocol}): unchanged, {result.Unchanged.Count} capabilities");
        }

        // None of them was given a level: the classifier chose one from the words in it.
        foreach (var resource in Resources)
        {
            var levels = (await registry.ListCapabilitiesAsync(resource.Id, cancellationToken)).Select(c => $"{c.Name} {c.Sensitivity.ToText()}");
            output.Line($"registry  {resource.Id} levels chosen by the classifier: {string.Join(", ", levels)}");
        }

        var statistics = await registry.GetStatisticsAsync(cancellationToken);
        output.Table(["Protocol", "Resources", "Capabilities"],
            statistics.ByProtocol.Select(p => (IReadOnlyList<string>)[p.Protocol, Number(p.Resources), Number(p.Capabilities)]));
    }

    /// <summary>Trusts the peer node with a certificate made here, or finds it trusted already; verifies its trust anchor.</summary>
    public async Task TrustPeerAsync(CancellationToken cancellationToken)
    {
        var node = await federation.FindAsync(PeerNodeId, cancellationToken);
        if (node is null)
        {
            node = await federation.RegisterAsync(new NodeRegistration
            {
                NodeId = PeerNodeId, Name = "Quickstart peer organisation", Endpoint = "https://peer.quickstart.example",
                TrustAnchorPem = NewCertificatePem(), RateLimitPerHour = 1000,
            }, cancellationToken);
            output.Line($"federation  {PeerNodeId}: registered, trust anchor {node.CertificateSubject}, SHA-256 {node.CertificateFingerprint}");
        }
        else
        {
            output.Line($"federation  {PeerNodeId}: already registered on {node.TrustedSince.UtcDateTime:yyyy-MM-dd HH:mm} UTC, SHA-256 {node.CertificateFingerprint}");
        }

        var verification = await federation.VerifyAsync(PeerNodeId, node.TrustAnchorPem, cancellationToken);
        if (verification.Status == NodeTrustStatus.Expired)
        {
            // The certificate made by a run a year ago: a new one, as an operator would rotate it.
            await federation.RotateCertificateAsync(PeerNodeId, NewCertificatePem(), cancellationToken);
            node = (await federation.FindAsync(PeerNodeId, cancellationToken))!;
            verification = await federation.VerifyAsync(PeerNodeId, node.TrustAnchorPem, cancellationToken);
        }

        output.Line($"federation  {PeerNodeId}: its certificate verifies as {verification.Status.ToString().ToLowerInvariant()}");
    }

    /// <summary>Records the demo cross-org request (three hops) unless a run did, then reads its trace back.</summary>
    public async Task RecordCrossOrgRequestAsync(CancellationToken cancellationToken)
    {
        var trace = await audit.ByCorrelationAsync(CorrelationId, cancellationToken);
        if (trace.Count == 0 && await federation.FindAsync(PeerNodeId, cancellationToken) is { Enabled: false })
        {
            // Someone revoked the peer since an earlier run: its requests are refused, as they should be.
            output.Line($"audit  {PeerNodeId} is disabled ('sark federation enable {PeerNodeId}' trusts it again); no request recorded");
            return;
        }

        if (trace.Count == 0)
        {
            var allowance = await federation.ConsumeRequestAsync(PeerNodeId, cancellationToken);
            output.Line($"audit  {PeerNodeId} sent a request: {allowance.Used} of {allowance.Limit} this hour (resets {allowance.ResetsAt.UtcDateTime:HH:mm} UTC)");
            var capability = $"{Resources[0].Id}:list_repositories";
            var start = DateTimeOffset.UtcNow;
            AuditEvent Hop(int n, AuditEventType type, AuditSeverity severity, string? decision) => new()
            {
                EventType = type, Severity = severity, Timestamp = start.AddMilliseconds(n * 5), Decision = decision,
                UserEmail = "alice@peer.quickstart.example", PrincipalOrg = "peer-org", ResourceProtocol = "http",
                CapabilityId = capability, ToolName = "list_repositories", CorrelationId = CorrelationId,
                SourceNode = PeerNodeId, TargetNode = LocalNodeId, RequestId = $"quickstart-hop-{n}",
            };
            await audit.AppendBatchAsync(
            [
                Hop(0, AuditEventType.CrossOrgRequest, AuditSeverity.Low, null),
                Hop(1, AuditEventType.CrossOrgAuthorization, AuditSeverity.Medium, "allow"),
                Hop(2, AuditEventType.ToolInvoked, AuditSeverity.Low, null),
            ], cancellationToken);
            trace = await audit.ByCorrelationAsync(CorrelationId, cancellationToken);
        }
        else
        {
            output.Line($"audit  the request {CorrelationId} was recorded by an earlier run; reading it back");
        }

        output.Table(["Time (UTC)", "Event", "Severity", "From", "To", "Org", "Capability"],
            trace.Select(e => (IReadOnlyList<string>)
            [
                e.Timestamp!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), AuditLabels.Of(e.EventType),
                AuditLabels.Of(e.Severity), e.SourceNode ?? "", e.TargetNode ?? "", e.PrincipalOrg ?? "", e.CapabilityId ?? "",
            ]));
    }

    // A self-signed certificate for the peer, valid a year from an hour ago (clocks differ a little).
    private static string NewCertificatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={PeerNodeId}, O=Quickstart peer organisation", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(1));
        return certificate.ExportCertificatePem();
    }

    private static string Http(string method, string path, string operationId) =>
        new HttpCapabilityMetadata { Method = method, Path = path, OperationId = operationId }.ToJson();

    private static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
