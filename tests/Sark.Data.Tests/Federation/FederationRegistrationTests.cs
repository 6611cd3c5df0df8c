using System.Text.Json;
using Sark.Data.Errors;
using Sark.Data.Federation;
using Sark.Testing;

namespace Sark.Data.Tests.Federation;

public sealed class FederationRegistrationTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly FederationRegistry registry = new(fixture.Database.DataSource);

    private static NodeRegistration Node(string nodeId, string pem) =>
        new() { NodeId = nodeId, Name = $"Node {nodeId}", Endpoint = $"https://{nodeId}.example.org", TrustAnchorPem = pem };

    [Fact]
    public async Task A_valid_certificate_is_stored_with_the_sha256_of_its_der_and_a_trusted_event_in_the_same_transaction()
    {
        using var certificate = TestCertificates.Valid("valid.example.org");
        var pem = "Some text a tool printed before the block\n" + certificate.ExportCertificatePem() + "\ntrailing words";

        var node = await registry.RegisterAsync(Node("valid-node", pem) with { RateLimitPerHour = 500, Metadata = """{"region":"eu"}""" });

        Assert.Equal(TestCertificates.Fingerprint(certificate), node.CertificateFingerprint);
        Assert.Equal(certificate.ExportCertificatePem() + "\n", node.TrustAnchorPem);
        Assert.Equal("CN=valid.example.org", node.CertificateSubject);
        Assert.True(node.Enabled);
        Assert.Equal(500, node.RateLimitPerHour);
        Assert.Equal("eu", JsonDocument.Parse(node.Metadata).RootElement.GetProperty("region").GetString());

        var details = await fixture.Database.ScalarAsync<string>(
            "SELECT details::text FROM audit_events WHERE target_node = 'valid-node' AND event_type = 'federation_node_trusted'");
        using var json = JsonDocument.Parse(details);
        Assert.Equal(node.CertificateFingerprint, json.RootElement.GetProperty("fingerprint_sha256").GetString());
        Assert.Equal("CN=valid.example.org", json.RootElement.GetProperty("subject").GetString());
        Assert.Equal(certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), json.RootElement.GetProperty("not_after").GetString());
        Assert.Equal(node, await registry.FindAsync("valid-node"));
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_with_its_dates_and_now_and_nothing_is_written()
    {
        var now = new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var clocked = new FederationRegistry(fixture.Database.DataSource, timeProvider: new ManualClock(now));
        using var expired = TestCertificates.Create("old", new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<UsageException>(() => clocked.RegisterAsync(Node("expired-node", expired.ExportCertificatePem())));

        Assert.Equal(
            "trust anchor certificate of node 'expired-node' has expired: valid from 2029-01-01T00:00:00Z to 2030-01-01T00:00:00Z, now is 2030-06-01T12:00:00Z; use a certificate valid now",
            error.Message);
        Assert.Equal(0, await FederationDatabase.CountAsync(fixture.Database.DataSource, "SELECT count(*) FROM federation_nodes WHERE node_id = 'expired-node'"));
        Assert.Equal(0, await FederationDatabase.EventsAsync(fixture.Database.DataSource, "expired-node", "federation_node_trusted"));
    }

    [Fact]
    public async Task A_certificate_not_valid_yet_is_refused_with_its_dates_and_now()
    {
        using var future = TestCertificates.Create("future", DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(30));

        var error = await Assert.ThrowsAsync<UsageException>(() => registry.RegisterAsync(Node("future-node", future.ExportCertificatePem())));

        Assert.StartsWith("trust anchor certificate of node 'future-node' is not valid yet: valid from 20", error.Message);
        Assert.Contains(", now is 20", error.Message);
    }

    [Theory]
    [InlineData("not a certificate at all", "is not a PEM certificate: no well-formed -----BEGIN CERTIFICATE----- block found")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "has a CERTIFICATE block that is not a valid X.509 certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----", "is not a PEM certificate")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "holds a 'PUBLIC KEY' PEM block; expected exactly one CERTIFICATE block")]
    [InlineData("   ", "is empty; expected one X.509 certificate in PEM form")]
    public async Task Garbage_is_refused_with_one_line(string pem, string expected)
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => registry.RegisterAsync(Node("garbage-node", pem)));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_private_key_is_refused_alone_and_next_to_a_certificate_without_repeating_it()
    {
        var key = TestCertificates.PrivateKeyPem();
        var keyBody = key.Split('\n')[1];
        foreach (var pem in new[] { key, TestCertificates.ValidPem() + "\n" + key, key.Replace("PRIVATE KEY", "EC PRIVATE KEY", StringComparison.Ordinal) })
        {
            var error = await Assert.ThrowsAsync<UsageException>(() => registry.RegisterAsync(Node("key-node", pem)));
            Assert.Equal("trust anchor certificate of node 'key-node' holds a private key (its content is not repeated here); give only the certificate, and keep the key secret", error.Message);
            Assert.DoesNotContain(keyBody, error.Message);
        }

        Assert.Equal(0, await FederationDatabase.CountAsync(fixture.Database.DataSource, "SELECT count(*) FROM federation_nodes WHERE node_id = 'key-node'"));
    }

    [Fact]
    public async Task Two_certificates_are_refused()
    {
        foreach (var separator in new[] { "\n", "" })
        {
            var bundle = TestCertificates.ValidPem("a") + separator + TestCertificates.ValidPem("b");
            var error = await Assert.ThrowsAsync<UsageException>(() => registry.RegisterAsync(Node("chain-node", bundle)));
            Assert.Equal("trust anchor certificate of node 'chain-node' holds 2 certificates; expected exactly one (the node's trust anchor), not a chain or a bundle", error.Message);
        }
    }

    [Fact]
    public async Task A_registration_that_fails_in_the_database_leaves_neither_node_nor_event()
    {
        await registry.RegisterAsync(Node("twice-node", TestCertificates.ValidPem()));

        var error = await Assert.ThrowsAsync<SarkException>(() => registry.RegisterAsync(Node("twice-node", TestCertificates.ValidPem("other"))));

        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.StartsWith("federation node 'twice-node' is already registered;", error.Message);
        Assert.Equal(1, await FederationDatabase.EventsAsync(fixture.Database.DataSource, "twice-node", "federation_node_trusted"));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_node_id_from_eight_connections_have_one_winner_and_seven_conflicts()
    {
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await registry.RegisterAsync(Node("raced-node", TestCertificates.ValidPem($"racer-{i}")));
                return (SarkErrorKind?)null;
            }
            catch (SarkException ex)
            {
                return ex.Kind;
            }
        }));

        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.Equal(7, outcomes.Count(o => o == SarkErrorKind.Conflict));
        Assert.Equal(1, await FederationDatabase.CountAsync(fixture.Database.DataSource, "SELECT count(*) FROM federation_nodes WHERE node_id = 'raced-node'"));
        Assert.Equal(1, await FederationDatabase.EventsAsync(fixture.Database.DataSource, "raced-node", "federation_node_trusted"));
    }

    [Fact]
    public async Task Http_is_refused_unless_allowed_explicitly()
    {
        var error = await Assert.ThrowsAsync<UsageException>(() =>
            registry.RegisterAsync(Node("http-node", TestCertificates.ValidPem()) with { Endpoint = "http://http-node.example.org" }));
        Assert.Equal("endpoint 'http://http-node.example.org' is not https; federation traffic must be encrypted (allow http explicitly only for a test setup)", error.Message);

        var node = await registry.RegisterAsync(Node("http-node", TestCertificates.ValidPem()) with { Endpoint = "http://http-node.example.org", AllowInsecureEndpoint = true });
        Assert.Equal("http://http-node.example.org", node.Endpoint);
    }
}
