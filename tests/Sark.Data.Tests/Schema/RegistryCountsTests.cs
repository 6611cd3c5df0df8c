using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// Migration 010's registry_counts stays equal to a recount of resources and capabilities whatever
/// writes them: every kind of statement, cascades, TRUNCATE, concurrent writers; and 010 fills it
/// (and the federation fingerprints) for a database that already held rows.
/// </summary>
public sealed class RegistryCountsTests
{
    // The counters that are not zero, against the same figures counted from the tables.
    internal const string DifferencesSql = """
        WITH truth AS (
            SELECT protocol, sensitivity_level, sum(r) AS r, sum(c) AS c FROM (
                SELECT protocol, sensitivity_level, count(*) AS r, 0 AS c FROM resources GROUP BY 1, 2
                UNION ALL
                SELECT r.protocol, c.sensitivity_level, 0, count(*) FROM capabilities c JOIN resources r ON r.id = c.resource_id GROUP BY 1, 2
            ) AS x GROUP BY 1, 2),
        kept AS (
            SELECT protocol, sensitivity_level, sum(resources) AS r, sum(capabilities) AS c FROM registry_counts
            GROUP BY 1, 2 HAVING sum(resources) <> 0 OR sum(capabilities) <> 0)
        SELECT count(*) FROM ((SELECT * FROM truth EXCEPT SELECT * FROM kept) UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM truth)) AS d
        """;

    private const string SeedSql = """
        INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level)
        SELECT 'r' || g, 'n' || g, (ARRAY['mcp', 'http', 'grpc'])[g % 3 + 1], 'e', (ARRAY['low', 'medium', 'high', 'critical'])[g % 4 + 1]
        FROM generate_series(1, 300) AS g;
        INSERT INTO capabilities (id, resource_id, name, sensitivity_level)
        SELECT 'c' || g || '-' || k, 'r' || g, 'k' || k, (ARRAY['low', 'medium', 'high', 'critical'])[(g + k) % 4 + 1]
        FROM generate_series(1, 300) AS g, generate_series(1, 10) AS k;
        """;

    [Theory]
    [InlineData("UPDATE resources SET protocol = 'http' WHERE id IN ('r1', 'r2', 'r3')")]
    [InlineData("UPDATE resources SET sensitivity_level = 'critical', protocol = 'custom_rpc' WHERE id LIKE 'r2%'")]
    [InlineData("UPDATE capabilities SET sensitivity_level = 'low' WHERE resource_id = 'r7'")]
    [InlineData("UPDATE capabilities SET resource_id = 'r8', name = 'moved-' || id WHERE resource_id = 'r9'")]
    [InlineData("DELETE FROM capabilities WHERE resource_id = 'r10' AND name IN ('k1', 'k2')")]
    [InlineData("DELETE FROM resources WHERE id LIKE 'r1%'")]
    [InlineData("WITH gone AS (DELETE FROM resources WHERE id = 'r20' RETURNING id) INSERT INTO resources (id, name, protocol, endpoint) SELECT 'new-' || id, 'x', 'ws', 'e' FROM gone")]
    [InlineData("INSERT INTO capabilities (id, resource_id, name, sensitivity_level) VALUES ('c-new', 'r30', 'extra', 'high') ON CONFLICT (resource_id, name) DO UPDATE SET sensitivity_level = excluded.sensitivity_level")]
    [InlineData("INSERT INTO capabilities (id, resource_id, name, sensitivity_level) VALUES ('c-upd', 'r30', 'k1', 'critical') ON CONFLICT (resource_id, name) DO UPDATE SET sensitivity_level = excluded.sensitivity_level")]
    [InlineData("TRUNCATE capabilities")]
    [InlineData("TRUNCATE resources CASCADE")]
    public async Task Every_kind_of_write_keeps_the_counters_equal_to_a_recount(string write)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync(SeedSql);
        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
        Assert.Equal(3000L, await database.ScalarAsync<long>("SELECT sum(capabilities)::bigint FROM registry_counts"));

