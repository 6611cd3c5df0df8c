using Npgsql;
using Sark.Data.Connection;
using Sark.Local;

namespace Sark.Testing;

/// <summary>
/// The PostgreSQL server the tests use: <c>SARK_TEST_DATABASE_URL</c> when set, otherwise a
/// throwaway embedded cluster (fsync off) managed by the product's own <see cref="LocalPostgres"/>.
/// There is no skipping: when no server can be reached every database test fails with the reason.
/// </summary>
public static class TestServer
{
    public const string UrlVariable = "SARK_TEST_DATABASE_URL";

    private static readonly Lazy<Task<NpgsqlConnectionStringBuilder>> Server = new(ResolveAsync);

    /// <summary>A connection string to the server's maintenance database (<c>postgres</c>).</summary>
    public static async Task<NpgsqlConnectionStringBuilder> GetAdminAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder((await Server.Value).ConnectionString);
        return builder;
    }

    /// <summary>The test cluster's home; tests of the embedded server use homes of their own.</summary>
    public static string EmbeddedHome =>
        Path.Combine(Path.GetTempPath(), $"sark-test-pg-{Environment.UserName}");

    private static async Task<NpgsqlConnectionStringBuilder> ResolveAsync()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        NpgsqlConnectionStringBuilder builder;
        if (!string.IsNullOrWhiteSpace(url))
        {
            builder = ConnectionStrings.Parse(url);
        }
        else
        {
            var local = new LocalPostgres(new LocalPostgresOptions { HomeDirectory = EmbeddedHome, Durable = false });
            var status = await local.StartAsync();
            builder = ConnectionStrings.Parse(status.ConnectionString!);
        }

        builder.Database = "postgres";
        builder.Pooling = false;
        builder.ApplicationName = "sark tests";
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"no test database reachable at {ConnectionStrings.Describe(builder)} ({ex.Message}); set {UrlVariable} or install the PostgreSQL server binaries", ex);
        }

        return builder;
    }
}
