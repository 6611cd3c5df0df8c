using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sark.Cli.Commands;
using Sark.Cli.Output;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import;

namespace Sark.Cli.Bench;

/// <summary>
/// <c>sark bench migrate-v1</c>: measures the v1→v2 tool on generated data in a scratch database:
/// dry run, execute and validate as separate CLI processes (wall time and peak memory, as an
/// operator sees them) against the floor of one bare INSERT … SELECT, over several runs, and
/// compares medians with the targets.
/// </summary>
internal static class MigrateV1Bench
{
    // Every value is checked when the command line is parsed: a bad one must not cost the minutes
    // of generating data first.
    private static readonly Option<int> Servers = V1SampleCommand.ServersOption("v1 servers to generate", 100_000);
    private static readonly Option<int> ToolsPerServer = V1SampleCommand.ToolsPerServerOption("Tools per server");
    private static readonly Option<int> Runs = new Option<int>("--runs") { Description = "Measured runs (medians are reported)", DefaultValueFactory = _ => 3 }.InRange(1, MaximumRuns);
    private static readonly Option<int> BatchSize = MigrateV1Command.BatchSizeOption("Batch size passed to --execute");
    private static readonly Option<ReportFile?> JsonFile = MigrateV1Command.JsonFileOption("Also write the results as JSON to FILE");
    private static readonly Option<bool> Keep = new("--keep") { Description = "Keep the scratch database afterwards" };

    // Wall times are reported, not judged: on a shared machine they move with its load. The verdicts
    // are memory, and execute's ratio to the floor measured in the same run on the same data.
    private static readonly string[] Measured = ["dry-run", "execute", "validate"];
    private const double MemoryTargetMegabytes = 300;
    private const double FloorRatioTarget = 1.5;
    private const double RatioMinimumFloorSeconds = 5.0;
    private const int MaximumRuns = 100;

