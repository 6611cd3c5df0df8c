using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace Sark.Data.Tests.Federation;

/// <summary>Certificates made in the test with the platform's crypto: self-signed, any validity window.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Create(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>A certificate valid from a day ago for a year.</summary>
    public static X509Certificate2 Valid(string commonName = "node.example.org") =>
        Create(commonName, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

    public static string ValidPem(string commonName = "node.example.org") => Valid(commonName).ExportCertificatePem();

    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static string PrivateKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }
}

/// <summary>A clock the test moves: certificates are checked and requests counted by it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class FederationDatabase
{
    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public static Task<long> EventsAsync(NpgsqlDataSource dataSource, string nodeId, string eventType) =>
        CountAsync(dataSource, "SELECT count(*) FROM audit_events WHERE target_node = $1 AND event_type::text = $2", nodeId, eventType);
}
