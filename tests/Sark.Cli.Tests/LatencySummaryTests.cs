using Sark.Cli.Bench;

namespace Sark.Cli.Tests;

/// <summary>The benchmark's statistics: nearest-rank percentiles over every sample, throughput over the measured time.</summary>
public sealed class LatencySummaryTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_every_sample()
    {
        // 1..100 shuffled: the p-th percentile of nearest rank is the value at rank ceil(p * n).
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).OrderBy(i => (i * 37) % 101).ToList();

        var summary = LatencySummary.From(samples, seconds: 4);

        Assert.Equal((100L, 1d, 50d, 95d, 99d, 100d, 50.5, 25d),
            (summary.Samples, summary.MinMs, summary.P50Ms, summary.P95Ms, summary.P99Ms, summary.MaxMs, summary.MeanMs, summary.PerSecond));
    }

    [Fact]
    public void Few_samples_round_up_to_the_next_rank()
    {
        var summary = LatencySummary.From([3, 1, 2], seconds: 1);

        // ceil(0.5 * 3) = 2nd, ceil(0.95 * 3) = 3rd.
        Assert.Equal((2d, 3d, 3d), (summary.P50Ms, summary.P95Ms, summary.P99Ms));
    }

    [Fact]
    public void One_sample_is_every_percentile()
    {
        var summary = LatencySummary.From([7.5], seconds: 0.5);
        Assert.Equal((7.5, 7.5, 7.5, 7.5, 2d), (summary.MinMs, summary.P50Ms, summary.P99Ms, summary.MaxMs, summary.PerSecond));
    }

    [Fact]
    public void A_batch_call_counts_its_units_per_second()
    {
        var summary = LatencySummary.From([10, 20], seconds: 2, unitsPerCall: 1000);
        Assert.Equal((1d, 1000d), (summary.PerSecond, summary.UnitsPerSecond));
    }

    [Theory]
    [InlineData("P95", 5, 4.9, true)]
    [InlineData("P95", 5, 5.0, false)]
    [InlineData("P99", 1, 0.99, true)]
    [InlineData("P99", 1, 1.0, false)]
    [InlineData("PerSecond", 50000, 50000, true)]
    [InlineData("PerSecond", 50000, 49999, false)]
    public void Latency_targets_are_strict_and_throughput_targets_are_met_at_the_value(string kindName, double target, double measured, bool met)
    {
        var kind = Enum.Parse<BenchTargetKind>(kindName);
        // Every figure the same, so the target reads the one it names.
        var summary = new LatencySummary(1, measured, measured, measured, measured, measured, measured, measured, measured);
        Assert.Equal(met, new BenchTarget(kind, target).IsMet(summary));
    }

    [Fact]
    public void Targets_print_what_they_judge()
    {
        Assert.Equal(["p95 < 5", "p99 < 0.5", ">= 50,000/s"], new[] { BenchTarget.P95(5), BenchTarget.P99(0.5), BenchTarget.PerSecond(50000) }.Select(t => t.ToString()));
    }
}
