using System.Globalization;
using System.Text.Json;
using Sark.Cli.Output;

namespace Sark.Cli.Bench;

/// <summary>One operation's figures: ours, the target, and pgbench's on the same statement.</summary>
internal sealed record OperationResult(BenchOperation Operation, int Clients, LatencySummary Ours, BenchTarget Target, PgbenchResult? Floor, IReadOnlyList<string> Indexes)
{
    /// <summary>The check of the database after the calls (exact totals), for an operation that has one.</summary>
    public BenchCheck? Check { get; init; }

    /// <summary>Latency targets are strict ("under 5 ms"): a figure equal to the target misses it. A failed check fails too.</summary>
    public bool Passed => Target.IsMet(Ours) && Check is not { Passed: false };

    /// <summary>Ours over pgbench's p50: 1.0 is as fast as pgbench, above it slower.</summary>
    public double? P50Ratio => Floor is { Failure: null } floor ? Ours.P50Ms / floor.P50Ms : null;

    /// <summary>Ours over pgbench's throughput: 1.0 is as many calls per second, below it fewer.</summary>
    public double? ThroughputRatio => Floor is { Failure: null } floor ? Ours.PerSecond / floor.PerSecond : null;
}

/// <summary>A whole run: what was measured, on what data and machine, and every figure.</summary>
/// <remarks><c>WithFloor</c> says whether pgbench was asked for (the quickstart's look does without).</remarks>
internal sealed record BenchRun(
    string Mode, int Concurrency, int Writers, int Seconds, BenchDataset Dataset, double? GenerationSeconds, BenchEnvironment Environment,
    IReadOnlyList<OperationResult> Results, bool WithFloor, string? FloorNote)
{
    /// <summary>The p50 ratio to pgbench this project aims for (docs/performance.md).</summary>
    public const double RatioGoal = 1.3;

    public bool Passed => Results.All(r => r.Passed);
}

/// <summary>The run as a Markdown table for stdout, and as the <c>--json FILE</c> document.</summary>
internal static class BenchReport
{
    // The columns from here on are pgbench's.
    private const int FloorColumn = 12;

    private static readonly string[] Headers =
    [
        "Operation", "Clients", "Samples", "Min ms", "p50 ms", "p95 ms", "p99 ms", "Max ms", "Mean ms", "Ops/s",
        "Target", "Result", "pgbench p50 ms", "pgbench ops/s", "p50 vs pgbench", "ops/s vs pgbench",
    ];

    public static IEnumerable<string> Markdown(BenchRun run)
    {
        var columns = run.WithFloor ? Headers.Length : FloorColumn;
        yield return Row(Headers.Take(columns));
        yield return Row(Headers.Take(columns).Select((_, i) => i is 0 or 10 or 11 ? "---" : "--:"));
        foreach (var result in run.Results)
        {
            var ours = result.Ours;
            var floor = result.Floor is { Failure: null } f ? f : null;
            yield return Row(new[]
            {
                result.Operation.Name, Number(result.Clients), Number(ours.Samples), Ms(ours.MinMs), Ms(ours.P50Ms), Ms(ours.P95Ms), Ms(ours.P99Ms),
                Ms(ours.MaxMs), Ms(ours.MeanMs), Number(ours.PerSecond), result.Target.ToString(), result.Passed ? "pass" : "MISSED",
                floor is null ? "-" : Ms(floor.P50Ms), floor is null ? "-" : Number(floor.PerSecond),
                Ratio(result.P50Ratio), Ratio(result.ThroughputRatio),
            }.Take(columns));
        }

        yield return "";
        yield return Invariant($"{run.Results.Count(r => r.Passed)} of {run.Results.Count} targets met ({run.Mode}, {run.Dataset.Describe()}; {run.Seconds} s per operation, PostgreSQL {run.Environment.PostgresVersion}, {run.Environment.CpuCount} CPUs).");
        if (run.FloorNote is not null)
        {
            yield return run.FloorNote;
        }

        foreach (var result in run.Results.Where(r => r.Operation.UnitsPerCall > 1))
        {
            var clients = result.Clients == 1 ? "" : Invariant($", {result.Clients} clients at once");
            yield return Invariant($"{result.Operation.Name}: {Number(result.Ours.UnitsPerSecond)} rows a second ({Number(result.Operation.UnitsPerCall)} a call{clients}).");
        }

        foreach (var result in run.Results.Where(r => r.Check is not null))
        {
            yield return $"{result.Operation.Name}: totals {(result.Check!.Passed ? "exact" : "WRONG")}: {result.Check.Text}.";
        }

        foreach (var result in run.Results.Where(r => r.Floor is { Failure: not null }))
        {
            yield return $"{result.Operation.Name}: no pgbench figures ({result.Floor!.Failure}).";
        }

        // Judged on the ratio as printed, so a row showing 1.30x is never listed.
        var slow = run.Results.Where(r => r.P50Ratio is { } ratio && Math.Round(ratio, 2) > BenchRun.RatioGoal).Select(r => r.Operation.Name).ToList();
        if (slow.Count > 0)
        {
            yield return Invariant($"p50 above {BenchRun.RatioGoal}x pgbench's: {string.Join(", ", slow)} (docs/performance.md says why).");
        }
    }

