using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Federation;

namespace Sark.Data.Tests.Federation;

/// <summary>
/// Bad input to every public method is a usage error with one line, found before a connection is
/// opened: the registry here points at a server that does not exist, so reaching it would be an
/// Unavailable error instead.
/// </summary>
public sealed class FederationBadInputTests : IAsyncDisposable
{
    private readonly NpgsqlDataSource nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=1");
    private readonly FederationRegistry registry;

    public FederationBadInputTests() => registry = new FederationRegistry(nowhere);

    private static readonly string Pem = TestCertificates.ValidPem();

    private static NodeRegistration Valid => new() { NodeId = "node-1", Name = "Node 1", Endpoint = "https://node.example.org", TrustAnchorPem = Pem };

    public static TheoryData<string, NodeRegistration> BadRegistrations => new()
    {
        { "node id is empty", Valid with { NodeId = " " } },
        { "node id is 256 characters long; expected at most 255", Valid with { NodeId = new string('n', 256) } },
        { "node id 'a?b' has surrounding blanks or control characters", Valid with { NodeId = "a\nb" } },
        { "node id ' padded' has surrounding blanks", Valid with { NodeId = " padded" } },
        { "node name is empty", Valid with { Name = "" } },
        { "node name is 256 characters long; expected at most 255", Valid with { Name = new string('n', 256) } },
        { "endpoint is empty", Valid with { Endpoint = "" } },
        { "endpoint is 501 characters long", Valid with { Endpoint = "https://x.org/" + new string('p', 487) } },
        { "endpoint 'node.example.org' is not an absolute URL", Valid with { Endpoint = "node.example.org" } },
        { "endpoint 'ftp://node.example.org' has scheme 'ftp'; expected an https URL", Valid with { Endpoint = "ftp://node.example.org" } },
        { "endpoint holds user information (not repeated here: it may be a password)", Valid with { Endpoint = "https://u:secret@node.example.org" } },
        { "rate limit 0 is not valid; expected a number of requests per hour of at least 1", Valid with { RateLimitPerHour = 0 } },
        { "rate limit -5 is not valid", Valid with { RateLimitPerHour = -5 } },
        { "metadata is a JSON array; expected a JSON object", Valid with { Metadata = "[1]" } },
        { "metadata is not valid JSON", Valid with { Metadata = "{oops" } },
        { "trust anchor certificate of node 'node-1' is empty", Valid with { TrustAnchorPem = "" } },

        // What PostgreSQL cannot store: refused here, not a database error or an encoder's exception.
        { "node name holds a NUL character", Valid with { Name = "a\0" } },
        { "node name holds a lone surrogate", Valid with { Name = "a\ud800" } },
        { "node id holds a lone surrogate", Valid with { NodeId = "n\udc00" } },
        { "metadata holds a NUL character", Valid with { Metadata = "{\"a\": \"\0\"}" } },
        { "metadata has the key 'a' twice", Valid with { Metadata = "{\"a\": 1, \"a\": 2}" } },
        { "metadata", Valid with { Metadata = "{\"a\": \"\\u0000\"}" } },
        { "metadata", Valid with { Metadata = "{\"a\": 1e999999}" } },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task A_bad_registration_is_a_usage_error_before_connecting(string expected, NodeRegistration registration)
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => registry.RegisterAsync(registration));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    public static TheoryData<string, Func<FederationRegistry, Task>> BadCalls => new()
    {
        { "node id is empty", r => r.FindAsync("") },
        { "node id is empty", r => r.DisableAsync(" ") },
        { "reason is 1001 characters long", r => r.DisableAsync("n", new string('r', 1001)) },
        { "reason holds a NUL character", r => r.DisableAsync("n", "r\0") },
        { "node id is empty", r => r.EnableAsync("") },
        { "node id is 256 characters long", r => r.VerifyAsync(new string('n', 256), Pem) },
        { "certificate presented by node 'n' is not a PEM certificate", r => r.VerifyAsync("n", "garbage") },
        { "holds a private key", r => r.VerifyAsync("n", TestCertificates.PrivateKeyPem()) },
        { "node id is empty", r => r.VerifyAsync("", TestCertificates.Valid()) },
        { "node id is empty", r => r.RotateCertificateAsync("", Pem) },
        { "new trust anchor certificate of node 'n' holds 2 certificates", r => r.RotateCertificateAsync("n", Pem + Pem) },
        { "node id is empty", r => r.ConsumeRequestAsync("") },
        { "node id is empty", r => r.GetRequestCountAsync("\t") },
        { "olderThan -01:00:00 is negative", r => r.CleanupRequestCountsAsync(TimeSpan.FromHours(-1)) },
        { "limit 0 is out of range; expected a page size from 1 to 1000", r => r.ListAsync(limit: 0) },
        { "limit 1001 is out of range", r => r.ListAsync(limit: 1001) },
        { "cursor 'forged' is not a cursor a page returned", r => r.ListAsync(cursor: "forged") },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task Bad_input_to_every_other_method_is_a_usage_error_before_connecting(string expected, Func<FederationRegistry, Task> call)
    {
        var error = await Assert.ThrowsAsync<UsageException>(() => call(registry));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Good_input_does_reach_for_the_database()
    {
        // Guards the tests above: with valid input the same registry fails on the missing server.
        var error = await Assert.ThrowsAsync<DatabaseException>(() => registry.FindAsync("node-1"));
        Assert.Equal(SarkErrorKind.Unavailable, error.Kind);
    }

    public ValueTask DisposeAsync() => nowhere.DisposeAsync();
}
