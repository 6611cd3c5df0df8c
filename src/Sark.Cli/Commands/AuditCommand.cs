using System.CommandLine;
using System.Globalization;
using Sark.Data.Audit;
using Sark.Data.Errors;
using Sark.Data.Paging;

namespace Sark.Cli.Commands;

/// <summary><c>sark audit query</c>: reads the audit trail through <see cref="AuditLog"/>, newest first.</summary>
internal static class AuditCommand
{
    private static readonly Option<string?> CorrelationId = Text("--correlation-id", "Only events of this correlation id (every hop of one federated request)", "a correlation id");
    private static readonly Option<string?> Principal = Text("--principal", "Only events of this principal: a user id (UUID) or an email address, as stored", "a user id or an email address");
    private static readonly Option<string?> Org = Text("--org", "Only events of this principal organisation", "an organisation");
    private static readonly Option<AuditTimeBound?> Since = Time("--since", "Only events at or after this time: ISO 8601 with Z or an offset, a date (UTC), or a duration ago (24h, 7d)");
    private static readonly Option<AuditTimeBound?> Until = Time("--until", "Only events before this time (same forms as --since)");

    private static readonly Option<AuditEventType[]?> Types = new Option<AuditEventType[]?>("--type")
    {
        Description = "Only events of these types (repeat the option or separate with commas): " + string.Join(", ", AuditLabels.EventTypes),
        AllowMultipleArgumentsPerToken = false,
        HelpName = "type",
        CustomParser = result =>
        {
            // Called without tokens when the option is absent: no filter.
            if (result.Tokens.Count == 0)
            {
                return null;
            }

            var types = new List<AuditEventType>();
            foreach (var label in result.Tokens.SelectMany(t => t.Value.Split(',')).Select(l => l.Trim()))
            {
                if (!AuditLabels.TryParseEventType(label, out var type))
                {
                    result.AddError($"--type '{label}' is not an audit event type; expected one of {string.Join(", ", AuditLabels.EventTypes)}");
                    return null;
                }

                types.Add(type);
            }

            return [.. types];
        },
    };

    private static readonly Option<AuditSeverity?> Severity = new Option<AuditSeverity?>("--severity")
    {
        Description = "Only events at least this severe: low, medium, high or critical",
        HelpName = "low|medium|high|critical",
    }.CheckedBy(text => AuditLabels.TryParseSeverity(text, out var severity) ? severity
        : throw new UsageException($"--severity '{text}' is not a severity; expected low, medium, high or critical (events at least that severe)"));

    private static readonly Option<int> Limit = new Option<int>("--limit") { Description = "Events per page, 1 to 1,000", DefaultValueFactory = _ => 50 }.InRange(1, 1000);
    private static readonly Option<string?> Cursor = Text("--cursor", "Continue after the page that printed this cursor (same filters)", "the cursor a previous page printed");

    public static Command Build()
    {
        var audit = new Command("audit", "The audit trail: query events by correlation id, principal, organisation, time, type and severity") { GlobalOptions.Json };
        var query = new Command("query", "List audit events, newest first, a page at a time")
        {
            CorrelationId, Principal, Org, Since, Until, Types, Severity, Limit, Cursor,
        };
        query.SetHandler(async (context, cancellationToken) =>
        {
            var log = await context.GetAsync<AuditLog>(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            var page = await log.QueryAsync(
                new AuditQuery
                {
                    CorrelationId = context.Get(CorrelationId),
                    Principal = context.Get(Principal),
                    Org = context.Get(Org),
                    Since = context.Get(Since)?.Resolve(now),
                    Until = context.Get(Until)?.Resolve(now),
                    EventTypes = context.Get(Types) is { Length: > 0 } types ? types : null,
                    MinimumSeverity = context.Get(Severity),
                    Limit = context.Get(Limit),
                    Cursor = context.Get(Cursor),
                },
                cancellationToken);
            Write(context, page);
            return ExitCodes.Success;
        });
        audit.Subcommands.Add(query);
        return audit;
    }

    private static void Write(CliContext context, Page<AuditEvent> page)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new { events = page.Items.Select(AsJson), next_cursor = page.NextCursor });
            return;
        }

        if (page.Items.Count == 0)
        {
            context.Output.Line("no audit events match");
            return;
        }

        context.Output.Table(
            ["Time (UTC)", "Type", "Severity", "Principal", "Org", "Correlation", "Route", "Tool", "Decision"],
            page.Items.Select(e => (IReadOnlyList<string>)
            [
                e.Timestamp!.Value.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                AuditLabels.Of(e.EventType),
                AuditLabels.Of(e.Severity),
                e.UserEmail ?? e.UserId?.ToString() ?? "",
                e.PrincipalOrg ?? "",
                e.CorrelationId ?? "",
                e.SourceNode is null && e.TargetNode is null ? "" : $"{e.SourceNode ?? "?"} -> {e.TargetNode ?? "?"}",
                e.ToolName ?? e.CapabilityId ?? "",
                e.Decision ?? "",
            ]));
        context.Output.Line(page.NextCursor is null
            ? $"{page.Items.Count} event(s)"
            : $"{page.Items.Count} event(s); next page: the same command with --cursor {page.NextCursor}");
    }

    private static object AsJson(AuditEvent e) => new
    {
        id = e.Id,
        timestamp = e.Timestamp,
        event_type = AuditLabels.Of(e.EventType),
        severity = AuditLabels.Of(e.Severity),
        user_id = e.UserId,
        user_email = e.UserEmail,
        server_id = e.ServerId,
        tool_name = e.ToolName,
        decision = e.Decision,
        policy_id = e.PolicyId,
        ip_address = e.IpAddress,
        user_agent = e.UserAgent,
        request_id = e.RequestId,
        details = e.Details,
        siem_forwarded = e.SiemForwarded,
        principal_org = e.PrincipalOrg,
        resource_protocol = e.ResourceProtocol,
        capability_id = e.CapabilityId,
        correlation_id = e.CorrelationId,
        source_node = e.SourceNode,
        target_node = e.TargetNode,
        estimated_cost = e.EstimatedCost,
        actual_cost = e.ActualCost,
    };

    private static Option<string?> Text(string name, string description, string expected) =>
        new Option<string?>(name) { Description = description }
            .CheckedBy(text => CheckedOptions.NotAnOption(CheckedOptions.NotBlank(text, name, expected), name, expected));

    private static Option<AuditTimeBound?> Time(string name, string description) =>
        new Option<AuditTimeBound?>(name) { Description = description }.CheckedBy(text => AuditTimeBound.Parse(text, name));
}
