using Sark.Data.Schema;

namespace Sark.Cli.Tests;

public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_on_the_embedded_default_migrates_the_schema_and_the_sample_v1_data_and_is_repeatable()
    {
        await using var home = new TempHome();
        var environment = new Dictionary<string, string?>();

        var first = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Contains($"Database at version {MigrationSet.Embedded.Head}", first.Out);
        Assert.Contains($"{MigrationSet.Embedded.Head} migration(s) applied", first.Error);
        Assert.Contains("300 sample servers and 3000 tools generated", first.Error);
        Assert.Contains("execute   resources: 297 inserted", first.Out);
        Assert.Contains("validate  passed", first.Out);
        Assert.Contains("quickstart-http-github (http): inserted, 3 capabilities added", first.Out);
        Assert.Contains("levels chosen by the classifier: create_issue medium, delete_repository high, list_repositories low", first.Out);
        Assert.Contains("federation  quickstart-peer: registered, trust anchor CN=quickstart-peer", first.Out);
        Assert.Contains("quickstart-peer: its certificate verifies as trusted", first.Out);
        Assert.Contains("quickstart-peer sent a request: 1 of 1000 this hour", first.Out);
        Assert.Contains("cross_org_authorization  medium", first.Out);
        Assert.Contains("charge    quickstart-charge-5: bob@quickstart.example charged 0.02 USD\n", first.Out.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains("charge    quickstart-charge-6: DENIED, charge 'quickstart-charge-6' of 0.02 USD denied: principal 'bob@quickstart.example' would pass its daily limit of 0.05 USD (spent 0.04, reserved 0.00, remaining 0.01)", first.Out);
        Assert.Matches(@"bob@quickstart\.example +0\.04 of 0\.05 USD +0\.01 +0\.04 of 1\.00 USD +America/New_York", first.Out);
        Assert.Matches(@"carol@quickstart\.example +EUR +1 +0\.25", first.Out);
        Assert.Contains("12/12 quick bench", first.Error);
        Assert.Contains("generating benchmark data: 1,000 resources", first.Error);
        Assert.Contains("| Operation | Clients | Samples |", first.Out);
        Assert.Contains("| resource-by-id | 1 | ", first.Out);
        Assert.Contains("| metadata-containment | 1 | ", first.Out);
        Assert.Contains("3 targets met (quickstart", first.Out);

        var second = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("already up to date", second.Error);
        Assert.Contains("v1 tables already hold data", second.Error);
        Assert.Contains("execute   capabilities: 0 inserted, 0 updated, 2966 unchanged", second.Out);
        Assert.Contains("using the benchmark data made on", second.Error);
        Assert.DoesNotContain("generating benchmark data", second.Error);
        Assert.Contains("quickstart-http-github (http): unchanged, 3 capabilities", second.Out);
        Assert.Contains("federation  quickstart-peer: already registered", second.Out);
        Assert.Contains("recorded by an earlier run", second.Out);

        // The charges have fixed ids: the second run replays their outcomes and charges nothing more.
        Assert.Contains("charge    quickstart-charge-1: alice@quickstart.example charged 0.012 USD (an earlier run's charge, replayed: nothing more charged)", second.Out);
        Assert.Contains("charge    quickstart-charge-6: DENIED, ", second.Out);
        Assert.Matches(@"alice@quickstart\.example +0\.046 of 5\.00 USD", second.Out);
        Assert.Matches(@"alice@quickstart\.example +USD +2 +0\.046", second.Out);
        Assert.Contains("costs     and 100 other principal(s) in the period, such as the benchmark's", second.Out);

        // The second run recorded no second request: the trace still has its three hops, and the
        // node's counter its one request.
        var trace = await CliRunner.RunProcessAsync(environment, "audit", "query", "--correlation-id", "quickstart-request-1", "--json", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, trace.ExitCode);
        Assert.Equal(
            ["cross_org_request", "cross_org_authorization", "tool_invoked"],
            System.Text.Json.JsonDocument.Parse(trace.Out).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()).Reverse());

        // With --json stdout is the status document alone; the quick bench's table goes to stderr.
        var json = await CliRunner.RunProcessAsync(environment, "quickstart", "--json", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        Assert.Equal(MigrationSet.Embedded.Head, System.Text.Json.JsonDocument.Parse(json.Out).RootElement.GetProperty("current_version").GetInt32());
        Assert.Contains("| resource-by-id | 1 | ", json.Error);

        var status = await CliRunner.RunProcessAsync(environment, "db", "status", "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Success, status.ExitCode);
    }

    [Fact]
    public async Task A_revoked_peer_gets_no_request_recorded_and_the_quickstart_still_succeeds()
    {
        await using var home = new TempHome();
        var environment = new Dictionary<string, string?>();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=revoked-peer", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pem = Path.Combine(home.Path + "-cert.pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem());
        try
        {
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunProcessAsync(environment, "db", "migrate", "--data-dir", home.Path)).ExitCode);
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunProcessAsync(environment, "federation", "add", "--node-id", "quickstart-peer", "--name", "peer", "--endpoint", "https://peer.example.org", "--cert", pem, "--data-dir", home.Path)).ExitCode);
            Assert.Equal(ExitCodes.Success, (await CliRunner.RunProcessAsync(environment, "federation", "disable", "quickstart-peer", "--data-dir", home.Path)).ExitCode);

            var run = await CliRunner.RunProcessAsync(environment, "quickstart", "--data-dir", home.Path);

            Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
            Assert.Contains("quickstart-peer: its certificate verifies as revoked", run.Out);
            Assert.Contains("quickstart-peer is disabled", run.Out);
            var trace = await CliRunner.RunProcessAsync(environment, "audit", "query", "--correlation-id", "quickstart-request-1", "--json", "--data-dir", home.Path);
            Assert.Empty(System.Text.Json.JsonDocument.Parse(trace.Out).RootElement.GetProperty("events").EnumerateArray());
        }
        finally
        {
            File.Delete(pem);
        }
    }
}
