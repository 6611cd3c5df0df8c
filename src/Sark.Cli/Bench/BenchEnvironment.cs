using System.Reflection;
using System.Runtime.InteropServices;
using Npgsql;

namespace Sark.Cli.Bench;

/// <summary>
/// What a figure depends on besides the code: the server's version and the settings that matter for
/// this workload, the machine's CPUs, the runtime and sark's own version. Goes into the JSON report.
/// </summary>
internal sealed record BenchEnvironment(
    string PostgresVersion, IReadOnlyDictionary<string, string> PostgresSettings, int CpuCount, string Os, string Runtime,
    string SarkVersion, string? PgbenchVersion, DateTimeOffset MeasuredAt)
{
    // Memory, durability (every commit waits for its WAL flush unless these say otherwise), planner
    // costs, JIT and parallelism: the settings that move this benchmark's figures.
    private static readonly string[] Settings =
    [
        "shared_buffers", "work_mem", "effective_cache_size", "maintenance_work_mem", "fsync", "synchronous_commit",
        "full_page_writes", "wal_level", "max_wal_size", "checkpoint_timeout", "random_page_cost", "jit",
        "max_parallel_workers_per_gather", "max_connections", "plan_cache_mode",
    ];

    public static async Task<BenchEnvironment> ReadAsync(NpgsqlConnection connection, string? pgbenchVersion, CancellationToken cancellationToken)
    {
        using var read = new NpgsqlCommand("SELECT name, current_setting(name) FROM unnest($1::text[]) AS name", connection);
        read.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = Settings });
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                settings[reader.GetString(0)] = reader.GetString(1);
            }
        }

        using var version = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
        return new BenchEnvironment(
            (string)(await version.ExecuteScalarAsync(cancellationToken))!, settings, Environment.ProcessorCount,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            typeof(BenchEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            pgbenchVersion, DateTimeOffset.UtcNow);
    }
}
