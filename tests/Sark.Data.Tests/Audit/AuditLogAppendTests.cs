using System.Text.Json;
using Sark.Data.Audit;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.Data.Tests.Audit;

/// <summary>AuditLog appends, single and batch, against a real migrated database.</summary>
public sealed class AuditLogAppendTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private AuditLog Log(TimeProvider? clock = null) => new(database.DataSource, clock);

    private async Task<long> CountAsync(string correlationId) =>
        await database.ScalarAsync<long>($"SELECT count(*) FROM audit_events WHERE correlation_id = '{correlationId}'");

    [Fact]
    public async Task The_labels_are_exactly_the_database_enums_in_their_order()
    {
        var types = await database.ScalarAsync<string[]>("SELECT enum_range(NULL::auditeventtype)::text[]");
        var severities = await database.ScalarAsync<string[]>("SELECT enum_range(NULL::severitylevel)::text[]");
        Assert.Equal(17, types.Length);
        Assert.Equal(types, AuditLabels.EventTypes);
        Assert.Equal(severities, AuditLabels.Severities);
        Assert.Equal(Enum.GetValues<AuditEventType>().Select(AuditLabels.Of), types);
    }

    [Fact]
    public async Task A_single_append_round_trips_every_column()
    {
        var log = Log();
        var appended = new List<AuditEvent>();
        for (var n = 0; n < AuditLabels.EventTypes.Count; n++)
        {
            appended.Add(await log.AppendAsync(AuditEvents.Full(n, "corr-single")));
        }

        var read = await log.ByCorrelationAsync("corr-single");
        Assert.Equal(appended.Count, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            AuditEvents.AssertSame(appended[i], read[i]);
        }

        Assert.Equal(Enum.GetValues<AuditEventType>(), read.Select(e => e.EventType));
        Assert.Equal(123456789012.123456m, read[0].EstimatedCost);
    }

    [Fact]
    public async Task A_batch_round_trips_every_column_and_nulls()
    {
        var log = Log();
        var full = Enumerable.Range(0, 40).Select(n => AuditEvents.Full(n, "corr-batch")).ToList();
        var bare = new AuditEvent { EventType = AuditEventType.UserLogin, CorrelationId = "corr-batch", Timestamp = AuditEvents.Start.AddDays(1) };
        Assert.Equal(41, await log.AppendBatchAsync([.. full, bare]));

        var read = await log.ByCorrelationAsync("corr-batch");
        Assert.Equal(41, read.Count);
        for (var i = 0; i < full.Count; i++)
        {
            // The test's timestamps are UTC whole microseconds already: stored as given.
            AuditEvents.AssertSame(full[i], read[i]);
        }

        var last = read[^1];
        AuditEvents.AssertSame(bare, last);
        Assert.Equal(AuditSeverity.Low, last.Severity);
        Assert.Equal("{}", last.Details.GetRawText());
        Assert.Null(last.UserId);
        Assert.Null(last.ActualCost);
    }

    [Fact]
    public async Task Times_are_stored_in_utc_to_the_microsecond_and_a_missing_one_is_the_clock()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero).AddTicks(1234567));
        var log = Log(clock);
        var paris = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(1)).AddTicks(7);
        var stored = await log.AppendAsync(new AuditEvent { EventType = AuditEventType.ToolInvoked, Timestamp = paris, SiemForwarded = paris, CorrelationId = "corr-time" });
        var defaulted = await log.AppendAsync(new AuditEvent { EventType = AuditEventType.ToolInvoked, CorrelationId = "corr-time" });
        Assert.Equal(1, await log.AppendBatchAsync([new AuditEvent { EventType = AuditEventType.ToolInvoked, CorrelationId = "corr-time" }]));

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), stored.Timestamp);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp!.Value.Offset);
        Assert.Equal(clock.Now.AddTicks(-7), defaulted.Timestamp);
        var read = await log.ByCorrelationAsync("corr-time");
        Assert.Equal([clock.Now.AddTicks(-7), clock.Now.AddTicks(-7), stored.Timestamp!.Value], read.Select(e => e.Timestamp!.Value));
        Assert.Equal(stored.SiemForwarded, read[2].SiemForwarded);
    }

    [Fact]
    public async Task A_batch_of_twenty_thousand_lands_completely()
    {
        var events = Enumerable.Range(0, 20_000).Select(n => new AuditEvent
        {
            EventType = AuditEventType.ToolInvoked,
            Timestamp = AuditEvents.Start.AddMilliseconds(n),
            CorrelationId = "corr-20k",
            ToolName = $"tool_{n}",
            ActualCost = n * 0.5m,
        }).ToList();
        Assert.Equal(20_000, await Log().AppendBatchAsync(events));
        Assert.Equal(20_000, await CountAsync("corr-20k"));
        Assert.Equal(20_000 * 19_999 / 4m, await database.ScalarAsync<decimal>("SELECT sum(actual_cost) FROM audit_events WHERE correlation_id = 'corr-20k'"));
    }

    [Fact]
    public async Task A_data_source_that_connected_before_the_schema_existed_appends_batches()
    {
        // A host that migrates at start-up: its data source loaded the database's types before
        // migration 004 created the audit enums, so the batch must not need them named.
        await using var empty = await TestDatabase.CreateEmptyAsync();
        await using (var first = await empty.OpenAsync())
        {
            Assert.Equal(0L, await empty.ScalarAsync<long>("SELECT count(*) FROM pg_type WHERE typname = 'auditeventtype'"));
        }

        await new Sark.Data.Schema.MigrationRunner(empty.DataSource, Sark.Data.Schema.MigrationSet.Embedded).MigrateAsync();
        var log = new AuditLog(empty.DataSource);
        Assert.Equal(2, await log.AppendBatchAsync([AuditEvents.Full(1, "corr-early"), AuditEvents.Full(2, "corr-early")]));
        Assert.Equal(AuditEventType.CrossOrgRequest, (await log.AppendAsync(new AuditEvent { EventType = AuditEventType.CrossOrgRequest, CorrelationId = "corr-early" })).EventType);
        Assert.Equal(3L, await empty.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE correlation_id = 'corr-early'"));
    }

    [Fact]
    public async Task A_bad_event_anywhere_in_a_batch_writes_nothing()
    {
        var good = Enumerable.Range(0, 100).Select(n => new AuditEvent { EventType = AuditEventType.UserLogin, CorrelationId = "corr-bad-batch" }).ToList();
        var bad = new AuditEvent { EventType = AuditEventType.UserLogin, CorrelationId = "corr-bad-batch", Decision = new string('x', 21) };
        var error = await Assert.ThrowsAsync<UsageException>(() => Log().AppendBatchAsync([.. good, bad, .. good.Take(3).Select(e => e with { Id = Guid.NewGuid() })]));
        Assert.Contains("#101 of the batch", error.Message, StringComparison.Ordinal);
        Assert.Contains("decision is 21 characters long; expected at most 20", error.Message, StringComparison.Ordinal);

        // Refused by the database half way through the COPY: still nothing.
        var duplicate = good[0] with { };
        var conflict = await Assert.ThrowsAsync<DatabaseException>(() => Log().AppendBatchAsync([.. good, duplicate]));
        Assert.Equal(SarkErrorKind.Conflict, conflict.Kind);
        Assert.Equal(0, await CountAsync("corr-bad-batch"));
    }

    [Fact]
    public async Task An_id_already_stored_is_a_conflict_and_the_first_event_stays()
    {
        var log = Log();
        var first = await log.AppendAsync(new AuditEvent { EventType = AuditEventType.PolicyCreated, CorrelationId = "corr-dup", Decision = "first" });
        var error = await Assert.ThrowsAsync<DatabaseException>(() => log.AppendAsync(first with { Decision = "second" }));
        Assert.Equal(SarkErrorKind.Conflict, error.Kind);
        Assert.Contains(first.Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal("first", Assert.Single(await log.ByCorrelationAsync("corr-dup")).Decision);
        await Assert.ThrowsAsync<DatabaseException>(() => log.AppendBatchAsync([first]));
    }

    public static TheoryData<string, AuditEvent, string> BadEvents => new()
    {
        { "undefined type", new AuditEvent { EventType = (AuditEventType)99 }, "event type 99 is not an AuditEventType" },
        { "undefined severity", new AuditEvent { EventType = AuditEventType.UserLogin, Severity = (AuditSeverity)(-1) }, "severity -1 is not an AuditSeverity" },
        { "details array", new AuditEvent { EventType = AuditEventType.UserLogin, Details = JsonDocument.Parse("[1]").RootElement }, "details is a JSON array; expected a JSON object" },
        { "details missing", new AuditEvent { EventType = AuditEventType.UserLogin, Details = default }, "details is missing; expected a JSON object" },
        { "negative cost", new AuditEvent { EventType = AuditEventType.UserLogin, ActualCost = -0.000001m }, "actual_cost -0.000001 is out of range" },
        { "too big cost", new AuditEvent { EventType = AuditEventType.UserLogin, EstimatedCost = 1_000_000_000_000m }, "estimated_cost 1000000000000 is out of range" },
        { "too precise cost", new AuditEvent { EventType = AuditEventType.UserLogin, EstimatedCost = 0.0000001m }, "at most 6 decimal places" },
        { "empty id", new AuditEvent { EventType = AuditEventType.UserLogin, Id = Guid.Empty }, "has the empty id" },
        { "lone surrogate", new AuditEvent { EventType = AuditEventType.UserLogin, UserEmail = "a\ud800" }, "user_email holds a lone surrogate" },
        { "escaped NUL in details", new AuditEvent { EventType = AuditEventType.UserLogin, Details = JsonDocument.Parse("{\"a\": \"\\u0000\"}").RootElement }, "details" },
        { "user_email", new AuditEvent { EventType = AuditEventType.UserLogin, UserEmail = new string('e', 256) }, "user_email is 256 characters long; expected at most 255" },
        { "tool_name", new AuditEvent { EventType = AuditEventType.UserLogin, ToolName = new string('t', 256) }, "tool_name is 256" },
        { "ip_address", new AuditEvent { EventType = AuditEventType.UserLogin, IpAddress = new string('1', 46) }, "ip_address is 46" },
        { "user_agent", new AuditEvent { EventType = AuditEventType.UserLogin, UserAgent = new string('u', 501) }, "user_agent is 501" },
        { "request_id", new AuditEvent { EventType = AuditEventType.UserLogin, RequestId = new string('r', 101) }, "request_id is 101" },
        { "principal_org", new AuditEvent { EventType = AuditEventType.UserLogin, PrincipalOrg = new string('o', 256) }, "principal_org is 256" },
        { "resource_protocol", new AuditEvent { EventType = AuditEventType.UserLogin, ResourceProtocol = new string('p', 51) }, "resource_protocol is 51" },
        { "capability_id", new AuditEvent { EventType = AuditEventType.UserLogin, CapabilityId = new string('c', 256) }, "capability_id is 256" },
        { "correlation_id", new AuditEvent { EventType = AuditEventType.UserLogin, CorrelationId = new string('k', 101) }, "correlation_id is 101" },
        { "source_node", new AuditEvent { EventType = AuditEventType.UserLogin, SourceNode = new string('s', 256) }, "source_node is 256" },
        { "target_node", new AuditEvent { EventType = AuditEventType.UserLogin, TargetNode = new string('n', 256) }, "target_node is 256" },
        { "nul", new AuditEvent { EventType = AuditEventType.UserLogin, ToolName = "a\0b" }, "tool_name holds a NUL character" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task A_bad_event_is_refused_before_connecting(string what, AuditEvent bad, string expected)
    {
        // A data source on a closed port: any attempt to connect would fail as Unavailable instead.
        var offline = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1");
        var log = new AuditLog(offline);
        var single = await Assert.ThrowsAsync<UsageException>(() => log.AppendAsync(bad));
        Assert.Contains(expected, single.Message, StringComparison.Ordinal);
        var batch = await Assert.ThrowsAsync<UsageException>(() => log.AppendBatchAsync([bad]));
        Assert.Contains(expected, batch.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task Lengths_count_characters_not_utf16_units_and_null_input_is_refused()
    {
        var log = Log();
        var emoji = string.Concat(Enumerable.Repeat("🙂", 20));
        var stored = await log.AppendAsync(new AuditEvent { EventType = AuditEventType.UserLogin, Decision = emoji, CorrelationId = "corr-emoji" });
        Assert.Equal(emoji, Assert.Single(await log.ByCorrelationAsync("corr-emoji")).Decision);
        Assert.Equal(stored.Id, (await log.ByCorrelationAsync("corr-emoji"))[0].Id);

        await Assert.ThrowsAsync<UsageException>(() => log.AppendAsync(null!));
        await Assert.ThrowsAsync<UsageException>(() => log.AppendBatchAsync(null!));
        await Assert.ThrowsAsync<UsageException>(() => log.AppendBatchAsync([null!]));
        Assert.Equal(0, await log.AppendBatchAsync([]));
        Assert.Throws<ArgumentNullException>(() => new AuditLog(null!));
    }
}
