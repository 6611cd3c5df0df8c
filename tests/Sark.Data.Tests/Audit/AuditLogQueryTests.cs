using System.Reflection;
using Sark.Data.Audit;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.Data.Tests.Audit;

/// <summary>AuditLog queries: traces, filters, keyset pagination; each test uses its own org or correlation ids.</summary>
public sealed class AuditLogQueryTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly AuditLog log = new(fixture.Database.DataSource);

    private static AuditEvent At(int second, string org, AuditEventType type = AuditEventType.ToolInvoked, AuditSeverity severity = AuditSeverity.Low) =>
        new() { Timestamp = AuditEvents.Start.AddSeconds(second), EventType = type, Severity = severity, PrincipalOrg = org };

    private async Task<List<AuditEvent>> AllPagesAsync(AuditQuery query)
    {
        var all = new List<AuditEvent>();
        for (string? cursor = null; ;)
        {
            var page = await log.QueryAsync(query with { Cursor = cursor });
            all.AddRange(page.Items);
            if ((cursor = page.NextCursor) is null)
            {
                return all;
            }
        }
    }

    [Fact]
    public async Task A_correlation_id_returns_every_hop_across_three_nodes_in_time_order()
    {
        // Three nodes each record their part of two requests, interleaved, plus an unrelated one;
        // each node appends separately, as three processes would.
        var hops = new (string Node, string? From, string? To)[] { ("node-a", null, "node-b"), ("node-b", "node-a", "node-c"), ("node-c", "node-b", null) };
        var expected = new List<AuditEvent>();
        for (var i = 0; i < hops.Length; i++)
        {
            var node = new AuditLog(fixture.Database.DataSource);
            var (name, from, to) = hops[i];
            var mine = At((i * 10) + 1, "org-trace", AuditEventType.CrossOrgRequest) with { CorrelationId = "trace-1", SourceNode = from ?? name, TargetNode = to ?? name, Details = System.Text.Json.JsonDocument.Parse($$"""{"node": "{{name}}"}""").RootElement };
            var other = At((i * 10) + 2, "org-trace") with { CorrelationId = "trace-2", SourceNode = name };
            var late = At(100 - i, "org-trace", AuditEventType.CrossOrgAuthorization) with { CorrelationId = "trace-1", SourceNode = name, TargetNode = name };
            await node.AppendBatchAsync([other, late]);
            expected.Add(await node.AppendAsync(mine));
            expected.Add(late);
        }

        await log.AppendAsync(At(5, "org-trace") with { CorrelationId = "trace-10" });
        var trace = await log.ByCorrelationAsync("trace-1");
        var ordered = expected.OrderBy(e => e.Timestamp).ToList();
        Assert.Equal(ordered.Select(e => e.Id), trace.Select(e => e.Id));
        Assert.Equal(["node-a", "node-b", "node-c"], trace.Take(3).Select(e => e.Details.GetProperty("node").GetString()));
        Assert.Equal(["node-a", "node-a", "node-b"], trace.Take(3).Select(e => e.SourceNode));
        Assert.Equal(["node-b", "node-c", "node-c"], trace.Take(3).Select(e => e.TargetNode));
        Assert.Equal(6, trace.Count);
        Assert.Empty(await log.ByCorrelationAsync("trace-none"));

        // The same trace through QueryAsync: newest first.
        var page = await log.QueryAsync(new AuditQuery { CorrelationId = "trace-1" });
        Assert.Equal(ordered.Select(e => e.Id).Reverse(), page.Items.Select(e => e.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Principal_org_and_time_range_filter_together()
    {
        var userId = Guid.NewGuid();
        var events = Enumerable.Range(0, 30).Select(n => At(n, n % 2 == 0 ? "org-p1" : "org-p2") with
        {
            UserId = n % 3 == 0 ? userId : Guid.NewGuid(),
            UserEmail = n % 3 == 0 ? "Ada@example.org" : "bob@example.org",
        }).ToList();
        await log.AppendBatchAsync(events);

        var since = AuditEvents.Start.AddSeconds(6);
        var until = AuditEvents.Start.AddSeconds(24);
        bool InRange(AuditEvent e) => e.Timestamp >= since && e.Timestamp < until;
        var byId = await log.QueryAsync(new AuditQuery { Principal = userId.ToString(), Org = "org-p1", Since = since, Until = until });
        Assert.Equal(events.Where(e => e.UserId == userId && e.PrincipalOrg == "org-p1" && InRange(e)).Select(e => e.Id).Reverse(), byId.Items.Select(e => e.Id));
        Assert.Equal([18, 12, 6], byId.Items.Select(e => (int)(e.Timestamp!.Value - AuditEvents.Start).TotalSeconds));

        var byEmail = await log.QueryAsync(new AuditQuery { Principal = "Ada@example.org", Org = "org-p1", Until = until });
        Assert.Equal([18, 12, 6, 0], byEmail.Items.Select(e => (int)(e.Timestamp!.Value - AuditEvents.Start).TotalSeconds));
        Assert.Empty((await log.QueryAsync(new AuditQuery { Principal = "ada@example.org", Org = "org-p1" })).Items);

        // A time zone other than UTC names the same instant.
        var shifted = await log.QueryAsync(new AuditQuery { Org = "org-p2", Since = since.ToOffset(TimeSpan.FromHours(-5)), Until = until.ToOffset(TimeSpan.FromHours(9)) });
        Assert.Equal(events.Where(e => e.PrincipalOrg == "org-p2" && InRange(e)).Select(e => e.Id).Reverse(), shifted.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task Types_and_minimum_severity_filter_together()
    {
        var types = Enum.GetValues<AuditEventType>();
        var events = Enumerable.Range(0, 68).Select(n => At(n, "org-ts", types[n % types.Length], (AuditSeverity)(n % 4))).ToList();
        await log.AppendBatchAsync(events);

        AuditEventType[] wanted = [AuditEventType.AuthorizationDenied, AuditEventType.SecurityViolation, AuditEventType.CostLimitExceeded];
        var found = await AllPagesAsync(new AuditQuery { Org = "org-ts", EventTypes = wanted, MinimumSeverity = AuditSeverity.High, Limit = 2 });
        var expected = events.Where(e => wanted.Contains(e.EventType) && e.Severity >= AuditSeverity.High).Select(e => e.Id).Reverse().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, found.Select(e => e.Id));

        var critical = await AllPagesAsync(new AuditQuery { Org = "org-ts", MinimumSeverity = AuditSeverity.Critical });
        Assert.Equal(17, critical.Count);
        Assert.All(critical, e => Assert.Equal(AuditSeverity.Critical, e.Severity));
    }

    [Fact]
    public async Task Pages_cover_every_row_exactly_once_newest_first_while_rows_are_appended()
    {
        // Ties on the timestamp (a batch shares one) are ordered by id.
        var existing = Enumerable.Range(0, 500).Select(n => At(n / 7, "org-page")).ToList();
        await log.AppendBatchAsync(existing);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var appended = 0;
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                // Newer rows and rows back-dated into the middle of what is being paged.
                await log.AppendAsync(At(n % 2 == 0 ? 10_000 + n : n % 70, "org-page"));
                appended++;
            }

            return appended;
        });

        var seen = new List<AuditEvent>();
        var pages = 0;
        for (string? cursor = null; ;)
        {
            var page = await log.QueryAsync(new AuditQuery { Org = "org-page", Limit = 37, Cursor = cursor });
            seen.AddRange(page.Items);
            pages++;
            await Task.Delay(5);
            if ((cursor = page.NextCursor) is null)
            {
                break;
            }
        }

        await stop.CancelAsync();
        Assert.True(await writer > 0);
        Assert.True(pages > 10);
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.Empty(existing.Select(e => e.Id).Except(seen.Select(e => e.Id)));
        var keys = seen.Select(e => (e.Timestamp!.Value, e.Id)).ToList();
        Assert.Equal(keys.OrderByDescending(k => k.Value).ThenByDescending(k => k.Id).ToList(), keys);
    }

    [Fact]
    public async Task A_changed_or_foreign_cursor_is_refused()
    {
        await log.AppendBatchAsync(Enumerable.Range(0, 5).Select(n => At(n, "org-cursor")));
        var first = await log.QueryAsync(new AuditQuery { Org = "org-cursor", Limit = 2 });
        var cursor = first.NextCursor!;
        Assert.Equal(2, (await log.QueryAsync(new AuditQuery { Org = "org-cursor", Limit = 2, Cursor = cursor })).Items.Count);

        var tampered = cursor[..5] + (cursor[5] == 'A' ? 'B' : 'A') + cursor[6..];
        var changed = await Assert.ThrowsAsync<UsageException>(() => log.QueryAsync(new AuditQuery { Org = "org-cursor", Cursor = tampered }));
        Assert.Contains("is not a cursor a page returned", changed.Message, StringComparison.Ordinal);
        var foreign = await Assert.ThrowsAsync<UsageException>(() => log.QueryAsync(new AuditQuery { Org = "org-other", Cursor = cursor }));
        Assert.Contains("belongs to another listing or other filters", foreign.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UsageException>(() => log.QueryAsync(new AuditQuery { Org = "org-cursor", MinimumSeverity = AuditSeverity.Low, Cursor = cursor }));
    }

    [Fact]
    public async Task A_cursor_continues_when_the_time_range_moves_between_pages()
    {
        // "The last N minutes" is recomputed for every page: the cursor must still be accepted.
        await log.AppendBatchAsync(Enumerable.Range(0, 5).Select(n => At(n, "org-moving")));
        var first = await log.QueryAsync(new AuditQuery { Org = "org-moving", Since = AuditEvents.Start.AddSeconds(-10), Limit = 2 });
        var next = await log.QueryAsync(new AuditQuery { Org = "org-moving", Since = AuditEvents.Start.AddSeconds(-9), Until = AuditEvents.Start.AddHours(1), Limit = 2, Cursor = first.NextCursor });

        Assert.Equal([AuditEvents.Start.AddSeconds(4), AuditEvents.Start.AddSeconds(3)], first.Items.Select(e => e.Timestamp!.Value));
        Assert.Equal([AuditEvents.Start.AddSeconds(2), AuditEvents.Start.AddSeconds(1)], next.Items.Select(e => e.Timestamp!.Value));
    }

    public static TheoryData<string, AuditQuery, string> BadQueries => new()
    {
        { "limit 0", new AuditQuery { Limit = 0 }, "limit 0 is out of range" },
        { "limit 1001", new AuditQuery { Limit = 1001 }, "limit 1001 is out of range" },
        { "empty types", new AuditQuery { EventTypes = [] }, "event types is an empty list" },
        { "undefined type", new AuditQuery { EventTypes = [(AuditEventType)40] }, "event type 40 is not an AuditEventType" },
        { "undefined severity", new AuditQuery { MinimumSeverity = (AuditSeverity)7 }, "severity 7 is not an AuditSeverity" },
        { "range", new AuditQuery { Since = AuditEvents.Start, Until = AuditEvents.Start }, "is not before until" },
        { "blank org", new AuditQuery { Org = " " }, "org is empty" },
        { "blank principal", new AuditQuery { Principal = "" }, "principal is empty" },
        { "long correlation", new AuditQuery { CorrelationId = new string('c', 101) }, "correlation id is 101 characters long" },
        { "garbage cursor", new AuditQuery { Cursor = "garbage" }, "is not a cursor a page returned" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_is_refused_before_connecting(string what, AuditQuery query, string expected)
    {
        var offline = new AuditLog(Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1"));
        var error = await Assert.ThrowsAsync<UsageException>(() => offline.QueryAsync(query));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task Bad_arguments_of_the_trace_and_query_are_refused()
    {
        var offline = new AuditLog(Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1"));
        await Assert.ThrowsAsync<UsageException>(() => offline.QueryAsync(null!));
        await Assert.ThrowsAsync<UsageException>(() => offline.ByCorrelationAsync(null!));
        await Assert.ThrowsAsync<UsageException>(() => offline.ByCorrelationAsync("  "));
        var tooLong = await Assert.ThrowsAsync<UsageException>(() => offline.ByCorrelationAsync(new string('c', 101)));
        Assert.Contains("expected at most 100", tooLong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_log_is_append_only_for_callers()
    {
        var methods = typeof(AuditLog).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["AppendAsync", "AppendBatchAsync", "ByCorrelationAsync", "QueryAsync"], methods);
        Assert.DoesNotContain(typeof(AuditLog).Assembly.GetExportedTypes().SelectMany(t => t.GetMethods()),
            m => m.DeclaringType!.Namespace == "Sark.Data.Audit" && (m.Name.Contains("Delete", StringComparison.Ordinal) || m.Name.Contains("Update", StringComparison.Ordinal)));
    }
}
