using System.Globalization;

namespace Sark.Cli.Bench;

/// <summary>What an operation's target bounds: a latency percentile, or the throughput.</summary>
internal enum BenchTargetKind
{
    /// <summary>The p95 latency must stay under the value, in milliseconds.</summary>
    P95,

    /// <summary>The p99 latency must stay under the value, in milliseconds.</summary>
    P99,

    /// <summary>At least the value per second (rows or events, whatever one unit of the operation is).</summary>
    PerSecond,
}

/// <summary>
/// An operation's target: "p95 &lt; 5" (ms), "p99 &lt; 1" (ms) or "&gt;= 50,000/s". Latency targets
/// are strict ("under 5 ms"): a figure equal to the target misses it; a throughput target is met
/// at the value.
/// </summary>
internal sealed record BenchTarget(BenchTargetKind Kind, double Value)
{
    public static BenchTarget P95(double milliseconds) => new(BenchTargetKind.P95, milliseconds);

    public static BenchTarget P99(double milliseconds) => new(BenchTargetKind.P99, milliseconds);

    public static BenchTarget PerSecond(double units) => new(BenchTargetKind.PerSecond, units);

    /// <summary>The unit a <c>--targets</c> file gives this target's value in.</summary>
    public string Unit => Kind == BenchTargetKind.PerSecond ? "per second" : "milliseconds";

    /// <summary>The figure the target judges, from <paramref name="summary"/>.</summary>
    public double Measured(LatencySummary summary) => Kind switch
    {
        BenchTargetKind.P95 => summary.P95Ms,
        BenchTargetKind.P99 => summary.P99Ms,
        _ => summary.UnitsPerSecond,
    };

    public bool IsMet(LatencySummary summary) =>
        Kind == BenchTargetKind.PerSecond ? Measured(summary) >= Value : Measured(summary) < Value;

    /// <summary>The same kind of target with another value (from <c>--targets</c>).</summary>
    public BenchTarget WithValue(double value) => this with { Value = value };

    public override string ToString() => Kind switch
    {
        BenchTargetKind.P95 => $"p95 < {Format(Value)}",
        BenchTargetKind.P99 => $"p99 < {Format(Value)}",
        _ => $">= {Value.ToString("#,0.#########", CultureInfo.InvariantCulture)}/s",
    };

    private static string Format(double value) => value.ToString("0.#########", CultureInfo.InvariantCulture);
}