    public static string Json(BenchRun run) => JsonSerializer.Serialize(new
    {
        benchmark = "operations",
        mode = run.Mode,
        passed = run.Passed,
        concurrency = run.Concurrency,
        writers = run.Writers,
        seconds_per_operation = run.Seconds,
        ratio_goal = BenchRun.RatioGoal,
        data = new
        {
            scale = run.Dataset.Scale,
            seed = run.Dataset.Seed,
            generator = run.Dataset.Generator,
            tag = run.Dataset.Tag,
            created_at = run.Dataset.CreatedAt,
            generated_now = run.GenerationSeconds is not null,
            generation_seconds = run.GenerationSeconds,
            resources = run.Dataset.Resources,
            capabilities = run.Dataset.Capabilities,
            cost_rows = run.Dataset.CostRows,
            federation_nodes = run.Dataset.FederationNodes,
        },
        environment = run.Environment,
        operations = run.Results.Select(r => new
        {
            name = r.Operation.Name,
            description = r.Operation.Description,
            sql = r.Operation.Sql,
            clients = r.Clients,
            samples = r.Ours.Samples,
            min_ms = r.Ours.MinMs,
            p50_ms = r.Ours.P50Ms,
            p95_ms = r.Ours.P95Ms,
            p99_ms = r.Ours.P99Ms,
            max_ms = r.Ours.MaxMs,
            mean_ms = r.Ours.MeanMs,
            throughput_per_second = r.Ours.PerSecond,
            target = r.Target.ToString(),
            target_kind = r.Target.Kind.ToString().ToLowerInvariant(),
            target_value = r.Target.Value,
            units_per_second = r.Ours.UnitsPerSecond,
            passed = r.Passed,
            indexes_used = r.Indexes,
            check = r.Check is null ? null : new { passed = r.Check.Passed, text = r.Check.Text },
            pgbench = r.Floor is null ? null : new
            {
                p50_ms = r.Floor.Failure is null ? r.Floor.P50Ms : (double?)null,
                throughput_per_second = r.Floor.Failure is null ? r.Floor.PerSecond : (double?)null,
                transactions = r.Floor.Transactions,
                failure = r.Floor.Failure,
            },
            p50_ratio = r.P50Ratio,
            throughput_ratio = r.ThroughputRatio,
        }),
    }, MigrateV1View.JsonOptions);

    private static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells) + " |";

    // Three decimals below 10 ms, one above; decided on the rounded value, so 9.9996 prints as 10.0.
    private static string Ms(double value) => value.ToString(Math.Round(value, 3) < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Ratio(double? value) => value is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
