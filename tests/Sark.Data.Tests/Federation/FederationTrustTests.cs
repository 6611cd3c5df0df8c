using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Federation;
using Sark.Testing;

namespace Sark.Data.Tests.Federation;

public sealed class FederationTrustTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly FederationRegistry registry = new(fixture.Database.DataSource);

    private async Task<string> RegisterAsync(string nodeId, string pem)
    {
        await registry.RegisterAsync(new NodeRegistration { NodeId = nodeId, Name = nodeId, Endpoint = "https://peer.example.org", TrustAnchorPem = pem });
        return pem;
    }

    [Fact]
    public async Task The_registered_certificate_verifies_and_another_one_is_a_mismatch_not_an_exception()
    {
        using var certificate = TestCertificates.Valid();
        await RegisterAsync("verify-node", certificate.ExportCertificatePem());

        var trusted = await registry.VerifyAsync("verify-node", certificate);
        var fromPem = await registry.VerifyAsync("verify-node", certificate.ExportCertificatePem());
        var other = await registry.VerifyAsync("verify-node", TestCertificates.ValidPem("impostor"));
        var unknown = await registry.VerifyAsync("nobody", certificate);

        Assert.Equal(NodeTrustStatus.Trusted, trusted.Status);
        Assert.True(fromPem.IsTrusted);
        Assert.Equal(TestCertificates.Fingerprint(certificate), trusted.PresentedFingerprint);
        Assert.Equal(NodeTrustStatus.FingerprintMismatch, other.Status);
        Assert.Equal(TestCertificates.Fingerprint(certificate), other.ExpectedFingerprint);
        Assert.Equal(NodeTrustStatus.UnknownNode, unknown.Status);
        Assert.Null(unknown.ExpectedFingerprint);
    }

    [Fact]
    public async Task The_stored_certificate_is_expired_or_not_yet_valid_when_the_clock_says_so()
    {
        using var certificate = TestCertificates.Valid();
        await RegisterAsync("clock-node", certificate.ExportCertificatePem());

        var later = new FederationRegistry(fixture.Database.DataSource, timeProvider: new ManualClock(DateTimeOffset.UtcNow.AddYears(2)));
        var earlier = new FederationRegistry(fixture.Database.DataSource, timeProvider: new ManualClock(DateTimeOffset.UtcNow.AddDays(-2)));

        var expired = await later.VerifyAsync("clock-node", certificate);
        Assert.Equal(NodeTrustStatus.Expired, expired.Status);
        Assert.StartsWith("the certificate of node 'clock-node' expired at ", expired.Reason);
        Assert.Equal(NodeTrustStatus.NotYetValid, (await earlier.VerifyAsync("clock-node", certificate)).Status);
    }

    [Fact]
    public async Task Disable_revokes_with_one_event_and_enable_trusts_again_with_another()
    {
        using var certificate = TestCertificates.Valid();
        await RegisterAsync("toggle-node", certificate.ExportCertificatePem());

        Assert.True(await registry.DisableAsync("toggle-node", "key compromised"));
        Assert.False(await registry.DisableAsync("toggle-node"));
        Assert.Equal(NodeTrustStatus.Revoked, (await registry.VerifyAsync("toggle-node", certificate)).Status);
        Assert.False((await registry.FindAsync("toggle-node"))!.Enabled);
        Assert.Equal(1, await FederationDatabase.EventsAsync(fixture.Database.DataSource, "toggle-node", "federation_node_revoked"));
        var details = await fixture.Database.ScalarAsync<string>(
            "SELECT details::text FROM audit_events WHERE target_node = 'toggle-node' AND event_type = 'federation_node_revoked'");
        Assert.Equal("key compromised", JsonDocument.Parse(details).RootElement.GetProperty("reason").GetString());

        Assert.True(await registry.EnableAsync("toggle-node"));
        Assert.False(await registry.EnableAsync("toggle-node"));
        Assert.True((await registry.VerifyAsync("toggle-node", certificate)).IsTrusted);
        Assert.Equal(2, await FederationDatabase.EventsAsync(fixture.Database.DataSource, "toggle-node", "federation_node_trusted"));
    }

    [Fact]
    public async Task A_node_whose_certificate_expired_is_not_enabled_again_until_rotated()
    {
        await RegisterAsync("stale-node", TestCertificates.ValidPem());
        await registry.DisableAsync("stale-node");
        var later = new FederationRegistry(fixture.Database.DataSource, timeProvider: new ManualClock(DateTimeOffset.UtcNow.AddYears(2)));

        var error = await Assert.ThrowsAsync<SarkException>(() => later.EnableAsync("stale-node"));

        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.StartsWith("cannot enable federation node 'stale-node': trust anchor certificate of node 'stale-node' has expired", error.Message);
        Assert.EndsWith("rotate its certificate first", error.Message);
        Assert.False((await registry.FindAsync("stale-node"))!.Enabled);
    }

    [Fact]
    public async Task Rotation_replaces_the_fingerprint_and_records_the_previous_one()
    {
        using var first = TestCertificates.Valid("first");
        using var second = TestCertificates.Valid("second");
        await RegisterAsync("rotate-node", first.ExportCertificatePem());

        Assert.True(await registry.RotateCertificateAsync("rotate-node", second.ExportCertificatePem()));
        Assert.False(await registry.RotateCertificateAsync("rotate-node", second.ExportCertificatePem()));

        Assert.Equal(NodeTrustStatus.FingerprintMismatch, (await registry.VerifyAsync("rotate-node", first)).Status);
        Assert.True((await registry.VerifyAsync("rotate-node", second)).IsTrusted);
        Assert.Equal("CN=second", (await registry.FindAsync("rotate-node"))!.CertificateSubject);
        var rotatedFrom = await fixture.Database.ScalarAsync<string>(
            "SELECT details->>'rotated_from' FROM audit_events WHERE target_node = 'rotate-node' AND details ? 'rotated_from'");
        Assert.Equal(TestCertificates.Fingerprint(first), rotatedFrom);

        var expired = TestCertificates.Create("expired", DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(-1)).ExportCertificatePem();
        await Assert.ThrowsAsync<UsageException>(() => registry.RotateCertificateAsync("rotate-node", expired));
    }

    [Fact]
    public async Task An_unknown_node_is_not_found_for_every_change()
    {
        var pem = TestCertificates.ValidPem();
        foreach (var change in new Func<Task>[]
                 {
                     () => registry.DisableAsync("ghost"), () => registry.EnableAsync("ghost"),
                     () => registry.RotateCertificateAsync("ghost", pem), () => registry.ConsumeRequestAsync("ghost"),
                 })
        {
            var error = await Assert.ThrowsAsync<SarkException>(change);
            Assert.Equal(SarkErrorKind.NotFound, error.Kind);
            Assert.Equal("federation node 'ghost' is not registered", error.Message);
        }

        Assert.Null(await registry.FindAsync("ghost"));
    }

    [Fact]
    public async Task Listing_pages_through_nodes_in_node_id_order_and_filters_enabled_ones()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var own = new FederationRegistry(database.DataSource);
        foreach (var id in new[] { "list-c", "list-a", "list-e", "list-b", "list-d" })
        {
            await own.RegisterAsync(new NodeRegistration { NodeId = id, Name = id, Endpoint = "https://peer.example.org", TrustAnchorPem = TestCertificates.ValidPem(id) });
        }

        await own.DisableAsync("list-b");

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await own.ListAsync(limit: 2, cursor: cursor);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(n => n.NodeId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(["list-a", "list-b", "list-c", "list-d", "list-e"], seen);
        var enabled = await own.ListAsync(enabledOnly: true, limit: 10);
        Assert.Equal(["list-a", "list-c", "list-d", "list-e"], enabled.Items.Select(n => n.NodeId));
        Assert.Null(enabled.NextCursor);

        var first = await own.ListAsync(limit: 2);
        var error = await Assert.ThrowsAsync<UsageException>(() => own.ListAsync(enabledOnly: true, limit: 2, cursor: first.NextCursor));
        Assert.Contains("belongs to another listing or other filters", error.Message);
    }

    [Fact]
    public async Task A_certificate_anchors_one_node_only_whether_registered_or_rotated_to()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var own = new FederationRegistry(database.DataSource);
        var shared = TestCertificates.ValidPem("shared");
        await own.RegisterAsync(new NodeRegistration { NodeId = "first", Name = "first", Endpoint = "https://first.example.org", TrustAnchorPem = shared });
        await own.RegisterAsync(new NodeRegistration { NodeId = "second", Name = "second", Endpoint = "https://second.example.org", TrustAnchorPem = TestCertificates.ValidPem("second") });

        var twin = await Assert.ThrowsAsync<SarkException>(() => own.RegisterAsync(
            new NodeRegistration { NodeId = "twin", Name = "twin", Endpoint = "https://twin.example.org", TrustAnchorPem = shared }));
        Assert.Equal(SarkErrorKind.Conflict, twin.Kind);
        Assert.Contains("is already the trust anchor of another node", twin.Message);
        Assert.Null(await own.FindAsync("twin"));

        var rotated = await Assert.ThrowsAsync<SarkException>(() => own.RotateCertificateAsync("second", shared));
        Assert.Equal(SarkErrorKind.Conflict, rotated.Kind);
        Assert.False((await own.VerifyAsync("second", shared)).IsTrusted);
        Assert.Equal(0L, await FederationDatabase.EventsAsync(database.DataSource, "twin", "federation_node_trusted"));
    }
}