        await database.ExecuteAsync(write);
        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM capabilities"), await database.ScalarAsync<long>("SELECT coalesce(sum(capabilities), 0)::bigint FROM registry_counts"));
    }

    [Fact]
    public async Task Concurrent_writers_leave_exact_counters()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync(SeedSql);
        var protocols = new[] { "mcp", "http", "grpc" };
        var retries = 0;
        var writers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var round = 0; round < 15; round++)
            {
                var id = $"w{worker}-{round}";
                var sql = $"""
                    INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level) VALUES ('{id}', 'n', '{protocols[round % 3]}', 'e', 'high');
                    INSERT INTO capabilities (id, resource_id, name, sensitivity_level) SELECT '{id}-' || k, '{id}', 'k' || k, (ARRAY['low', 'critical'])[k % 2 + 1] FROM generate_series(1, 5) k;
                    UPDATE resources SET protocol = '{protocols[(round + worker) % 3]}' WHERE id = 'r{1 + ((worker * 15) + round)}';
                    DELETE FROM resources WHERE id = 'r{150 + ((worker * 15) + round)}';
                    """;
                while (true)
                {
                    try
                    {
                        await using var connection = await database.OpenAsync();
                        await using var transaction = await connection.BeginTransactionAsync();
                        await using (var command = new NpgsqlCommand(sql, connection, transaction))
                        {
                            await command.ExecuteNonQueryAsync();
                        }

                        await transaction.CommitAsync();
                        break;
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected)
                    {
                        // Counted, so that the test says so if the counters make writers deadlock.
                        Interlocked.Increment(ref retries);
                    }
                }
            }
        })).ToList();
        await Task.WhenAll(writers);

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
        // 120 resources added, 120 of the seed deleted.
        Assert.Equal(300L, await database.ScalarAsync<long>("SELECT sum(resources)::bigint FROM registry_counts"));
        Assert.Equal(await database.ScalarAsync<long>("SELECT count(*) FROM capabilities"), await database.ScalarAsync<long>("SELECT sum(capabilities)::bigint FROM registry_counts"));
        Assert.Equal(0, retries);

        // Compaction folds the deltas to one row per group and changes no sum.
        var rows = await database.ScalarAsync<long>("SELECT count(*) FROM registry_counts");
        var groups = await database.ScalarAsync<long>("SELECT count(*) FROM (SELECT DISTINCT protocol, sensitivity_level FROM registry_counts) g");
        Assert.True(rows > groups, $"{rows} rows for {groups} groups: nothing to compact");
        Assert.Equal(groups, await database.ScalarAsync<long>("SELECT sark_registry_counts_compact()"));
        Assert.Equal(groups, await database.ScalarAsync<long>("SELECT count(*) FROM registry_counts"));
        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
    }

    [Fact]
    public async Task Migration_010_counts_existing_rows_and_fingerprints_existing_nodes()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var runner = new MigrationRunner(database.DataSource, MigrationSet.Embedded);
        await runner.MigrateAsync(9);
        await database.ExecuteAsync(SeedSql);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=peer", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pem = certificate.ExportCertificatePem();
        await database.ExecuteAsync($"""
            INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, updated_at)
            VALUES ('good', 'g', 'https://g', '{pem}', '2020-01-01Z'), ('bad', 'b', 'https://b', 'not a certificate', '2020-01-01Z'),
                   ('broken', 'x', 'https://x', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----', '2020-01-01Z');
            INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, created_at, updated_at)
            VALUES ('twin', 't', 'https://t', '{pem}', now() + interval '1 minute', '2020-01-01Z');
            """);

        await runner.MigrateAsync();

        Assert.Equal(0L, await database.ScalarAsync<long>(DifferencesSql));
        Assert.Equal(300L, await database.ScalarAsync<long>("SELECT sum(resources)::bigint FROM registry_counts"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)),
            await database.ScalarAsync<string>("SELECT cert_fingerprint_sha256 FROM federation_nodes WHERE node_id = 'good'"));
        // The later node with the same certificate loses the fingerprint: one certificate, one node.
        Assert.Equal("bad,broken,twin", await database.ScalarAsync<string>("SELECT string_agg(node_id, ',' ORDER BY node_id) FROM federation_nodes WHERE cert_fingerprint_sha256 IS NULL"));
        Assert.Equal(4L, await database.ScalarAsync<long>("SELECT count(*) FROM federation_nodes WHERE updated_at = '2020-01-01Z'"));
    }
}
