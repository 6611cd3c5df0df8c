using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Federation;
using Sark.Testing;

namespace Sark.Data.Tests.Federation;

public sealed class FederationRateLimitTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset TenPast = new(2031, 3, 14, 15, 10, 0, TimeSpan.Zero);

    private async Task<(FederationRegistry Registry, ManualClock Clock)> NodeAsync(string nodeId, int limit)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var registry = new FederationRegistry(fixture.Database.DataSource, timeProvider: clock);
        await registry.RegisterAsync(new NodeRegistration
        {
            NodeId = nodeId, Name = nodeId, Endpoint = "https://peer.example.org", TrustAnchorPem = TestCertificates.ValidPem(), RateLimitPerHour = limit,
        });
        clock.Now = TenPast; // certificates are checked against it from here on; requests are counted by its hour
        return (registry, clock);
    }

    [Fact]
    public async Task Under_concurrency_from_32_connections_exactly_the_limit_succeeds()
    {
        const int limit = 50;
        var (registry, _) = await NodeAsync("busy-node", limit);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            var results = new List<Exception?>();
            for (var i = 0; i < 3; i++)
            {
                try
                {
                    await registry.ConsumeRequestAsync("busy-node");
                    results.Add(null);
                }
                catch (SarkException ex)
                {
                    results.Add(ex);
                }
            }

            return results;
        })));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(96, all.Count);
        Assert.Equal(limit, all.Count(e => e is null));
        var refusals = all.OfType<RequestLimitExceededException>().ToList();
        Assert.Equal(96 - limit, refusals.Count);
        Assert.All(refusals, e =>
        {
            Assert.Equal(SarkErrorKind.LimitExceeded, e.Kind);
            Assert.Equal(limit, e.Limit);
            Assert.Equal(new DateTimeOffset(2031, 3, 14, 16, 0, 0, TimeSpan.Zero), e.ResetsAt);
        });
        Assert.Equal(
            "federation node 'busy-node' reached its limit of 50 requests per hour; refused until 2031-03-14T16:00:00Z (the next UTC hour)",
            refusals[0].Message);
        Assert.Equal(limit, await registry.GetRequestCountAsync("busy-node"));
    }

    [Fact]
    public async Task The_count_is_persisted_and_shared_with_a_second_data_source()
    {
        var (first, clock) = await NodeAsync("shared-node", 5);
        await using var otherSource = NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var second = new FederationRegistry(otherSource, timeProvider: clock);

        var allowance = await first.ConsumeRequestAsync("shared-node");
        Assert.Equal((1, 4, 5), (allowance.Used, allowance.Remaining, allowance.Limit));
        await first.ConsumeRequestAsync("shared-node");
        await second.ConsumeRequestAsync("shared-node");
        await second.ConsumeRequestAsync("shared-node");
        var last = await first.ConsumeRequestAsync("shared-node");

        Assert.Equal(5, last.Used);
        Assert.Equal(0, last.Remaining);
        Assert.Equal(new DateTimeOffset(2031, 3, 14, 16, 0, 0, TimeSpan.Zero), last.ResetsAt);
        Assert.Equal(5, await second.GetRequestCountAsync("shared-node"));
        await Assert.ThrowsAsync<RequestLimitExceededException>(() => second.ConsumeRequestAsync("shared-node"));
        Assert.Equal(5, await FederationDatabase.CountAsync(fixture.Database.DataSource,
            "SELECT requests FROM federation_request_counts WHERE node_id = 'shared-node'"));
    }

    [Fact]
    public async Task The_next_hour_starts_from_zero()
    {
        var (registry, clock) = await NodeAsync("hourly-node", 2);
        await registry.ConsumeRequestAsync("hourly-node");
        await registry.ConsumeRequestAsync("hourly-node");
        await Assert.ThrowsAsync<RequestLimitExceededException>(() => registry.ConsumeRequestAsync("hourly-node"));

        clock.Now = new DateTimeOffset(2031, 3, 14, 16, 0, 0, TimeSpan.Zero);

        Assert.Equal(1, (await registry.ConsumeRequestAsync("hourly-node")).Used);
        Assert.Equal(2, await FederationDatabase.CountAsync(fixture.Database.DataSource,
            "SELECT count(*) FROM federation_request_counts WHERE node_id = 'hourly-node'"));
    }

    [Fact]
    public async Task A_disabled_node_is_refused_and_nothing_is_counted()
    {
        var (registry, _) = await NodeAsync("revoked-node", 10);
        await registry.DisableAsync("revoked-node");

        var error = await Assert.ThrowsAsync<SarkException>(() => registry.ConsumeRequestAsync("revoked-node"));

        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Equal("federation node 'revoked-node' is disabled (trust revoked); its requests are refused", error.Message);
        Assert.Equal(0, await registry.GetRequestCountAsync("revoked-node"));
    }

    [Fact]
    public async Task Cleanup_deletes_only_counters_older_than_a_day()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var registry = new FederationRegistry(database.DataSource, timeProvider: clock);
        await registry.RegisterAsync(new NodeRegistration { NodeId = "old-node", Name = "old", Endpoint = "https://peer.example.org", TrustAnchorPem = TestCertificates.ValidPem() });
        foreach (var hoursAgo in new[] { 49, 26, 25, 24, 23, 1, 0 })
        {
            clock.Now = TenPast.AddHours(-hoursAgo);
            await registry.ConsumeRequestAsync("old-node");
        }

        clock.Now = TenPast;
        Assert.Equal(3, await registry.CleanupRequestCountsAsync());
        Assert.Equal(0, await registry.CleanupRequestCountsAsync());
        Assert.Equal(4, await FederationDatabase.CountAsync(database.DataSource, "SELECT count(*) FROM federation_request_counts"));
        Assert.Equal(1, await registry.GetRequestCountAsync("old-node"));
        Assert.Equal(1, await registry.CleanupRequestCountsAsync(TimeSpan.FromHours(23)));
    }
}