    public static Command Build()
    {
        var migrateV1 = new Command("migrate-v1", "Benchmark sark migrate-v1 on generated data (default 100,000 servers, 1,000,000 tools)")
        {
            Servers, ToolsPerServer, Runs, BatchSize, JsonFile, Keep,
        };
        migrateV1.SetHandler(RunAsync);
        return migrateV1;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var runs = context.Get(Runs);
        var output = context.Output;
        var server = await context.GetDataSourceAsync(cancellationToken);
        await MentionLeftoversAsync(server, "sark_bench_v1_", output, cancellationToken);
        var scratch = $"sark_bench_v1_{Environment.ProcessId}";
        await ExecuteAsync(server, $"CREATE DATABASE {scratch}", cancellationToken);
        // The connection string as given: the data source's own leaves the password out, and the
        // child processes need it.
        var builder = context.ConnectionSettings;
        builder.Database = scratch;
        SecretMasker.Register(builder.Password);
        var samples = new Dictionary<string, List<(double Seconds, double MemoryMegabytes)>>(StringComparer.Ordinal);
        try
        {
            await using var services = CliContext.BuildServices(options =>
            {
                options.ConnectionString = builder.ConnectionString;
                options.ApplicationName = "sark bench";
            });
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken: cancellationToken);
            output.Progress($"generating {context.Get(Servers):N0} servers x {context.Get(ToolsPerServer)} tools in {scratch}");
            await SampleData.GenerateAsync(dataSource, context.Get(Servers), context.Get(ToolsPerServer), cancellationToken);
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["SARK_DATABASE_URL"] = builder.ConnectionString };
            for (var run = 1; run <= runs; run++)
            {
                await ResetAsync(dataSource, cancellationToken);
                Add(samples, "insert-select floor", ((await Baseline.InsertSelectAsync(dataSource, cancellationToken)).Elapsed.TotalSeconds, 0));

                // The floor rolls back: its dead index entries would otherwise slow the execute after it.
                await ResetAsync(dataSource, cancellationToken);
                foreach (var mode in new[] { "dry-run", "execute", "validate" })
                {
                    var sample = await RunCliAsync(environment, ["migrate-v1", $"--{mode}", "--batch-size", context.Get(BatchSize).ToString()], cancellationToken);
                    Add(samples, mode, sample);
                }

                output.Progress($"run {run}/{runs}: " + string.Join(", ", samples.Select(s => $"{s.Key} {s.Value[^1].Seconds:0.0} s")));
            }
        }
        finally
        {
            if (!context.Get(Keep))
            {
                await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)", CancellationToken.None);
            }
        }

        return await ReportAsync(context, samples, cancellationToken);
    }

    private static async Task<int> ReportAsync(
        CliContext context, Dictionary<string, List<(double Seconds, double MemoryMegabytes)>> samples, CancellationToken cancellationToken)
    {
        var floor = Median(samples["insert-select floor"].Select(s => s.Seconds));
        var rows = samples.Select(s =>
        {
            var median = Median(s.Value.Select(v => v.Seconds));
            var memory = s.Value.Max(v => v.MemoryMegabytes);
            var judged = Measured.Contains(s.Key);
            var ratio = median / floor;
            // Below a few seconds of floor, process start-up dominates and the ratio says nothing.
            var ratioApplies = s.Key == "execute" && floor >= RatioMinimumFloorSeconds;
            var passed = !judged || (memory <= MemoryTargetMegabytes && (!ratioApplies || ratio <= FloorRatioTarget));
            return new
            {
                operation = s.Key,
                runs = s.Value.Count,
                min_seconds = s.Value.Min(v => v.Seconds),
                median_seconds = median,
                max_seconds = s.Value.Max(v => v.Seconds),
                peak_memory_mb = memory,
                ratio_to_floor = ratio,
                target = !judged ? "-" : $"<= {MemoryTargetMegabytes} MB{(s.Key == "execute" ? $", <= {FloorRatioTarget}x floor{(ratioApplies ? "" : " (not checked: floor < 5 s)")}" : "")}",
                passed,
            };
        }).ToList();

        // A Markdown table, as every benchmark prints (docs/performance.md takes it as it is).
        string[] headers = ["Operation", "Runs", "Min s", "Median s", "Max s", "Peak MB", "x floor", "Target", "Result"];
        context.Output.Line("| " + string.Join(" | ", headers) + " |");
        context.Output.Line("| " + string.Join(" | ", headers.Select((_, i) => i is 0 or 7 or 8 ? "---" : "--:")) + " |");
        foreach (var r in rows)
        {
            string[] cells =
            [
                r.operation, r.runs.ToString(CultureInfo.InvariantCulture), Seconds(r.min_seconds), Seconds(r.median_seconds), Seconds(r.max_seconds),
                r.peak_memory_mb > 0 ? r.peak_memory_mb.ToString("0", CultureInfo.InvariantCulture) : "-",
                r.ratio_to_floor.ToString("0.00", CultureInfo.InvariantCulture), r.target, r.passed ? "pass" : "MISSED",
            ];
            context.Output.Line("| " + string.Join(" | ", cells) + " |");
        }

        var exitCode = rows.All(r => r.passed) ? ExitCodes.Success : ExitCodes.Failure;
        using var reportFile = context.Get(JsonFile);
        if (reportFile is not null
            && !await reportFile.TryWriteAsync(
                JsonSerializer.Serialize(new { benchmark = "migrate-v1", results = rows }, MigrateV1View.JsonOptions), "bench migrate-v1", context.Output.Error, cancellationToken))
        {
            // A missed target stays the more important news; otherwise the report's loss is.
            return exitCode == ExitCodes.Success ? ExitCodes.ReportNotWritten : exitCode;
        }

        return exitCode;
    }

    private static string Seconds(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static void Add(Dictionary<string, List<(double, double)>> samples, string key, (double, double) sample)
    {
        if (!samples.TryGetValue(key, out var list))
        {
            samples[key] = list = [];
        }

        list.Add(sample);
    }

    // Each run starts from an import-free database, vacuumed so dead rows of the last run cost nothing.
    private static async Task ResetAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await ExecuteAsync(dataSource, "TRUNCATE capabilities, resources, v1_import_provenance, v1_import_issues, v1_import_runs", cancellationToken);
        foreach (var table in new[] { "resources", "capabilities", "v1_import_provenance", "mcp_servers", "mcp_tools" })
        {
            await ExecuteAsync(dataSource, $"VACUUM ANALYZE {table}", cancellationToken);
        }
    }

    // A killed benchmark cannot drop its scratch database. Named after the process, it is told
    // apart from a running one's only on the machine that ran it, so it is named, never dropped here.
    internal static async Task MentionLeftoversAsync(NpgsqlDataSource server, string prefix, ConsoleOutput output, CancellationToken cancellationToken)
    {
        await using var connection = await SarkDataSource.OpenAsync(server, cancellationToken);
        await using var find = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname", connection);
        find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            output.Progress($"note: {reader.GetString(0)} is the scratch database of another or an interrupted benchmark; drop it (DROP DATABASE … WITH (FORCE)) when that run is over");
        }
    }

    /// <summary>The middle value, or the mean of the two middle ones.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs this same sark binary as a child; returns its wall time and the peak memory it reported.</summary>
    private static async Task<(double Seconds, double MemoryMegabytes)> RunCliAsync(
        IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MigrateV1Bench).Assembly.Location);
        }

        foreach (var arg in args.Concat(["--json", report]))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        try
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: the child would go on working in the scratch database that is dropped next.
                process.Kill(entireProcessTree: true);
                throw;
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await stdout;
            if (process.ExitCode != 0)
            {
                throw new SarkException($"sark {string.Join(' ', args)} failed during the benchmark (exit {process.ExitCode}): {ConnectionStrings.FirstLine((await stderr).Trim())}");
            }

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, cancellationToken));
            return (seconds, json.RootElement.GetProperty("peak_memory_mb").GetDouble());
        }
        finally
        {
            File.Delete(report);
        }
    }
}
