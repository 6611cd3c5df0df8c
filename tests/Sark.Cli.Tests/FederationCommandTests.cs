using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Sark.Testing;

namespace Sark.Cli.Tests;

public sealed class FederationCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sark-federation-").FullName;

    private string CertificateFile(string name, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(folder, $"{name}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--database", fixture.Database.Url]);

    [Theory]
    [InlineData("federation|show|", "node id is empty")]
    [InlineData("federation|disable| padded", "has surrounding blanks")]
    [InlineData("federation|add|--node-id|x|--name|x|--endpoint|http://x.example|--cert|CERT", "endpoint 'http://x.example' is not https")]
    [InlineData("federation|add|--node-id|x|--name|x|--endpoint|x.example|--cert|CERT", "is not an absolute URL")]
    [InlineData("federation|add|--node-id||--name|x|--endpoint|https://x.example|--cert|CERT", "--node-id is empty")]
    public async Task Bad_values_are_refused_while_parsing_before_the_embedded_server_starts(string command, string says)
    {
        // No --database: a check after parsing would start the embedded server in this home.
        var home = Path.Combine(folder, "home");
        var args = command.Replace("CERT", CertificateFile("bad-values"), StringComparison.Ordinal).Split('|');
        var result = await CliRunner.RunAsync([.. args, "--data-dir", home]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines));
        Assert.EndsWith("(see 'sark --help')", result.ErrorLines[0]);
        Assert.False(Directory.Exists(home), "the embedded server's home was created");
    }

    [Fact]
    public async Task Add_list_show_disable_verify_and_enable_work_together()
    {
        var cert = CertificateFile("cli-peer");

        var added = await RunAsync("federation", "add", "--node-id", "cli-peer", "--name", "CLI peer", "--endpoint", "https://cli-peer.example.org", "--cert", cert, "--rate-limit", "25");
        Assert.Equal(0, added.ExitCode);
        Assert.StartsWith("registered federation node 'cli-peer': certificate CN=cli-peer, SHA-256 ", added.Out);

        var list = await RunAsync("federation", "list", "--json");
        var node = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().Single(n => n.GetProperty("node_id").GetString() == "cli-peer");
        Assert.Equal(25, node.GetProperty("rate_limit_per_hour").GetInt32());
        Assert.True(node.GetProperty("enabled").GetBoolean());

        var show = await RunAsync("federation", "show", "cli-peer");
        Assert.Contains("CN=cli-peer", show.Out);

        Assert.Equal("federation node 'cli-peer' disabled (trust revoked)\n", (await RunAsync("federation", "disable", "cli-peer", "--reason", "test")).Out);
        var revoked = await RunAsync("federation", "verify", "cli-peer", "--cert", cert);
        Assert.Equal(1, revoked.ExitCode);
        Assert.Equal("NOT trusted: federation node 'cli-peer' is disabled (trust revoked)\n", revoked.Out);

        Assert.Equal(0, (await RunAsync("federation", "enable", "cli-peer")).ExitCode);
        var trusted = await RunAsync("federation", "verify", "cli-peer", "--cert", cert, "--json");
        Assert.Equal(0, trusted.ExitCode);
        Assert.Equal("trusted", JsonDocument.Parse(trusted.Out).RootElement.GetProperty("status").GetString());

        var other = CertificateFile("cli-peer-next");
        Assert.Equal(0, (await RunAsync("federation", "rotate", "cli-peer", "--cert", other)).ExitCode);
        var mismatch = await RunAsync("federation", "verify", "cli-peer", "--cert", cert, "--json");
        Assert.Equal("fingerprint_mismatch", JsonDocument.Parse(mismatch.Out).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_missing_certificate_file_is_one_line_naming_it_and_exit_2()
    {
        var missing = Path.Combine(folder, "absent.pem");

        var result = await RunAsync("federation", "add", "--node-id", "n", "--name", "n", "--endpoint", "https://n.example.org", "--cert", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"sark: cannot read certificate file '{missing}': no such file"], result.ErrorLines);
    }

    [Fact]
    public async Task An_expired_certificate_a_duplicate_and_an_unknown_node_are_one_line_each()
    {
        var expired = CertificateFile("cli-expired", DateTimeOffset.UtcNow.AddHours(-1));
        var refused = await RunAsync("federation", "add", "--node-id", "cli-expired", "--name", "x", "--endpoint", "https://x.example.org", "--cert", expired);
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("sark: trust anchor certificate of node 'cli-expired' has expired: valid from ", Assert.Single(refused.ErrorLines));

        var cert = CertificateFile("cli-twice");
        Assert.Equal(0, (await RunAsync("federation", "add", "--node-id", "cli-twice", "--name", "x", "--endpoint", "https://x.example.org", "--cert", cert)).ExitCode);
        var twice = await RunAsync("federation", "add", "--node-id", "cli-twice", "--name", "x", "--endpoint", "https://x.example.org", "--cert", cert);
        Assert.Equal(1, twice.ExitCode);
        Assert.StartsWith("sark: federation node 'cli-twice' is already registered;", Assert.Single(twice.ErrorLines));

        var unknown = await RunAsync("federation", "disable", "cli-nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal(["sark: federation node 'cli-nobody' is not registered"], unknown.ErrorLines);
    }

    [Fact]
    public async Task A_rate_limit_below_one_is_a_parse_error()
    {
        var result = await RunAsync("federation", "add", "--node-id", "n", "--name", "n", "--endpoint", "https://n.example.org", "--cert", "x.pem", "--rate-limit", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--rate-limit '0' is not valid", result.Error);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
