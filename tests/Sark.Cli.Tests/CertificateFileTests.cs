using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sark.Cli.Tests;

/// <summary>
/// --cert files that are not certificate files: each is one usage line naming the file, read before
/// any connection (the database here does not exist), and none hangs the command.
/// </summary>
public sealed class CertificateFileTests : IDisposable
{
    private const string Unreachable = "postgresql://sark@127.0.0.1:1/sark";
    private readonly string folder = Directory.CreateTempSubdirectory("sark-cert-file-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<CliResult> AddAsync(string certificatePath)
    {
        var run = CliRunner.RunAsync("federation", "add", "--node-id", "n", "--name", "n", "--endpoint", "https://n.example.org", "--cert", certificatePath, "--database", Unreachable);
        return await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_folder_is_named_as_a_folder()
    {
        var result = await AddAsync(folder);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal([$"sark: certificate file '{folder}' is a folder; expected a file holding one PEM certificate"], result.ErrorLines);
    }

    [Fact]
    public async Task A_device_that_never_ends_is_too_large_not_a_crash()
    {
        var result = await AddAsync("/dev/zero");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(["sark: certificate file '/dev/zero' is larger than 64 KiB; expected one PEM certificate"], result.ErrorLines);
    }

    [Fact]
    public async Task A_named_pipe_nobody_writes_to_does_not_hang()
    {
        var fifo = Path.Combine(folder, "cert.pem");
        Assert.Equal(0, (await OsCommand.RunAsync(null, "mkfifo", fifo)).ExitCode);
        var result = await AddAsync(fifo);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(["sark: trust anchor certificate of node 'n' is empty; expected one X.509 certificate in PEM form (-----BEGIN CERTIFICATE-----)"], result.ErrorLines);
    }

    [Fact]
    public async Task A_der_certificate_is_told_apart_from_garbage()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=der", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var der = Path.Combine(folder, "cert.der");
        await File.WriteAllBytesAsync(der, certificate.RawData);
        var result = await AddAsync(der);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith($"sark: certificate file '{der}' looks like a binary (DER) certificate; expected PEM text", Assert.Single(result.ErrorLines));
    }
}
