using System.Text.Json;
using Sark.Data.Audit;

namespace Sark.Data.Tests.Audit;

/// <summary>Events for the audit tests, and the comparison of an event with what was read back.</summary>
internal static class AuditEvents
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An event with every column set, values varying with <paramref name="n"/>.</summary>
    public static AuditEvent Full(int n, string correlationId = "corr-full") => new()
    {
        Timestamp = Start.AddSeconds(n).AddTicks(10 * (n % 1000)),
        EventType = (AuditEventType)(n % AuditLabels.EventTypes.Count),
        Severity = (AuditSeverity)(n % 4),
        UserId = Guid.NewGuid(),
        UserEmail = $"user{n}@example.org",
        ServerId = Guid.NewGuid(),
        ToolName = $"tool_{n}",
        Decision = n % 2 == 0 ? "allow" : "deny",
        PolicyId = Guid.NewGuid(),
        IpAddress = "2001:db8::" + (n % 65536).ToString("x", System.Globalization.CultureInfo.InvariantCulture),
        UserAgent = "sark-tests/1.0",
        RequestId = $"req-{n}",
        Details = JsonDocument.Parse($$"""{"n": {{n}}, "nested": {"list": [1, "two", null]}, "text": "é \" \\ ✓"}""").RootElement,
        SiemForwarded = Start.AddMinutes(n),
        PrincipalOrg = "org-" + (n % 3),
        ResourceProtocol = "mcp",
        CapabilityId = $"cap-{n}",
        CorrelationId = correlationId,
        SourceNode = "node-a",
        TargetNode = "node-b",
        EstimatedCost = 123456789012.123456m - n,
        ActualCost = 0.000001m * n,
    };

    /// <summary>Asserts that <paramref name="actual"/> holds exactly what <paramref name="expected"/> was stored as.</summary>
    public static void AssertSame(AuditEvent expected, AuditEvent actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(TimeSpan.Zero, actual.Timestamp!.Value.Offset);
        Assert.Equal(expected.EventType, actual.EventType);
        Assert.Equal(expected.Severity, actual.Severity);
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.UserEmail, actual.UserEmail);
        Assert.Equal(expected.ServerId, actual.ServerId);
        Assert.Equal(expected.ToolName, actual.ToolName);
        Assert.Equal(expected.Decision, actual.Decision);
        Assert.Equal(expected.PolicyId, actual.PolicyId);
        Assert.Equal(expected.IpAddress, actual.IpAddress);
        Assert.Equal(expected.UserAgent, actual.UserAgent);
        Assert.Equal(expected.RequestId, actual.RequestId);
        Assert.True(JsonElement.DeepEquals(expected.Details, actual.Details), $"details {expected.Details} came back as {actual.Details}");
        Assert.Equal(expected.SiemForwarded, actual.SiemForwarded);
        Assert.Equal(expected.PrincipalOrg, actual.PrincipalOrg);
        Assert.Equal(expected.ResourceProtocol, actual.ResourceProtocol);
        Assert.Equal(expected.CapabilityId, actual.CapabilityId);
        Assert.Equal(expected.CorrelationId, actual.CorrelationId);
        Assert.Equal(expected.SourceNode, actual.SourceNode);
        Assert.Equal(expected.TargetNode, actual.TargetNode);
        Assert.Equal(expected.EstimatedCost, actual.EstimatedCost);
        Assert.Equal(expected.ActualCost, actual.ActualCost);
    }
}

/// <summary>A clock that says what the test tells it.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
